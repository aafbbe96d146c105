/**
 * `init --from HOST`: turns a host's server entries into mcp-sentinel config entries. Stdio entries are
 * taken verbatim (command, args, env, cwd); remote entries keep their URL and headers with the transport
 * type spelled the sentinel's way. The host's own entry for mcp-sentinel is skipped, and names the
 * sentinel cannot use as a prefix are rewritten. Literal credentials are reported (never printed).
 */
import type { ServerConfig } from '../config/types.js';
import { escapeValue } from '../refs/parse.js';
import { findLiteralCredentials, type LiteralCredential } from '../refs/credentials.js';
import { HOSTS, type HostId } from '../hosts.js';

export interface ImportResult {
  servers: Record<string, ServerConfig>;
  /** Entries not imported, with why. */
  skipped: { name: string; reason: string }[];
  /** Things changed on the way, e.g. a renamed server or a dropped key. */
  notes: string[];
  credentials: LiteralCredential[];
}

const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}

/**
 * A host value in mcp-sentinel's reference syntax, meaning what it meant to the host. Hosts expand little
 * or nothing, while mcp-sentinel reads every `$NAME` as a reference, so each `$` the host would have sent
 * as it is gets doubled (escapeValue). What the host itself expands is kept as a reference:
 * VS Code and Cursor `${env:NAME}` (written `${NAME}` here), Claude Code `${NAME}` and `${NAME:-default}`.
 * Claude Desktop expands nothing.
 */
export function convertValue(host: HostId, value: string): string {
  const envColon = host === 'vscode' || host === 'cursor';
  const braces = host === 'claude-code';
  return value.replace(
    /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$/g,
    (match: string, envName?: string, name?: string, fallback?: string) => {
      if (envName !== undefined && envColon) return `\${${envName}}`;
      if (name !== undefined && braces) {
        return fallback === undefined ? `\${${name}}` : `\${${name}:-${escapeValue(fallback)}}`;
      }
      return escapeValue(match);
    },
  );
}

function mapStrings<T extends Record<string, string> | string[]>(host: HostId, value: T): T {
  if (Array.isArray(value)) return value.map((v) => convertValue(host, v)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertValue(host, v)])) as T;
}

export function isSentinelEntry(entry: Record<string, unknown>): boolean {
  const parts = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].filter(
    (p): p is string => typeof p === 'string',
  );
  return parts.some((part) => /mcp-sentinel/.test(part));
}

function uniqueName(name: string, taken: Set<string>): string {
  let clean = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'server';
  for (let i = 2; taken.has(clean.toLowerCase()); i++) clean = `${clean.slice(0, 60)}_${i}`;
  return clean;
}

function convertEntry(
  host: HostId,
  name: string,
  entry: Record<string, unknown>,
  notes: string[],
): ServerConfig | string {
  const known = new Set(['type', 'command', 'args', 'env', 'cwd', 'url', 'headers', 'disabled']);
  const dropped = Object.keys(entry).filter((key) => !known.has(key));
  if (dropped.length > 0)
    notes.push(`${name}: left out ${dropped.map((k) => `"${k}"`).join(', ')} (not used by mcp-sentinel)`);
  const unresolvable = JSON.stringify(entry).match(/\$\{input:[^}]+\}/g);
  if (unresolvable)
    notes.push(
      `${name}: ${unresolvable.join(', ')} is a VS Code prompt; replace it with a secret:NAME reference`,
    );

  if (host !== 'claude-code') {
    const literal = JSON.stringify(entry).match(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/g);
    if (literal)
      notes.push(
        `${name}: ${HOSTS[host].displayName} does not expand ${[...new Set(literal)].join(', ')}, so it is kept as literal text ($$); remove one $ to read the environment variable instead`,
      );
  }

  if (typeof entry.command === 'string') {
    const server: ServerConfig = { command: convertValue(host, entry.command) };
    if (Array.isArray(entry.args))
      server.args = mapStrings(
        host,
        entry.args.filter((a): a is string => typeof a === 'string'),
      );
    const env = stringRecord(entry.env);
    if (env && Object.keys(env).length > 0) server.env = mapStrings(host, env);
    if (typeof entry.cwd === 'string') server.cwd = convertValue(host, entry.cwd);
    if (entry.disabled === true) server.disabled = true;
    return server;
  }
  if (typeof entry.url === 'string') {
    const declared = typeof entry.type === 'string' ? entry.type : undefined;
    const type: 'sse' | 'streamable-http' =
      declared === 'sse' || (declared === undefined && /\/sse\/?$/.test(entry.url))
        ? 'sse'
        : 'streamable-http';
    const server: ServerConfig = { type, url: convertValue(host, entry.url) };
    const headers = stringRecord(entry.headers);
    if (headers && Object.keys(headers).length > 0) server.headers = mapStrings(host, headers);
    if (entry.disabled === true) server.disabled = true;
    return server;
  }
  return 'has neither "command" nor "url"';
}

/** "3 servers in 2 projects" for the per-project servers of ~/.claude.json, undefined when there are none. */
function projectServers(host: HostId, data: Record<string, unknown>): string | undefined {
  if (host !== 'claude-code' || !isRecord(data.projects)) return undefined;
  const counts = Object.values(data.projects)
    .map((project) =>
      isRecord(project) && isRecord(project.mcpServers) ? Object.keys(project.mcpServers).length : 0,
    )
    .filter((count) => count > 0);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  return `${total} server${total === 1 ? '' : 's'} in ${counts.length} project${counts.length === 1 ? '' : 's'}`;
}

/** The servers of a parsed host config document. */
export function importHostServers(host: HostId, data: Record<string, unknown>): ImportResult {
  const result: ImportResult = { servers: {}, skipped: [], notes: [], credentials: [] };
  const source = data[HOSTS[host].serversKey];
  if (!isRecord(source)) return result;
  const taken = new Set<string>();
  for (const [original, entry] of Object.entries(source)) {
    if (!isRecord(entry)) {
      result.skipped.push({ name: original, reason: 'is not an object' });
      continue;
    }
    if (isSentinelEntry(entry)) {
      result.skipped.push({ name: original, reason: 'is mcp-sentinel itself' });
      continue;
    }
    const converted = convertEntry(host, original, entry, result.notes);
    if (typeof converted === 'string') {
      result.skipped.push({ name: original, reason: converted });
      continue;
    }
    const name =
      SERVER_NAME.test(original) && !taken.has(original.toLowerCase())
        ? original
        : uniqueName(original, taken);
    if (name !== original)
      result.notes.push(
        `"${original}" is imported as "${name}" (names become tool prefixes: A-Z a-z 0-9 _ - only)`,
      );
    taken.add(name.toLowerCase());
    result.servers[name] = converted;
  }
  const perProject = projectServers(host, data);
  if (perProject)
    result.notes.push(
      `left out Claude Code's per-project servers (${perProject}): only the user-wide "mcpServers" are imported; copy the ones you want into the mcp-sentinel config`,
    );
  result.credentials = findLiteralCredentials(result.servers as Record<string, unknown>);
  return result;
}
