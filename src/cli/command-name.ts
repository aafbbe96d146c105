/**
 * The first word of the command line when it names no command. `serve` is the default command, so without
 * this check a typo (`doctr`, `serv`) would start the server with an extra argument and fail with "too many
 * arguments for 'serve'"; instead it is a usage error with the closest command. `-V` is `--version`.
 */
import { closestMatch } from '../config/suggest.js';
import { SentinelError } from '../errors.js';

/** The arguments with `-V` read as `--version` (commander takes one short flag per option). */
export function normaliseArgs(args: string[]): string[] {
  return args[0] === '-V' ? ['--version', ...args.slice(1)] : args;
}

/** Throws a USAGE error when `args` starts with a word that is not one of `commands`. */
export function assertKnownCommand(args: string[], commands: string[]): void {
  const first = args[0];
  if (first === undefined || first.startsWith('-') || commands.includes(first)) return;
  if (first === 'version') {
    throw new SentinelError('USAGE', `unknown command "version"`, { hint: 'did you mean --version?' });
  }
  const suggestion = closestMatch(first, commands);
  throw new SentinelError('USAGE', `unknown command "${first}"`, {
    hint: suggestion
      ? `did you mean "${suggestion}"? (run mcp-sentinel --help for every command)`
      : `commands: ${commands.join(', ')}`,
  });
}
