/**
 * `mcp-sentinel install --host NAME`: adds the one stdio entry that starts mcp-sentinel in a host's config
 * file and takes out the host's entries of servers the config serves (src/install/duplicates.ts), keeping
 * a record to put them back; `--remove` undoes both (src/install/migrate.ts). `--dry-run` prints the diff
 * and writes nothing. Literal credentials are never shown in a diff.
 */
import { resolve } from 'node:path';
import { honourNoColor } from '../colour.js';
import chalk from 'chalk';
import { Option, type Command } from 'commander';
import { loadConfig, locateConfig, type LoadedConfig } from '../../config/load.js';
import { defaultGlobalConfigPath } from '../../config/locate.js';
import { SentinelError } from '../../errors.js';
import { HOST_IDS, HOSTS, hostConfigPath, type HostId } from '../../hosts.js';
import { findServedDuplicates } from '../../install/duplicates.js';
import { readHostFile } from '../../install/host-file.js';
import {
  deleteRecord,
  readRecord,
  restoreText,
  sanitizeText,
  writeRecord,
  type MigrationRecord,
  type SanitizedText,
} from '../../install/migrate.js';
import { ensureSecrets, migrationStateDir, secretsOf, valuesFor } from '../../install/migration-secrets.js';
import { createSecretStore, type SecretStore } from '../../secrets/index.js';
import {
  DEFAULT_ENTRY_NAME,
  applyInstall,
  assertEntryName,
  currentLaunchContext,
  entryWarnings,
  planInstall,
  sentinelEntry,
  type InstallPlan,
  type SentinelEntry,
} from '../../install/install.js';

export interface InstallOptions {
  host: HostId;
  config?: string;
  hostConfig?: string;
  dryRun?: boolean;
  name: string;
  remove?: boolean;
  keepEntries?: boolean;
  force?: boolean;
  json?: boolean;
}

function out(line = ''): void {
  process.stdout.write(line + '\n');
}

// `diff` is loaded by a dry run only: this module is imported on every start of the CLI but `serve`.
export async function renderDiff(plan: InstallPlan): Promise<string> {
  if (plan.before === plan.after) return chalk.dim(`no change to ${plan.file}`);
  const { createTwoFilesPatch } = await import('diff');
  const patch = createTwoFilesPatch(
    plan.file,
    plan.file,
    plan.before,
    plan.after,
    plan.fileExists ? 'current' : 'new file',
    'after install',
  );
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('====='))
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++')
        ? chalk.green(line)
        : line.startsWith('-') && !line.startsWith('---')
          ? chalk.red(line)
          : line,
    )
    .join('\n')
    .trimEnd();
}

async function configToInstall(config: string | undefined): Promise<LoadedConfig> {
  const path = config ? resolve(config) : await locateConfig({});
  if (!path) {
    throw new SentinelError('CONFIG_NOT_FOUND', 'No mcp-sentinel config file was found to install', {
      hint: `run \`mcp-sentinel init\` to write ${defaultGlobalConfigPath()}, or pass --config PATH`,
    });
  }
  // Refuse to point a host at a config that cannot start: the host would only show a dead server.
  return loadConfig({ config: path });
}

interface Prepared {
  plan: InstallPlan;
  entry?: SentinelEntry;
  /** Literal values of the entries taken out (install) or put back (remove), by secret name. */
  secrets: Record<string, string>;
  sanitizedBefore?: SanitizedText;
  record?: MigrationRecord;
}

/** install: the entry to add and the host entries the config serves, to take out. */
async function prepareInstall(options: InstallOptions, file: string): Promise<Prepared> {
  const def = HOSTS[options.host];
  const loaded = await configToInstall(options.config);
  const entry = sentinelEntry(options.host, loaded.path, currentLaunchContext());
  const hostFile = await readHostFile(file, {
    allowComments: def.allowsComments,
    serversKey: def.serversKey,
  });
  const duplicates = options.keepEntries
    ? []
    : findServedDuplicates(options.host, hostFile.data, loaded.config.mcpServers, options.name);
  const plan = await planInstall({
    host: options.host,
    file,
    name: options.name,
    entry,
    removeEntries: duplicates.map((d) => d.hostName),
    force: options.force,
  });
  const secrets = secretsOf(duplicates.filter((d) => plan.moved.includes(d.hostName)));
  return { plan, entry, secrets, sanitizedBefore: sanitizeText(plan.before, secrets) };
}

/** install --remove: our entry out, and what install took out put back from its record. */
async function prepareRemove(options: InstallOptions, file: string, store: SecretStore): Promise<Prepared> {
  const stored = await readRecord(migrationStateDir(), file);
  const record = stored?.name === options.name ? stored : undefined;
  let original: string | undefined;
  let secrets: Record<string, string> = {};
  if (record) {
    // A dry run shows the references, never the values.
    secrets = options.dryRun ? {} : await valuesFor(store, record.before);
    original = options.dryRun ? record.before.text : restoreText(record.before, secrets);
  }
  const plan = await planInstall({
    host: options.host,
    file,
    name: options.name,
    record: record && original !== undefined ? { record, original } : undefined,
    force: options.force,
  });
  return { plan, secrets, record };
}

function describeMoved(plan: InstallPlan, removing: boolean): string | undefined {
  if (plan.moved.length === 0) return undefined;
  const list = plan.moved.map((name) => `"${name}"`).join(', ');
  return removing
    ? `put back ${list}, as they were before install`
    : `took out ${list}: mcp-sentinel serves ${plan.moved.length === 1 ? 'it' : 'them'} now (undo with: mcp-sentinel install --host ${plan.host} --remove)`;
}

export async function install(options: InstallOptions): Promise<number> {
  honourNoColor();
  const def = HOSTS[options.host];
  const file = options.hostConfig ? resolve(options.hostConfig) : hostConfigPath(options.host);
  const store = createSecretStore({ env: process.env });
  const prepared = options.remove
    ? await prepareRemove(options, file, store)
    : await prepareInstall(options, file);
  const { plan, entry, secrets } = prepared;
  const hidden = (text: string) => sanitizeText(text, secrets).text;
  // With --json the lines are left out and one JSON document says the same (never a credential value).
  const say = options.json ? () => undefined : out;
  const report = (extra: Record<string, unknown>) => {
    if (!options.json) return;
    const base = { host: options.host, file, name: options.name, action: plan.action, moved: plan.moved };
    process.stdout.write(JSON.stringify({ ...base, ...extra }, null, 2) + '\n');
  };

  if (options.dryRun) {
    const diff = await renderDiff({ ...plan, before: hidden(plan.before), after: hidden(plan.after) });
    say(diff);
    const moved = describeMoved(plan, Boolean(options.remove));
    if (moved) say(`${chalk.dim('would have')} ${moved}`);
    say(chalk.dim('(dry run: nothing was written)'));
    report({
      dryRun: true,
      written: false,
      diff: diff.replace(
        // eslint-disable-next-line no-control-regex
        /\x1b\[[0-9;]*m/g,
        '',
      ),
    });
    return 0;
  }
  const check = options.remove ? undefined : await ensureSecrets(store, secrets);
  const result = await applyInstall(plan, {
    backupText: options.remove ? undefined : prepared.sanitizedBefore?.text,
  });
  if (result.written) await keepRecord(options, plan, prepared);
  for (const line of outcomeLines(plan, options.name, `${def.displayName} (${file})`, entry)) say(line);
  const moved = describeMoved(plan, Boolean(options.remove));
  if (moved) say(`  ${moved}`);
  for (const name of check?.stored ?? [])
    say(`  stored secret "${name}" in the keychain (from the host file)`);
  for (const name of check?.differing ?? [])
    say(
      `  ${chalk.yellow('warn')} secret "${name}" in the keychain differs from the host file's value; --remove will write the keychain's`,
    );
  if (result.backup)
    say(
      `  ${chalk.dim('backup:')} ${result.backup}${prepared.sanitizedBefore?.placeholders.length ? chalk.dim(' (credentials as secret: references)') : ''}`,
    );
  if (entry)
    for (const warning of entryWarnings(entry, currentLaunchContext()))
      say(`  ${chalk.yellow('warn')} ${warning}`);
  if (result.written) {
    say('');
    say(
      `Next: ${def.reloadHint}${entry ? `, then check with: mcp-sentinel doctor --host ${options.host}` : ''}`,
    );
  }
  report({
    dryRun: false,
    written: result.written,
    backup: result.backup ?? null,
    stored: check?.stored ?? [],
    differing: check?.differing ?? [],
  });
  return 0;
}

/** What was done to the host file, in a line or two. */
function outcomeLines(plan: InstallPlan, name: string, where: string, entry: Prepared['entry']): string[] {
  switch (plan.action) {
    case 'unchanged':
      return [`${chalk.green('✔')} "${name}" is already up to date in ${where}`];
    case 'absent':
      return [`${chalk.green('✔')} there is no "${name}" entry in ${where}; nothing to remove`];
    case 'remove':
      return [`${chalk.green('✔')} removed "${name}" from ${where}`];
    default:
      return [
        `${chalk.green('✔')} ${plan.action === 'add' ? 'added' : 'updated'} "${name}" in ${where}`,
        `  ${chalk.dim('runs:')} ${[entry!.command, ...entry!.args].join(' ')}`,
      ];
  }
}

/** Keeps (install) or drops (remove) the record of what install took out of the file. */
async function keepRecord(options: InstallOptions, plan: InstallPlan, prepared: Prepared): Promise<void> {
  const stateDir = migrationStateDir();
  if (options.remove) {
    if (prepared.record) await deleteRecord(stateDir, plan.file);
    return;
  }
  const previous = await readRecord(stateDir, plan.file);
  if (previous?.name === options.name) {
    // Installed again: the first record keeps the original file; add what this run took out.
    const removed = [...new Set([...previous.removed, ...plan.moved])];
    await writeRecord(stateDir, { ...previous, after: plan.after, removed });
    return;
  }
  if (plan.moved.length === 0) return;
  await writeRecord(stateDir, {
    version: 1,
    host: options.host,
    file: resolve(plan.file),
    name: options.name,
    before: prepared.sanitizedBefore!,
    after: plan.after,
    removed: plan.moved,
  });
}

export function registerInstallCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('install')
    .description("add mcp-sentinel to a host's config file (or take it out with --remove)")
    .addOption(
      new Option('--host <name>', 'the host to install into').choices([...HOST_IDS]).makeOptionMandatory(),
    )
    .option(
      '-c, --config <path>',
      'the mcp-sentinel config the host should use (default: search, then the global config)',
    )
    .option('--host-config <path>', "the host's config file, when it is not at the usual place")
    .option('--name <key>', 'the key of the entry in the host config', DEFAULT_ENTRY_NAME)
    .option('--dry-run', 'print the change as a diff and write nothing')
    .option('--json', 'print what was done (or would be, with --dry-run) as JSON')
    .option('--remove', 'take the entry out again, and put back the entries install took out')
    .option('--keep-entries', "leave the host's own entries of servers mcp-sentinel serves (they run twice)")
    .option('--force', 'replace or remove an entry of that name that mcp-sentinel did not write')
    .action(async (options: InstallOptions) => {
      assertEntryName(options.name);
      setExitCode(await install(options));
    });
}
