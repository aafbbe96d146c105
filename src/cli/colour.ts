/**
 * NO_COLOR (https://no-color.org): chalk 5 honours FORCE_COLOR and the terminal, but not NO_COLOR, so the
 * commands that print in colour call this first. FORCE_COLOR, when set, wins.
 */
import chalk, { chalkStderr } from 'chalk';

export function honourNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NO_COLOR && env.FORCE_COLOR === undefined) {
    chalk.level = 0;
    chalkStderr.level = 0;
  }
}
