/**
 * Validation: the JSON Schema (structure, types, unknown keys) plus the checks a schema cannot express
 * (URLs, prefix collisions). Returns every problem at once, each with a dot path and a hint.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Issue } from '../errors.js';
import { configSchema } from './schema.js';
import { closestMatch } from './suggest.js';
import type { SentinelConfig } from './types.js';

const require = createRequire(import.meta.url);
/**
 * The validator of schemas/config.schema.json, which is generated from the definition the config's types
 * come from (definition.ts; a test fails when the file drifts): so a document it accepts has the type.
 */
let compiled: ValidateFunction<SentinelConfig> | undefined;

/**
 * The build compiles the schema into a standalone validator beside this file (scripts/build-validator.mjs),
 * which loads in a few milliseconds; without it (running from source) Ajv compiles the schema here, with
 * the same options.
 */
function validator(): ValidateFunction<SentinelConfig> {
  if (compiled) return compiled;
  const prebuilt = fileURLToPath(new URL('./config-validator.cjs', import.meta.url));
  if (existsSync(prebuilt)) {
    compiled = require(prebuilt) as ValidateFunction<SentinelConfig>;
  } else {
    const { Ajv } = require('ajv') as typeof import('ajv');
    compiled = new Ajv({ allErrors: true, strict: false, verbose: true }).compile<SentinelConfig>(
      configSchema(),
    );
  }
  return compiled;
}

/** `/mcpServers/github/url` → `mcpServers.github.url` */
export function toDotPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function allowedKeys(error: ErrorObject): string[] {
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {});
}

function issueFromAjv(error: ErrorObject, data: unknown): Issue | undefined {
  const path = toDotPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const suggestion = closestMatch(key, allowedKeys(error));
      return {
        path: join(path, key),
        message: 'unknown key',
        hint: suggestion ? `did you mean "${suggestion}"?` : `allowed keys: ${allowedKeys(error).join(', ')}`,
      };
    }
    case 'required':
      return { path: join(path, String(params.missingProperty)), message: 'is required' };
    case 'type':
      return {
        path,
        message: `expected ${String(params.type)}, got ${describeType(valueAt(data, error.instancePath))}`,
      };
    case 'enum':
      return {
        path,
        message: `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path, message: `expected ${JSON.stringify(params.allowedValue)}` };
    case 'minProperties':
      return path.endsWith('.headers')
        ? {
            path,
            message: 'must name at least one header',
            hint: 'e.g. "headers": {"X-Api-Key": "secret:my-key"}',
          }
        : { path, message: `must have at least ${String(params.limit)} key(s)` };
    case 'anyOf':
    case 'oneOf':
      return { path, message: 'matches none of the forms above' };
    case 'propertyNames':
      return undefined; // reported by the `pattern` error on the name itself
    case 'pattern':
      if (error.propertyName !== undefined) {
        return {
          path: join(path, error.propertyName),
          message: 'server names may use letters, digits, "_" and "-" only (1-64 characters)',
          hint: 'the name becomes the prefix of its tools, and hosts accept only those characters in tool names',
        };
      }
      return { path, message: `expected a string matching ${String(params.pattern)}` };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const key of toDotPath(pointer).split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every key a server entry may have, stdio or remote, from the schema (so keys added there count here). */
function serverKeys(): string[] {
  const definitions = (configSchema().definitions ?? {}) as Record<string, { properties?: object }>;
  return [
    ...new Set([
      ...Object.keys(definitions.stdioServer?.properties ?? {}),
      ...Object.keys(definitions.httpServer?.properties ?? {}),
    ]),
  ];
}

/**
 * The unknown keys of an entry that is neither stdio nor remote: with "command" or "url" mistyped, the
 * schema cannot tell which keys are wrong, so every key that no server entry has is reported, with the
 * closest one.
 */
function unknownServerKeys(path: string, entry: Record<string, unknown>): Issue[] {
  const known = serverKeys();
  return Object.keys(entry)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const suggestion = closestMatch(key, known);
      return {
        path: `${path}.${key}`,
        message: 'unknown key',
        hint: suggestion ? `did you mean "${suggestion}"?` : `allowed keys: ${known.join(', ')}`,
      };
    });
}

/** Shape problems a generic schema reports badly: a server that is neither stdio nor remote. */
function serverShapeIssues(servers: Record<string, unknown>): { issues: Issue[]; skip: Set<string> } {
  const issues: Issue[] = [];
  const skip = new Set<string>();
  for (const [name, server] of Object.entries(servers)) {
    const path = `mcpServers.${name}`;
    if (server === null || typeof server !== 'object' || Array.isArray(server)) {
      issues.push({ path, message: `expected an object, got ${describeType(server)}` });
      skip.add(path);
      continue;
    }
    const entry = server as Record<string, unknown>;
    if (!('command' in entry) && !('url' in entry)) {
      const unknown = unknownServerKeys(path, entry);
      const typo = unknown.find((issue) => /"(command|url)"/.test(issue.hint ?? ''));
      issues.push({
        path,
        message: 'needs either "command" (a stdio server) or "url" with "type" (sse or streamable-http)',
        hint: typo
          ? `${typo.path.slice(path.length + 1)}: ${typo.hint}`
          : 'e.g. { "command": "npx", "args": ["-y", "some-mcp-server"] } or { "type": "streamable-http", "url": "https://..." }',
      });
      issues.push(...unknown);
      skip.add(path);
    } else if ('command' in entry && 'url' in entry) {
      issues.push({
        path,
        message: 'has both "command" and "url"',
        hint: 'keep "command" for a stdio server or "url" for a remote one',
      });
      skip.add(path);
    } else if ('command' in entry && 'type' in entry && entry.type !== 'stdio') {
      issues.push({
        path: `${path}.type`,
        message: `a server with "command" is a stdio server, but type is ${JSON.stringify(entry.type)}`,
        hint: 'remove "type", or replace "command" with "url"',
      });
      skip.add(path);
    }
  }
  return { issues, skip };
}

function urlIssues(servers: Record<string, Record<string, unknown>>): Issue[] {
  const issues: Issue[] = [];
  for (const [name, server] of Object.entries(servers)) {
    const url = server.url;
    // URLs holding references are checked again after they are resolved.
    if (typeof url !== 'string' || url.includes('$')) continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      issues.push({
        path: `mcpServers.${name}.url`,
        message: `"${url}" is not a valid URL`,
        hint: 'write an absolute URL such as https://example.com/mcp',
      });
      continue;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      issues.push({
        path: `mcpServers.${name}.url`,
        message: `expected an http or https URL, got ${parsed.protocol}`,
      });
    }
  }
  return issues;
}

function prefixIssues(servers: Record<string, Record<string, unknown>>): Issue[] {
  const owners = new Map<string, string>();
  const issues: Issue[] = [];
  for (const [name, server] of Object.entries(servers)) {
    if (server.disabled === true) continue;
    const prefix = typeof server.prefix === 'string' ? server.prefix : name;
    if (prefix === '') continue; // unprefixed backends may share names; collisions are resolved per tool
    const owner = owners.get(prefix.toLowerCase());
    if (owner !== undefined) {
      issues.push({
        path: `mcpServers.${name}.prefix`,
        message: `prefix "${prefix}" is already used by "${owner}"`,
        hint: 'give one of them a different "prefix" so their tool names cannot collide',
      });
    } else {
      owners.set(prefix.toLowerCase(), name);
    }
  }
  return issues;
}

/** Every problem of a parsed config document; an empty list means it is valid. */
export function validateConfig(data: unknown): Issue[] {
  return checkConfig(data).issues;
}

export type ConfigCheck = { config: SentinelConfig; issues: [] } | { config?: undefined; issues: Issue[] };

/** The document as a config when it has no problem; every problem otherwise. */
export function checkConfig(data: unknown): ConfigCheck {
  if (data === null || data === undefined) {
    return {
      issues: [
        { path: '', message: 'the file is empty', hint: 'run `mcp-sentinel init` for a starter config' },
      ],
    };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      issues: [{ path: '', message: `expected an object with "mcpServers", got ${describeType(data)}` }],
    };
  }
  const servers = (data as { mcpServers?: unknown }).mcpServers;
  const shape =
    servers && typeof servers === 'object' && !Array.isArray(servers)
      ? serverShapeIssues(servers as Record<string, unknown>)
      : { issues: [], skip: new Set<string>() };

  const validate = validator();
  const valid = validate(data);
  const schemaIssues: Issue[] = [];
  for (const error of valid ? [] : (validate.errors ?? [])) {
    const issue = issueFromAjv(error, data);
    if (!issue) continue;
    if ([...shape.skip].some((p) => issue.path === p || issue.path.startsWith(p + '.'))) continue;
    schemaIssues.push(issue);
  }
  const issues = dedupe([...shape.issues, ...schemaIssues]);
  if (!servers || typeof servers !== 'object' || Array.isArray(servers)) return { issues };
  // URL and prefix checks run even when other keys are wrong, so that every problem is listed at once;
  // entries whose shape is already reported are left out.
  const entries = Object.fromEntries(
    Object.entries(servers as Record<string, unknown>).filter(
      ([name, server]) =>
        !shape.skip.has(`mcpServers.${name}`) &&
        server !== null &&
        typeof server === 'object' &&
        !Array.isArray(server),
    ),
  ) as Record<string, Record<string, unknown>>;
  const all = dedupe([...issues, ...urlIssues(entries), ...prefixIssues(entries)]);
  if (valid && all.length === 0) return { config: data, issues: [] };
  return { issues: all };
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
