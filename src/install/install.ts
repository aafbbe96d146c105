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
import { parse } from 'jsonc-parser';
import { HOSTS, type HostId } from '../hosts.js';
import { backupFile, editJson, readHostFile, writeFileSafely } from './host-file.js';
import { isSentinelEntry } from './import.js';
import type { MigrationRecord } from './migrate.js';

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
  /** Host entries taken out because mcp-sentinel serves them (install), or put back (remove). */
  moved: string[];
}

export interface PlanOptions {
  host: HostId;
  file: string;
  name: string;
  /** The entry to write; undefined to remove. */
  entry?: SentinelEntry;
  /** Host entries to take out with the install (they are served through mcp-sentinel). */
  removeEntries?: string[];
  /** With --remove: what install took out, to put back. */
  record?: { record: MigrationRecord; original: string };
  /** Replace or remove an entry of that name that mcp-sentinel did not write. */
  force?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses to replace or remove an entry of our name that runs something else (a user's own "sentinel"). */
function assertOurs(existing: unknown, options: PlanOptions): void {
  if (existing === undefined || options.force) return;
  if (isRecord(existing) && isSentinelEntry(existing)) return;
  throw new SentinelError(
    'USAGE',
    `"${options.name}" in ${options.file} is not an mcp-sentinel entry, and ${options.entry ? 'install would replace' : '--remove would delete'} it`,
    {
      file: options.file,
      hint: `install under another key with --name NAME, or pass --force to ${options.entry ? 'replace' : 'remove'} it`,
    },
  );
}

/**
 * The file with the entries install took out put back, and ours taken out. Unchanged since install, it is
 * the original byte for byte; otherwise only the missing entries are added back, keeping later edits.
 */
function restoredText(
  current: string,
  serversKey: string,
  options: PlanOptions,
): { text: string; moved: string[] } {
  const { record, original } = options.record!;
  if (current === record.after) return { text: original, moved: record.removed };
  const servers = (text: string): Record<string, unknown> => {
    const data: unknown = parse(text);
    const found = isRecord(data) ? data[serversKey] : undefined;
    return isRecord(found) ? found : {};
  };
  const before = servers(original);
  const now = servers(current);
  let text = current;
  const moved: string[] = [];
  for (const name of record.removed) {
    if (name in now || before[name] === undefined) continue;
    text = editJson(text, [serversKey, name], before[name]);
    moved.push(name);
  }
  if (options.name in now) text = editJson(text, [serversKey, options.name], undefined);
  return { text, moved };
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
  assertOurs(existing, options);
  const base = {
    host: options.host,
    file: options.file,
    name: options.name,
    before: file.text,
    fileExists: file.exists,
    moved: [] as string[],
  };

  if (!options.entry) {
    if (options.record && file.exists) {
      const { text, moved } = restoredText(file.text, def.serversKey, options);
      if (text !== file.text) return { ...base, action: 'remove', after: text, moved };
    }
    if (existing === undefined) return { ...base, action: 'absent', after: file.text };
    return {
      ...base,
      action: 'remove',
      after: editJson(file.text, [def.serversKey, options.name], undefined),
    };
  }
  let action: InstallAction;
  let text = file.text;
  if (existing === undefined || !isRecord(existing)) {
    action = 'add';
    text = editJson(text, [def.serversKey, options.name], options.entry);
  } else {
    // Update our keys one by one, so that keys the user added to the entry (e.g. "disabled") stay.
    action = 'unchanged';
    for (const [key, value] of Object.entries(options.entry)) {
      if (isDeepStrictEqual(existing[key], value)) continue;
      text = editJson(text, [def.serversKey, options.name, key], value);
      action = 'update';
    }
  }
  const moved = (options.removeEntries ?? []).filter((name) => isRecord(servers) && name in servers);
  for (const name of moved) text = editJson(text, [def.serversKey, name], undefined);
  if (moved.length > 0 && action === 'unchanged') action = 'update';
  return { ...base, action, after: text, moved };
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
export async function applyInstall(
  plan: InstallPlan,
  options: { backupText?: string } = {},
): Promise<ApplyResult> {
  if (plan.action === 'unchanged' || plan.action === 'absent') return { written: false };
  if (plan.after === plan.before) return { written: false };
  const now = await currentText(plan.file);
  if (plan.fileExists ? now !== plan.before : now !== undefined) {
    throw new SentinelError('HOST_WRITE', `${plan.file} changed while the change to it was being prepared`, {
      file: plan.file,
      hint: 'nothing was written; run the command again',
    });
  }
  const backup = plan.fileExists ? await backupFile(plan.file, new Date(), options.backupText) : undefined;
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
