/**
 * A host file that starts mcp-sentinel and, beside it, servers mcp-sentinel also serves runs those backends
 * twice (two memory servers writing one file, every tool listed twice). Reads each host's file at its usual
 * place and warns, with the command that takes the duplicates out. Names only, never values.
 */
import type { ServerConfig } from '../config/types.js';
import { findServedDuplicates } from '../install/duplicates.js';
import { readHostFile } from '../install/host-file.js';
import { HOSTS, defaultPathContext, hostConfigPath, type HostId } from '../install/hosts.js';
import { isSentinelEntry } from '../install/import.js';
import { worst, type HostResult, type NamedCheck } from './report.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function checkHostDuplicates(
  host: HostId,
  servers: Record<string, ServerConfig>,
  env: NodeJS.ProcessEnv,
): Promise<NamedCheck | undefined> {
  const def = HOSTS[host];
  const file = hostConfigPath(host, defaultPathContext(env));
  const read = await readHostFile(file, {
    allowComments: def.allowsComments,
    serversKey: def.serversKey,
  }).catch(() => undefined);
  const entries = read?.data[def.serversKey];
  if (!isRecord(entries)) return undefined;
  const ours = Object.entries(entries).find(([, entry]) => isRecord(entry) && isSentinelEntry(entry));
  if (!ours) return undefined;
  const duplicates = findServedDuplicates(host, read!.data, servers, ours[0]);
  if (duplicates.length === 0) return undefined;
  const names = duplicates.map((d) => `"${d.hostName}"`).join(', ');
  return {
    id: 'duplicates',
    status: 'warn',
    reason: `${file} also starts ${names}, which mcp-sentinel serves: ${duplicates.length === 1 ? 'it runs' : 'they run'} twice`,
    hint: `run: mcp-sentinel install --host ${host}${ours[0] === 'sentinel' ? '' : ` --name ${ours[0]}`} (takes them out; --remove puts them back)`,
  };
}

/** The host's result with the duplicate check added (it counts even when the catalog check was skipped). */
export function withDuplicateCheck(result: HostResult, check: NamedCheck | undefined): HostResult {
  if (!check) return result;
  const checks = [...result.checks, check];
  const status = worst([result.status === 'skip' ? 'ok' : result.status, check.status]);
  const reason =
    result.status === 'ok' || result.status === 'skip' ? check.reason : `${result.reason}; ${check.reason}`;
  return { ...result, checks, status, reason, hint: result.hint ?? check.hint };
}
