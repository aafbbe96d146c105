/**
 * Which entries of a host's config file start a server that mcp-sentinel's config also serves: the same
 * command and arguments (stdio) or the same URL (remote), where the config's references stand for the
 * host's literals. Those entries would run every backend twice once mcp-sentinel is installed, so `install`
 * takes them out and `doctor` warns about them. Pure: works on parsed documents.
 */
import type { ServerConfig } from '../config/types.js';
import { HOSTS, type HostId } from '../hosts.js';
import { convertValue, isSentinelEntry } from './import.js';
import { literalText, matchTemplate } from './template.js';

export interface ServedDuplicate {
  /** The entry's key in the host file. */
  hostName: string;
  /** The config server that serves it. */
  configName: string;
  /** Literal values in the host entry that the config reads from the keychain, by secret name. */
  secrets: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The secrets `template` reads out of the host's value, or undefined when the two differ. */
function matchValue(host: HostId, template: string, hostValue: unknown): Record<string, string> | undefined {
  if (typeof hostValue !== 'string') return undefined;
  const converted = convertValue(host, hostValue);
  if (converted === template) return {};
  const literal = literalText(converted);
  return literal === undefined ? undefined : matchTemplate(template, literal)?.secrets;
}

/** Secrets of the keys both bags have and agree on (a differing env value does not make another server). */
function bagSecrets(host: HostId, config: unknown, hostBag: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(config) || !isRecord(hostBag)) return out;
  for (const [key, template] of Object.entries(config)) {
    if (typeof template !== 'string') continue;
    Object.assign(out, matchValue(host, template, hostBag[key]) ?? {});
  }
  return out;
}

/** The secrets of the host entry when `server` starts the same server, undefined when it does not. */
export function matchHostEntry(
  host: HostId,
  entry: Record<string, unknown>,
  server: ServerConfig,
): Record<string, string> | undefined {
  if ('command' in server && typeof server.command === 'string') {
    const command = matchValue(host, server.command, entry.command);
    if (!command) return undefined;
    const configArgs = server.args ?? [];
    const hostArgs = Array.isArray(entry.args) ? entry.args : [];
    if (configArgs.length !== hostArgs.length) return undefined;
    const secrets = { ...command };
    for (let i = 0; i < configArgs.length; i++) {
      const arg = matchValue(host, configArgs[i]!, hostArgs[i]);
      if (!arg) return undefined;
      Object.assign(secrets, arg);
    }
    return { ...secrets, ...bagSecrets(host, server.env, entry.env) };
  }
  if ('url' in server && typeof server.url === 'string') {
    const url = matchValue(host, server.url, entry.url);
    if (!url) return undefined;
    return { ...url, ...bagSecrets(host, server.headers, entry.headers) };
  }
  return undefined;
}

/**
 * The host file's entries that the config serves, each matched to one config server (the one of the
 * same name first). `skip` is the key mcp-sentinel itself is installed under; disabled servers serve nothing.
 */
export function findServedDuplicates(
  host: HostId,
  hostData: Record<string, unknown>,
  configServers: Record<string, ServerConfig>,
  skip?: string,
): ServedDuplicate[] {
  const entries = hostData[HOSTS[host].serversKey];
  if (!isRecord(entries)) return [];
  const active = Object.entries(configServers).filter(([, server]) => !server.disabled);
  const used = new Set<string>();
  const out: ServedDuplicate[] = [];
  for (const [hostName, entry] of Object.entries(entries)) {
    if (hostName === skip || !isRecord(entry) || isSentinelEntry(entry) || entry.disabled === true) continue;
    const candidates = [
      ...active.filter(([name]) => name === hostName),
      ...active.filter(([name]) => name !== hostName),
    ];
    for (const [configName, server] of candidates) {
      if (used.has(configName)) continue;
      const secrets = matchHostEntry(host, entry, server);
      if (!secrets) continue;
      used.add(configName);
      out.push({ hostName, configName, secrets });
      break;
    }
  }
  return out;
}
