/**
 * `install`: adds, updates or removes the one stdio entry that starts mcp-sentinel in a host's config
 * file. Planning is separate from writing so that `--dry-run` shows exactly what a real run would write.
 *
 * The entry runs Node by its absolute path with the absolute path of this CLI, so that it neither depends
 * on the host's (short) PATH nor on `npx`, which is a `.cmd` shim on Windows that `spawn` refuses without
 * a shell since Node's 2024 hardening (CVE-2024-27980). Only the config path is passed: credentials stay in
 * the keychain and the config, never in `args`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { SentinelError } from '../errors.js';
import { HOSTS, type HostId } from '../hosts.js';
import { backupFile, editJson, readHostFile, writeFileSafely } from './host-file.js';

export const DEFAULT_ENTRY_NAME = 'sentinel';

/** Refuses a `--name` that cannot be a server key in a host config (hosts put it in front of tool names). */
export function assertEntryName(name: string): void {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(name)) return;
  throw new SentinelError('USAGE', `--name "${name}" is not a valid server key`, {
    hint: 'use letters, digits, "_" and "-" (hosts put it in front of every tool name, so keep it short)',
  });
}

export interface LaunchContext {
  platform: NodeJS.Platform;
  /** Absolute path of the Node executable. */
  nodePath: string;
  /** Absolute path of bin/mcp-sentinel.js. */
  cliPath: string;
}

export function currentLaunchContext(): LaunchContext {
  return {
    platform: process.platform,
    nodePath: process.execPath,
    cliPath: fileURLToPath(new URL('../../bin/mcp-sentinel.js', import.meta.url)),
  };
}

export type SentinelEntry = Record<string, unknown> & { command: string; args: string[] };

/** The host entry that starts `mcp-sentinel serve --config <configPath>`. */
export function sentinelEntry(host: HostId, configPath: string, launch: LaunchContext): SentinelEntry {
  return {
    ...HOSTS[host].entryExtras,
    command: launch.nodePath,
    args: [launch.cliPath, 'serve', '--config', configPath],
  };
}

/** Things about the entry a user should know before relying on it. */
export function entryWarnings(entry: SentinelEntry, launch: LaunchContext): string[] {
  const warnings: string[] = [];
  if (/[\\/]_npx[\\/]/.test(launch.cliPath)) {
    warnings.push(
      'mcp-sentinel is running from the npx cache, which npm may clean; install it for good (npm install -g mcp-sentinel) and run install again',
    );
  }
  if (launch.platform === 'win32' && [entry.command, ...entry.args].some((part) => part.includes(' '))) {
    warnings.push(
      'a path in the entry contains a space; if the host fails to start it, move the config to a path without spaces',
    );
  }
  return warnings;
}

export type InstallAction = 'add' | 'update' | 'unchanged' | 'remove' | 'absent';

export interface InstallPlan {
  host: HostId;
  file: string;
  name: string;
  action: InstallAction;
  before: string;
  after: string;
  fileExists: boolean;
}

export interface PlanOptions {
  host: HostId;
  file: string;
  name: string;
  /** The entry to write; undefined to remove. */
  entry?: SentinelEntry;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the host file and computes its new text. Throws HOST_CONFIG for a file that cannot be edited safely. */
export async function planInstall(options: PlanOptions): Promise<InstallPlan> {
  const def = HOSTS[options.host];
  const file = await readHostFile(options.file, {
    allowComments: def.allowsComments,
    serversKey: def.serversKey,
  });
  const servers = file.data[def.serversKey];
  const existing = isRecord(servers) ? servers[options.name] : undefined;
  const base = {
    host: options.host,
    file: options.file,
    name: options.name,
    before: file.text,
    fileExists: file.exists,
  };

  if (!options.entry) {
    if (existing === undefined) return { ...base, action: 'absent', after: file.text };
    return {
      ...base,
      action: 'remove',
      after: editJson(file.text, [def.serversKey, options.name], undefined),
    };
  }
  if (existing === undefined || !isRecord(existing)) {
    return {
      ...base,
      action: 'add',
      after: editJson(file.text, [def.serversKey, options.name], options.entry),
    };
  }
  // Update our keys one by one, so that keys the user added to the entry (e.g. "disabled") stay.
  let text = file.text;
  let changed = false;
  for (const [key, value] of Object.entries(options.entry)) {
    if (isDeepStrictEqual(existing[key], value)) continue;
    text = editJson(text, [def.serversKey, options.name, key], value);
    changed = true;
  }
  return { ...base, action: changed ? 'update' : 'unchanged', after: changed ? text : file.text };
}

export interface ApplyResult {
  backup?: string;
  written: boolean;
}

/** The file's text now, or undefined when it does not exist. */
async function currentText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SentinelError(
      'HOST_WRITE',
      `could not read ${path} again before writing (${code ?? 'error'})`,
      {
        file: path,
        hint: 'nothing was changed; check the file permissions',
      },
    );
  }
}

/**
 * Writes the plan: the file is read again and must still be what was planned (the host, or another
 * install, may have written it meanwhile), then a backup of the old file, then the new text atomically.
 */
export async function applyInstall(plan: InstallPlan): Promise<ApplyResult> {
  if (plan.action === 'unchanged' || plan.action === 'absent') return { written: false };
  if (plan.after === plan.before) return { written: false };
  const now = await currentText(plan.file);
  if (plan.fileExists ? now !== plan.before : now !== undefined) {
    throw new SentinelError('HOST_WRITE', `${plan.file} changed while the change to it was being prepared`, {
      file: plan.file,
      hint: 'nothing was written; run the command again',
    });
  }
  const backup = plan.fileExists ? await backupFile(plan.file) : undefined;
  try {
    await writeFileSafely(plan.file, plan.after);
  } catch (error) {
    throw new SentinelError(
      'HOST_WRITE',
      `could not write ${plan.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        file: plan.file,
        hint: backup
          ? `the old file is unchanged; a backup is at ${backup}`
          : 'check the directory permissions',
      },
    );
  }
  return { backup, written: true };
}
