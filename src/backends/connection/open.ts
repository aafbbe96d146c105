/**
 * Opens the connection a resolved entry calls for (stdio.ts or remote.ts), with the startup bound of this
 * attempt, and keeps track of connections being closed: a process tree may take seconds to go, and a
 * backend's stop() must wait for every one of them.
 */
import { isStdioServer, type ResolvedServerConfig, type ServerConfig } from '../../config/types.js';
import { startTimeoutMs } from '../package-runner.js';
import type { BackendAuth, BackendDeps } from '../types.js';
import type { Connection, ConnectContext } from './connection.js';
import { openRemote } from './remote.js';
import { openStdio } from './stdio.js';

export interface OpenContext extends ConnectContext {
  /** No session was opened yet: a package runner's first start may download (package-runner.ts). */
  firstStart: boolean;
}

export function openConnection(server: ServerConfig, context: OpenContext): Promise<Connection> {
  if (!isStdioServer(server)) return openRemote(server, context);
  const bound = startTimeoutMs(context.startupTimeoutMs, server.command, server.args, !context.firstStart);
  return openStdio(server, { ...context, startupTimeoutMs: bound });
}

/** The auth strategy of a remote entry (a stdio one has none). */
export function prepareAuth(
  name: string,
  server: ResolvedServerConfig,
  deps: BackendDeps,
): BackendAuth | undefined {
  return isStdioServer(server) ? undefined : deps.createAuth(name, server);
}

/** Closes in progress, until each has finished (failed ones too). */
export class Closing {
  private readonly pending = new Set<Promise<void>>();

  track(closed: Promise<unknown> | undefined): Promise<void> {
    if (!closed) return Promise.resolve();
    const settled = closed.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
    return settled;
  }

  /** Resolves when every close tracked so far, and every one tracked meanwhile, has finished. */
  async all(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
