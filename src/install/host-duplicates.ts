/**
 * A host file that starts mcp-sentinel and, beside it, servers mcp-sentinel also serves runs those backends
 * twice (two memory servers writing one file, every tool listed twice). Reads each host's file at its usual
 * place and warns, with the command that takes the duplicates out. Names only, never values. The CLI hands
 * this check to doctor (DoctorOptions.hostFileCheck).
 */
import type { ServerConfig } from '../config/types.js';
import { HOSTS, defaultPathContext, hostConfigPath, type HostId } from '../hosts.js';
import { findServedDuplicates } from './duplicates.js';
import { readHostFile } from './host-file.js';
import { isSentinelEntry } from './import.js';

/** A doctor check, in the shape of src/doctor/report.ts's NamedCheck (doctor and install import not each other). */
export interface HostFileCheck {
  id: string;
  status: 'warn';
  reason: string;
  hint: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function checkHostDuplicates(
  host: HostId,
  servers: Record<string, ServerConfig>,
  env: NodeJS.ProcessEnv,
): Promise<HostFileCheck | undefined> {
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
