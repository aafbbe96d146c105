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
