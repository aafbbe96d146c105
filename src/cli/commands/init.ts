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
  const moved = imported ? await moveCredentials(imported.result, options) : undefined;
  const servers =
    imported && Object.keys(imported.result.servers).length > 0
      ? applyMoves(imported.result.servers, moved!.stored)
      : undefined;
  const config = starterConfig(servers);
  // --force keeps the old config: it may hold servers and credentials found nowhere else.
  // Always its own backup (not the day's one): the config being replaced may have been edited since.
  const backup = options.force
    ? await backupFile(target, new Date(), await readFile(target, 'utf8'))
    : undefined;
  // 0600: the file may hold credentials until they are moved to the keychain.
  await writeFileSafely(target, JSON.stringify(config, null, 2) + '\n', 0o600);

  out(`${chalk.green('✔')} wrote ${target}`);
  if (backup) out(`  ${chalk.dim('backup of the old file:')} ${backup}`);
  if (imported) {
    const { file, result } = imported;
    const names = Object.keys(result.servers);
    out(
      `  imported ${names.length} server${names.length === 1 ? '' : 's'} from ${HOSTS[options.from!].displayName} (${file})${names.length ? ': ' + names.join(', ') : ''}`,
    );
    for (const skip of result.skipped) out(`  ${chalk.dim('skipped')} "${skip.name}": ${skip.reason}`);
    for (const note of result.notes) out(`  ${chalk.yellow('note')} ${note}`);
    for (const { credential } of moved!.stored)
      out(
        `  ${chalk.green('✔')} stored secret "${credential.secretName}" in the keychain; ${credential.path} reads "${credential.replacement}"`,
      );
    for (const line of moved!.problems) out(`  ${chalk.yellow('warn')} ${line}`);
    const left = result.credentials.filter((c) => !moved!.stored.some((m) => m.credential === c));
    if (left.length > 0) {
      out('');
      out(
        chalk.yellow(
          `${left.length} literal credential${left.length === 1 ? '' : 's'} found; move them into the keychain:`,
        ),
      );
      out(chalk.dim(`  (or run init again with --force --store-secrets to store them all as they are)`));
      for (const cred of left) {
        out(`  mcp-sentinel secrets set ${cred.secretName}`);
        out(chalk.dim(`    then set ${cred.path} to "${cred.replacement}"`));
        if (cred.note) out(chalk.dim(`    (${cred.note})`));
      }
    }
  }
  out('');
  out('Next steps:');
  let step = 1;
  if (!servers) out(`  ${step++}. add your servers under "mcpServers" in ${target}`);
  out(`  ${step++}. check every backend:  mcp-sentinel doctor${options.path ? ` --config ${target}` : ''}`);
  out(
    `  ${step++}. add it to your host:  mcp-sentinel install --host ${options.from ?? 'claude-desktop'}${options.path ? ` --config ${target}` : ''}`,
  );
  if (imported)
    out(
      chalk.dim(
        `     (install takes the imported entries out of the host file, so nothing runs twice; --remove puts them back)`,
      ),
    );
  else out(chalk.dim('     (hosts: claude-desktop, claude-code, cursor, vscode)'));
  return 0;
}

export function registerInitCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('init')
    .description('write a starter config (at the global location unless --path is given)')
    .option('--path <path>', 'where to write the config')
    .option('--force', 'overwrite an existing file (a backup of it is kept beside it)')
    .addOption(new Option('--from <host>', "import the servers of a host's config").choices([...HOST_IDS]))
    .option('--host-config <path>', "the host's config file, when it is not at the usual place (with --from)")
    .option(
      '--store-secrets',
      'store every literal credential found in the keychain as it is, and write secret: references (with --from)',
    )
    .action(async (options: InitOptions) => {
      setExitCode(await init(options));
    });
}
