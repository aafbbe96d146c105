/**
 * `mcp-sentinel doctor`: runs the checks of src/doctor and renders the report: one screen for people
 * (colour and live progress on a terminal, plain text when piped), or with `--json` the report itself on
 * stdout. Exit code 0 when nothing failed, 1 when something did, 2 when the config cannot be used.
 */
import { honourNoColor } from '../colour.js';
import chalk, { chalkStderr } from 'chalk';
import { InvalidArgumentError, type Command } from 'commander';
import yoctoSpinner from 'yocto-spinner';
import { redact, setLogLevel } from '../../log.js';
import { runThenExit } from '../render-error.js';
import type { DoctorReport } from '../../doctor/index.js';
import { checkHostDuplicates } from '../../install/host-duplicates.js';
import type { Check, Status } from '../../doctor/report.js';
import { HOST_IDS, type HostId } from '../../hosts.js';
import { describeSurface } from '../../aggregator/surface/summary.js';
import { DEFAULT_ENTRY_NAME, assertEntryName } from '../../install/install.js';

export interface DoctorCliOptions {
  config?: string;
  dotenv?: string;
  json?: boolean;
  host?: HostId[];
  name: string;
  timeout?: number;
}

const MARK: Record<Status, string> = { ok: '✔', warn: '!', fail: '✖', skip: '-' };

function mark(status: Status): string {
  const text = MARK[status];
  return status === 'ok'
    ? chalk.green(text)
    : status === 'warn'
      ? chalk.yellow(text)
      : status === 'fail'
        ? chalk.red(text)
        : chalk.dim(text);
}

function hintLine(check: Check, indent: string): string[] {
  return check.hint && check.status !== 'ok' && check.status !== 'skip'
    ? [`${indent}${chalk.cyan('→')} ${check.hint}`]
    : [];
}

function heading(text: string): string {
  return chalk.bold(text);
}

export function renderReport(report: DoctorReport): string {
  const lines = [
    ...configLines(report),
    ...referenceLines(report),
    ...backendLines(report),
    ...hostLines(report),
    ...summaryLines(report),
  ];
  return redact(lines.join('\n'));
}

function configLines(report: DoctorReport): string[] {
  const lines: string[] = [];
  const { config } = report;
  lines.push(heading('Config'));
  lines.push(`  ${mark(config.status)} ${config.reason}`);
  for (const issue of config.issues) {
    lines.push(
      `      ${chalk.red('✖')} ${issue.path ? chalk.bold(issue.path) + ': ' : ''}${issue.message}${issue.hint ? chalk.dim(` (${issue.hint})`) : ''}`,
    );
  }
  lines.push(...hintLine(config, '    '));
  if (config.credentials.status !== 'skip') {
    lines.push(`  ${mark(config.credentials.status)} ${config.credentials.reason}`);
    lines.push(...hintLine(config.credentials, '    '));
  }
  if (report.keychain.status !== 'skip') {
    lines.push('', heading('Keychain'));
    lines.push(`  ${mark(report.keychain.status)} ${report.keychain.reason}`);
    lines.push(...hintLine(report.keychain, '    '));
  }
  return lines;
}

function referenceLines(report: DoctorReport): string[] {
  if (report.references.length === 0) return [];
  const lines = ['', heading('References')];
  const width = Math.max(...report.references.map((r) => r.server.length));
  for (const ref of report.references) {
    const what =
      ref.kind === 'secret' ? `secret:${ref.name}` : ref.kind === 'env' ? `$${ref.name}` : ref.path;
    lines.push(
      `  ${mark(ref.status)} ${chalk.cyan(ref.server.padEnd(width))}  ${what}  ${chalk.dim(ref.reason)}`,
    );
    lines.push(...hintLine(ref, `    ${' '.repeat(width)}  `));
  }
  return lines;
}

function backendLines(report: DoctorReport): string[] {
  if (report.backends.length === 0) return [];
  const lines = ['', heading('Backends')];
  const width = Math.max(...report.backends.map((b) => b.name.length));
  for (const backend of report.backends) {
    const time = backend.ms !== undefined ? chalk.dim(` ${backend.ms} ms`) : '';
    lines.push(
      `  ${mark(backend.status)} ${chalk.cyan(backend.name.padEnd(width))}  ${chalk.dim(backend.transport)}${time}  ${backend.reason}`,
    );
    const pad = `    ${' '.repeat(width)}  `;
    for (const check of backend.checks) {
      if (check.status === 'ok' && check.id !== 'auth') continue;
      if (check.reason === backend.reason) continue;
      lines.push(`${pad}${mark(check.status)} ${check.id}: ${check.reason}`);
    }
    if (backend.cache) lines.push(`${pad}${chalk.dim('·')} cache: ${backend.cache.reason}`);
    lines.push(...hintLine(backend, pad));
  }
  return lines;
}

function hostLines(report: DoctorReport): string[] {
  if (report.hosts.length === 0) return [];
  const lines = ['', heading('Hosts')];
  const width = Math.max(...report.hosts.map((h) => h.host.length));
  for (const host of report.hosts) {
    const problems = host.checks.filter((c) => c.status !== 'ok');
    const surface = host.surface
      ? [`    ${' '.repeat(width)}  ${chalk.dim(describeSurface(host.surface))}`]
      : [];
    if (problems.length === 0) {
      lines.push(`  ${mark(host.status)} ${chalk.cyan(host.host.padEnd(width))}  ${host.reason}`, ...surface);
      continue;
    }
    lines.push(`  ${mark(host.status)} ${chalk.cyan(host.host.padEnd(width))}  ${problems[0]!.reason}`);
    const pad = `    ${' '.repeat(width)}  `;
    lines.push(...hintLine(problems[0]!, pad));
    for (const check of problems.slice(1)) {
      lines.push(`${pad}${mark(check.status)} ${check.reason}`);
      lines.push(...hintLine(check, pad));
    }
    lines.push(...surface);
  }
  return lines;
}

function summaryLines({ summary }: DoctorReport): string[] {
  const parts = [
    `${summary.ok} ok`,
    `${summary.warn} warning${summary.warn === 1 ? '' : 's'}`,
    `${summary.fail} failed`,
  ];
  if (summary.skip) parts.push(`${summary.skip} skipped`);
  const colour =
    summary.status === 'fail' ? chalk.red : summary.status === 'warn' ? chalk.yellow : chalk.green;
  return ['', colour(parts.join(', '))];
}

/** Live progress on a terminal: one spinner line on stderr that names the backends still starting. */
function createProgress(enabled: boolean) {
  if (!enabled) return { start: () => undefined, settled: () => undefined, stop: () => undefined };
  const spinner = yoctoSpinner({ stream: process.stderr });
  const pending: string[] = [];
  let total = 0;
  const text = () =>
    `checking ${total} backend${total === 1 ? '' : 's'}: ${total - pending.length} done${pending.length ? `, waiting for ${pending.slice(0, 4).join(', ')}${pending.length > 4 ? '…' : ''}` : ''}`;
  return {
    start(names: string[]) {
      pending.push(...names);
      total = names.length;
      spinner.start(text());
    },
    settled(name: string, ok: boolean) {
      const index = pending.indexOf(name);
      if (index !== -1) pending.splice(index, 1);
      spinner.stop(`${ok ? chalkStderr.green('✔') : chalkStderr.red('✖')} ${name}`).start(text());
      spinner.text = text();
    },
    stop() {
      spinner.stop();
    },
  };
}

export async function doctor(servers: string[], options: DoctorCliOptions): Promise<number> {
  honourNoColor();
  setLogLevel('error');
  const progress = createProgress(!options.json && process.stderr.isTTY === true);
  let report: DoctorReport;
  // Loaded here, not with the command: it brings the aggregator and every transport, which the other
  // commands (all registered on each start) do not need.
  const { runDoctor } = await import('../../doctor/index.js');
  try {
    report = await runDoctor({
      config: options.config,
      envFile: options.dotenv,
      hosts: options.host && options.host.length > 0 ? options.host : [...HOST_IDS],
      servers,
      serverKey: options.name,
      timeoutMs: options.timeout,
      hostFileCheck: (host, configServers) => checkHostDuplicates(host, configServers, process.env),
      onBackendsStarting: (names) => progress.start(names),
      onBackendSettled: (name, ok) => progress.settled(name, ok),
    });
  } finally {
    progress.stop();
  }
  process.stdout.write(
    (options.json ? redact(JSON.stringify(report, null, 2)) : renderReport(report)) + '\n',
  );
  return report.summary.exitCode;
}

function collectHosts(value: string, previous: HostId[] = []): HostId[] {
  const hosts = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const host of hosts) {
    if (!(HOST_IDS as readonly string[]).includes(host)) {
      throw new InvalidArgumentError(`unknown host "${host}"; hosts: ${HOST_IDS.join(', ')}`);
    }
  }
  return [...previous, ...(hosts as HostId[])];
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000)
    throw new InvalidArgumentError('expected milliseconds between 100 and 600000');
  return ms;
}

export function registerDoctorCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('doctor')
    .description('check the config, references, keychain, every backend and the host limits, in one screen')
    .argument('[server...]', 'check only these servers')
    .option('-c, --config <path>', 'config file (default: search, then the global config)')
    .option('--dotenv <path>', 'extra .env file for $VAR references')
    .option('--json', 'print the report as JSON on stdout')
    .option(
      '--host <name>',
      `check the catalog against this host (repeatable; ${HOST_IDS.join(', ')}; default: all)`,
      collectHosts,
    )
    .option(
      '--name <key>',
      "the sentinel's server key in the host config (as given to install --name)",
      DEFAULT_ENTRY_NAME,
    )
    .option(
      '--timeout <ms>',
      'startup timeout per backend (default: settings.startupTimeoutMs, 10000)',
      parseTimeout,
    )
    .action(async (servers: string[], options: DoctorCliOptions) => {
      // Exits once the report is out: neither a backend's socket nor a keychain call still pending in
      // native code (after a timeout) may keep the process alive.
      await runThenExit(async () => {
        assertEntryName(options.name);
        const code = await doctor(servers, options);
        setExitCode(code);
        return code;
      });
    });
}
