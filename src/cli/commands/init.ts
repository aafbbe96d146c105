/**
 * `mcp-sentinel init`: writes a starter config (with `$schema`) at the global location or `--path`,
 * never over an existing file without `--force`. `--from HOST` fills it with the host's own servers and
 * lists the literal credentials found in them with the commands that move them to the keychain.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { honourNoColor } from '../colour.js';
import chalk from 'chalk';
import { Option, type Command } from 'commander';
import { defaultGlobalConfigPath } from '../../config/locate.js';
import { SCHEMA_URL } from '../../config/schema.js';
import type { SentinelConfig, ServerConfig } from '../../config/types.js';
import { SentinelError } from '../../errors.js';
import { backupFile, readHostFile, writeFileSafely } from '../../install/host-file.js';
import { HOST_IDS, HOSTS, hostConfigPath, type HostId } from '../../hosts.js';
import { importHostServers, type ImportResult } from '../../install/import.js';
import { applyMoves } from '../../install/credential-move.js';
import { moveCredentials } from './init-credentials.js';

export interface InitOptions {
  path?: string;
  force?: boolean;
  from?: HostId;
  hostConfig?: string;
  /** Store every literal credential found in the keychain without asking, writing references instead. */
  storeSecrets?: boolean;
  json?: boolean;
}

function out(line = ''): void {
  process.stdout.write(line + '\n');
}

/** The example entry of a fresh config: disabled, so that doctor and serve work before it is edited. */
const EXAMPLE_SERVER: ServerConfig = {
  command: 'npx',
  args: ['-y', '@modelcontextprotocol/server-everything'],
  description:
    'An example: the MCP reference server. Replace it with your own servers, then remove "disabled".',
  disabled: true,
};

export function starterConfig(servers?: Record<string, ServerConfig>): SentinelConfig {
  return { $schema: SCHEMA_URL, mcpServers: servers ?? { example: EXAMPLE_SERVER } };
}

async function importFrom(
  host: HostId,
  hostConfig: string | undefined,
): Promise<{ file: string; result: ImportResult }> {
  const def = HOSTS[host];
  const file = hostConfig ? resolve(hostConfig) : hostConfigPath(host);
  const read = await readHostFile(file, { allowComments: def.allowsComments, serversKey: def.serversKey });
  if (!read.exists) {
    throw new SentinelError('HOST_CONFIG', `${def.displayName} has no config file at ${file}`, {
      file,
      hint: 'pass the file with --host-config PATH, or run init without --from',
    });
  }
  return { file, result: importHostServers(host, read.data) };
}

export async function init(options: InitOptions): Promise<number> {
  honourNoColor();
  // With --json the lines are left out and one JSON document says the same (printed at the end).
  const say = options.json ? () => undefined : out;
  if (options.hostConfig !== undefined && options.from === undefined) {
    throw new SentinelError('USAGE', '--host-config is only used with --from', {
      hint: `name the host the file belongs to: --from ${HOST_IDS.join('|')}`,
    });
  }
  const target = options.path ? resolve(options.path) : defaultGlobalConfigPath();
  if (existsSync(target) && !options.force) {
    throw new SentinelError('USAGE', `${target} already exists`, {
      file: target,
      hint: 'check it with `mcp-sentinel doctor`, pass --path for another file, or --force to overwrite it (after a backup)',
    });
  }
  const imported = options.from ? await importFrom(options.from, options.hostConfig) : undefined;
  const moved = imported
    ? await moveCredentials(imported.result, { storeSecrets: options.storeSecrets, ask: !options.json })
    : undefined;
  const servers =
    imported && Object.keys(imported.result.servers).length > 0
      ? applyMoves(imported.result.servers, moved!.stored)
      : undefined;
  const config = starterConfig(servers);
  // --force keeps the old config: it may hold servers and credentials found nowhere else.
  // Always its own backup (not the day's one): the config being replaced may have been edited since.
  const backup =
    options.force && existsSync(target)
      ? await backupFile(target, new Date(), await readFile(target, 'utf8'))
      : undefined;
  // 0600: the file may hold credentials until they are moved to the keychain.
  await writeFileSafely(target, JSON.stringify(config, null, 2) + '\n', 0o600);

  say(`${chalk.green('✔')} wrote ${target}`);
  if (backup) say(`  ${chalk.dim('backup of the old file:')} ${backup}`);
  if (imported) sayImported(say, options.from!, imported, moved!);
  sayNextSteps(say, options, target, Boolean(servers), Boolean(imported));
  if (options.json) printJson(target, backup, options.from, imported, moved);
  return 0;
}

type Say = (line: string) => void;
type Imported = NonNullable<Awaited<ReturnType<typeof importFrom>>>;
type Moved = Awaited<ReturnType<typeof moveCredentials>>;

/** What was imported from the host, what was stored, and the commands for what stays literal. */
function sayImported(say: Say, from: HostId, imported: Imported, moved: Moved): void {
  const { file, result } = imported;
  const names = Object.keys(result.servers);
  say(
    `  imported ${names.length} server${names.length === 1 ? '' : 's'} from ${HOSTS[from].displayName} (${file})${names.length ? ': ' + names.join(', ') : ''}`,
  );
  for (const skip of result.skipped) say(`  ${chalk.dim('skipped')} "${skip.name}": ${skip.reason}`);
  for (const note of result.notes) say(`  ${chalk.yellow('note')} ${note}`);
  for (const { credential } of moved.stored)
    say(
      `  ${chalk.green('✔')} stored secret "${credential.secretName}" in the keychain; ${credential.path} reads "${credential.replacement}"`,
    );
  for (const line of moved.problems) say(`  ${chalk.yellow('warn')} ${line}`);
  const left = result.credentials.filter((c) => !moved.stored.some((m) => m.credential === c));
  if (left.length > 0) {
    say('');
    say(
      chalk.yellow(
        `${left.length} literal credential${left.length === 1 ? '' : 's'} found; move them into the keychain:`,
      ),
    );
    say(chalk.dim(`  (or run init again with --force --store-secrets to store them all as they are)`));
    for (const cred of left) {
      say(`  mcp-sentinel secrets set ${cred.secretName}`);
      say(chalk.dim(`    then set ${cred.path} to "${cred.replacement}"`));
      if (cred.note) say(chalk.dim(`    (${cred.note})`));
    }
  }
}

function sayNextSteps(
  say: Say,
  options: InitOptions,
  target: string,
  servers: boolean,
  imported: boolean,
): void {
  say('');
  say('Next steps:');
  let step = 1;
  if (!servers) say(`  ${step++}. add your servers under "mcpServers" in ${target}`);
  say(`  ${step++}. check every backend:  mcp-sentinel doctor${options.path ? ` --config ${target}` : ''}`);
  say(
    `  ${step++}. add it to your host:  mcp-sentinel install --host ${options.from ?? 'claude-desktop'}${options.path ? ` --config ${target}` : ''}`,
  );
  if (imported)
    say(
      chalk.dim(
        `     (install takes the imported entries out of the host file, so nothing runs twice; --remove puts them back)`,
      ),
    );
  else say(chalk.dim('     (hosts: claude-desktop, claude-code, cursor, vscode)'));
}

/** --json: one document saying what was done (never a credential value). */
function printJson(
  target: string,
  backup: string | undefined,
  from: HostId | undefined,
  imported: Imported | undefined,
  moved: Moved | undefined,
): void {
  process.stdout.write(
    JSON.stringify(
      {
        written: target,
        backup: backup ?? null,
        imported: imported
          ? {
              host: from,
              file: imported.file,
              servers: Object.keys(imported.result.servers),
              skipped: imported.result.skipped,
              notes: imported.result.notes,
            }
          : null,
        stored: (moved?.stored ?? []).map(({ credential }) => ({
          secret: credential.secretName,
          path: credential.path,
        })),
        credentials: (imported?.result.credentials ?? [])
          .filter((c) => !(moved?.stored ?? []).some((m) => m.credential === c))
          .map((c) => ({
            path: c.path,
            secret: c.secretName,
            replacement: c.replacement,
            command: `mcp-sentinel secrets set ${c.secretName}`,
          })),
        problems: moved?.problems ?? [],
      },
      null,
      2,
    ) + '\n',
  );
}

export function registerInitCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('init')
    .description('write a starter config (at the global location unless --path is given)')
    .option('--path <path>', 'where to write the config')
    .option('--force', 'overwrite an existing file (a backup of it is kept beside it)')
    .addOption(new Option('--from <host>', "import the servers of a host's config").choices([...HOST_IDS]))
    .option('--host-config <path>', "the host's config file, when it is not at the usual place (with --from)")
    .option('--json', 'print what was done as JSON (never a credential value)')
    .option(
      '--store-secrets',
      'store every literal credential found in the keychain as it is, and write secret: references (with --from)',
    )
    .action(async (options: InitOptions) => {
      setExitCode(await init(options));
    });
}
