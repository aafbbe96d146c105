/**
 * Commands that download a package before running it (`npx -y`, `uvx`, `pipx run`, `bunx`, `pnpm dlx`,
 * `yarn dlx`): their first start can take longer than any sensible startup timeout, and killing them
 * mid-download on every retry means they never start. Until a backend has started once, such a command gets
 * a longer first start (FIRST_START_MS, or the configured timeout when that is longer).
 */
export const FIRST_START_MS = 120_000;

const RUNNERS = /^(?:npx|uvx|bunx|pipx|pnpx)$/;

/** The runner's name when `command args` downloads a package first, else undefined. */
export function packageRunner(command: string, args: readonly string[] = []): string | undefined {
  // Either separator: a Windows path is read on any platform.
  const name = (command.split(/[\\/]/).at(-1) ?? command).replace(/\.(?:cmd|exe|bat)$/i, '').toLowerCase();
  if (RUNNERS.test(name)) return name === 'pipx' && args[0] !== 'run' ? undefined : name;
  if ((name === 'pnpm' || name === 'yarn') && args[0] === 'dlx') return `${name} dlx`;
  if (name === 'npm' && (args[0] === 'exec' || args[0] === 'x')) return 'npm exec';
  return undefined;
}

/** How long a start may take: longer for a package runner that has not started yet. */
export function startTimeoutMs(
  startupTimeoutMs: number,
  command: string | undefined,
  args: readonly string[] | undefined,
  startedBefore: boolean,
): number {
  if (startedBefore || command === undefined || !packageRunner(command, args)) return startupTimeoutMs;
  return Math.max(startupTimeoutMs, FIRST_START_MS);
}
