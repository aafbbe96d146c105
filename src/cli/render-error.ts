/** Turns any error into the lines a person reads on stderr: what, where, every issue, and what to do. */
import { chalkStderr as chalk } from 'chalk';
import { SentinelError, describeError } from '../errors.js';
import { redact } from '../log.js';

export function renderError(error: unknown): string {
  if (!(error instanceof SentinelError)) {
    return redact(`${chalk.red('error')} ${describeError(error)}`);
  }
  const lines = [`${chalk.red('error')} ${error.message}`];
  if (error.file && !error.message.includes(error.file)) lines.push(`  in ${error.file}`);
  for (const issue of error.issues) {
    const where = issue.path ? chalk.bold(issue.path) + ': ' : '';
    lines.push(
      `  ${chalk.red('✖')} ${where}${issue.message}${issue.hint ? chalk.dim(` (${issue.hint})`) : ''}`,
    );
  }
  if (error.hint) lines.push(`  ${chalk.cyan('hint:')} ${error.hint}`);
  return redact(lines.join('\n'));
}

/**
 * Runs a one-shot command's action and exits as soon as its output is flushed. A keychain call that timed
 * out may still be pending in native code (until D-Bus gives up), and it must not keep a finished command
 * alive. Errors are reported as main's handler would (message on stderr, exit code 1 or 2).
 */
export async function runThenExit(action: () => Promise<number | void>): Promise<void> {
  let code: number;
  try {
    const result = await action();
    code = typeof result === 'number' ? result : typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    process.stderr.write(renderError(error) + '\n');
    code = error instanceof SentinelError ? error.exitCode : 1;
  }
  await Promise.all([
    new Promise<void>((done) => process.stdout.write('', () => done())),
    new Promise<void>((done) => process.stderr.write('', () => done())),
  ]);
  process.exit(code);
}
