/**
 * Opening a sign-in URL for the user: the command in $BROWSER when set (the convention of gh, git and
 * Python's webbrowser: `%s` is replaced by the URL, else the URL is the last argument; several commands may
 * be separated by `:`, the first is used), else the OS opener (`open`, `xdg-open`, `start`). No shell is
 * involved, so nothing in the URL can become a command. Resolves once the opener has been started.
 */
import { spawn } from 'node:child_process';

export function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): { command: string; args: string[] } {
  const configured = env.BROWSER?.split(platform === 'win32' ? ';' : ':')[0]?.trim();
  if (configured) {
    const parts = configured.split(/\s+/);
    const args = parts.slice(1);
    const withUrl = args.some((a) => a.includes('%s'))
      ? args.map((a) => a.replace('%s', url))
      : [...args, url];
    return { command: parts[0] as string, args: withUrl };
  }
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  return { command: 'xdg-open', args: [url] };
}

/** Starts the browser; false when no opener could be started (the caller has printed the URL anyway). */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const { command, args } = browserCommand(url, env);
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { stdio: 'ignore', detached: process.platform !== 'win32' });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
