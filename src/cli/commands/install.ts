/**
 * `mcp-sentinel install --host NAME`: adds (or with `--remove` takes out) the one stdio entry that starts
 * mcp-sentinel in a host's config file. `--dry-run` prints the diff and writes nothing.
 */
import { resolve } from 'node:path';
import { honourNoColor } from '../colour.js';
import chalk from 'chalk';
import { Option, type Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import { loadConfig, locateConfig } from '../../config/load.js';
import { defaultGlobalConfigPath } from '../../config/locate.js';
import { SentinelError } from '../../errors.js';
import { HOST_IDS, HOSTS, hostConfigPath, type HostId } from '../../hosts.js';
import {
  DEFAULT_ENTRY_NAME,
  applyInstall,
  assertEntryName,
  currentLaunchContext,
  entryWarnings,
  planInstall,
  sentinelEntry,
  type InstallPlan,
} from '../../install/install.js';

export interface InstallOptions {
  host: HostId;
  config?: string;
  hostConfig?: string;
  dryRun?: boolean;
  name: string;
  remove?: boolean;
}

function out(line = ''): void {
  process.stdout.write(line + '\n');
}

export function renderDiff(plan: InstallPlan): string {
  if (plan.before === plan.after) return chalk.dim(`no change to ${plan.file}`);
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

async function configToInstall(config: string | undefined): Promise<string> {
  const path = config ? resolve(config) : await locateConfig({});
  if (!path) {
    throw new SentinelError('CONFIG_NOT_FOUND', 'No mcp-sentinel config file was found to install', {
      hint: `run \`mcp-sentinel init\` to write ${defaultGlobalConfigPath()}, or pass --config PATH`,
    });
  }
  // Refuse to point a host at a config that cannot start: the host would only show a dead server.
  const loaded = await loadConfig({ config: path });
  return loaded.path;
}

export async function install(options: InstallOptions): Promise<number> {
  honourNoColor();
  const def = HOSTS[options.host];
  const file = options.hostConfig ? resolve(options.hostConfig) : hostConfigPath(options.host);
  const launch = currentLaunchContext();
  const entry = options.remove
    ? undefined
    : sentinelEntry(options.host, await configToInstall(options.config), launch);
  const plan = await planInstall({ host: options.host, file, name: options.name, entry });

  if (options.dryRun) {
    out(renderDiff(plan));
    out(chalk.dim('(dry run: nothing was written)'));
    return 0;
  }
  const result = await applyInstall(plan);
  const where = `${def.displayName} (${file})`;
  switch (plan.action) {
    case 'unchanged':
      out(`${chalk.green('✔')} "${options.name}" is already up to date in ${where}`);
      break;
    case 'absent':
      out(`${chalk.green('✔')} there is no "${options.name}" entry in ${where}; nothing to remove`);
      break;
    case 'remove':
      out(`${chalk.green('✔')} removed "${options.name}" from ${where}`);
      break;
    default:
      out(`${chalk.green('✔')} ${plan.action === 'add' ? 'added' : 'updated'} "${options.name}" in ${where}`);
      out(`  ${chalk.dim('runs:')} ${[entry!.command, ...entry!.args].join(' ')}`);
  }
  if (result.backup) out(`  ${chalk.dim('backup:')} ${result.backup}`);
  if (entry) for (const warning of entryWarnings(entry, launch)) out(`  ${chalk.yellow('warn')} ${warning}`);
  if (result.written) {
    out('');
    out(
      `Next: ${def.reloadHint}${entry ? `, then check with: mcp-sentinel doctor --host ${options.host}` : ''}`,
    );
  }
  return 0;
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
    .option('--remove', 'take the entry out again')
    .action(async (options: InstallOptions) => {
      assertEntryName(options.name);
      setExitCode(await install(options));
    });
}
