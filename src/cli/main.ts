/**
 * The process entry: runs the program and turns every failure into a message on stderr and an exit code
 * (0 ok, 1 operational failure, 2 usage or config error). The only place that decides how we exit.
 */
import { Console } from 'node:console';
import { CommanderError } from 'commander';
import { SentinelError } from '../errors.js';
import { assertKnownCommand, normaliseArgs } from './command-name.js';
import { createProgram } from './program.js';
import { renderError } from './render-error.js';

/** True when the arguments run `serve` (named, or as the default command) rather than help or another command. */
function isServeInvocation(args: string[]): boolean {
  const first = args[0];
  if (first === undefined || first === 'serve') return !args.some((a) => a === '-h' || a === '--help');
  return first.startsWith('-') && !['-h', '--help', '-v', '-V', '--version'].includes(first);
}

async function main(): Promise<void> {
  let exitCode = 0;
  const args = normaliseArgs(process.argv.slice(2));
  const serving = isServeInvocation(args);
  // In serve, stdout carries JSON-RPC only: every console method of every module loaded from here on
  // (console.log, dir, table, ...) writes to stderr.
  if (serving) globalThis.console = new Console(process.stderr, process.stderr);
  const program = await createProgram(
    (code) => {
      exitCode = code;
    },
    { serveOnly: serving },
  );
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    if (!serving) assertKnownCommand(args, [...program.commands.map((c) => c.name()), 'help']);
    await program.parseAsync(args, { from: 'user' });
    if (exitCode !== 0) process.exitCode = exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(renderError(error) + '\n');
    process.exitCode = error instanceof SentinelError ? error.exitCode : 1;
  }
}

// Not awaited at the top level: bin/ runs this module bundled as CommonJS (scripts/bundle.mjs), which has no
// top-level await. A failure before the command runs (loading the program) is rendered like any other.
main().catch((error: unknown) => {
  process.stderr.write(renderError(error) + '\n');
  process.exitCode = 1;
});
