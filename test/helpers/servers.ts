/**
 * Real backend servers on 127.0.0.1 for tests: server-everything in its SSE and Streamable HTTP modes, and
 * the project's own fixture server. Each runs in its own process group and is killed with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { EVERYTHING, fixture, fixtureServerArgs } from './paths.js';

/** An in-process HTTP server listening on 127.0.0.1, closed with every connection it still has open. */
export interface LoopbackListener {
  port: number;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1; `close` also ends the connections a test left hanging. */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  stderr(): string;
  close(): Promise<void>;
}

export async function startHttpServer(
  args: string[],
  env: Record<string, string>,
  path: string,
): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', fixture('loopback.mjs'), ...args], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      // Take its process group down first, so a server that never came up is not left running.
      timedOut = true;
      void killGroup(child).then(() => reject(new Error(`server did not start within 15 s: ${stderr}`)));
    }, 15_000);
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /LISTENING (\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!timedOut) reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    process: child,
    stderr: () => stderr,
    close: () => killGroup(child),
  };
}

/**
 * A config entry for the fixture server over stdio, named `name` (its results and resources say so).
 * `env` sets its switches (see test/fixtures/fixture-server.mjs); `extra` adds config keys such as timeoutMs.
 */
export function fixtureServer(
  name: string,
  env: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    command: process.execPath,
    args: fixtureServerArgs(),
    env: { FIXTURE_NAME: name, ...env },
    ...extra,
  };
}

export function startEverything(mode: 'sse' | 'streamableHttp'): Promise<RunningServer> {
  return startHttpServer([EVERYTHING, mode], {}, mode === 'sse' ? '/sse' : '/mcp');
}

export async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }, 2_000);
  await exited;
  clearTimeout(timer);
}
