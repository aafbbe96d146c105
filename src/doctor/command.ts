/**
 * Whether a stdio backend's command will be found when a desktop host starts mcp-sentinel. Hosts started
 * from the Dock, Finder or a desktop launcher get the system's short PATH, not the one a login shell builds
 * from ~/.zshrc or ~/.bashrc (nvm, Homebrew on Apple silicon, ~/.local/bin), so `npx` that works in the
 * terminal is "not found" in the host. The fix is an absolute path, which this check suggests.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { NamedCheck } from './report.js';

/** PATH as launchd (macOS) or a minimal desktop session (Linux) hands it to GUI apps. */
export function desktopPath(platform: NodeJS.Platform, current: string): string {
  if (platform === 'darwin') return '/usr/bin:/bin:/usr/sbin:/sbin';
  if (platform === 'win32') return current; // GUI apps get the user's full PATH on Windows
  return '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (process.platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path `command` resolves to on `pathValue`, or undefined. */
export async function whichOn(
  command: string,
  pathValue: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const extensions =
    process.platform === 'win32'
      ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
      : [''];
  for (const dir of pathValue.split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = join(dir, command + ext);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Asks the user's interactive login shell where `command` is (`command -v`), with a deadline. Only called
 * for plain names, which are passed as an argument, never interpolated into the script.
 */
export function whichInLoginShell(
  command: string,
  env: Record<string, string | undefined>,
  timeoutMs = 3_000,
): Promise<string | undefined> {
  const shell = env.SHELL;
  if (process.platform === 'win32' || !shell || !isAbsolute(shell)) return Promise.resolve(undefined);
  return new Promise((done) => {
    let output = '';
    const child = spawn(shell, ['-ilc', 'command -v -- "$1"', 'sh', command], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
      env: env as NodeJS.ProcessEnv,
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      kill();
      done(undefined);
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', () => {
      clearTimeout(timer);
      done(undefined);
    });
    child.on('close', () => {
      clearTimeout(timer);
      kill(); // anything the profile started in the background
      const found = output
        .split('\n')
        .map((line) => line.trim())
        .reverse()
        .find((line) => isAbsolute(line));
      done(found);
    });
  });
}

export interface CommandCheckInput {
  /** The command with references resolved. */
  command: string;
  /** Working directory of the backend, for relative paths. */
  cwd?: string;
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

export async function checkCommand(input: CommandCheckInput): Promise<NamedCheck> {
  const { command, env } = input;
  const platform = input.platform ?? process.platform;
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    const path = resolve(input.cwd ?? process.cwd(), command);
    if (await isExecutableFile(path))
      return { id: 'command', status: 'ok', reason: `${path} exists and is executable` };
    return {
      id: 'command',
      status: 'fail',
      reason: `command ${path} does not exist or is not executable`,
      hint: 'fix the path in "command"',
    };
  }
  const current = env.PATH ?? '';
  const atDesktop = await whichOn(command, desktopPath(platform, current), env);
  if (atDesktop) return { id: 'command', status: 'ok', reason: `"${command}" is ${atDesktop}` };
  const hint = (found: string) => `use the absolute path: "command": ${JSON.stringify(found)}`;
  const inPath = await whichOn(command, current, env);
  if (inPath) {
    return {
      id: 'command',
      status: 'warn',
      reason: `"${command}" is ${inPath}, on this shell's PATH but not on the shorter PATH desktop hosts get`,
      hint: hint(inPath),
    };
  }
  const inProfile = /^[A-Za-z0-9._+-]+$/.test(command) ? await whichInLoginShell(command, env) : undefined;
  if (inProfile) {
    return {
      id: 'command',
      status: 'warn',
      reason: `"${command}" is found only through your shell profile (${inProfile}); hosts do not read it`,
      hint: hint(inProfile),
    };
  }
  return {
    id: 'command',
    status: 'fail',
    reason: `command "${command}" was not found on PATH`,
    hint: `install it, or write its absolute path in "command" (find it with: command -v ${command})`,
  };
}
