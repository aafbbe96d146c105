/**
 * A stdio child spawned ahead of its backend. serve's warm start (cli/warm-start.ts) spawns the backend a
 * tool call is for the moment the call arrives, while the SDK and the backend layer are still loading; the
 * backend's first connection (connection/stdio.ts) takes that child instead of spawning its own, so the
 * child's start and the layers' load overlap. A child is taken only for the same launch spec (command,
 * arguments, directory, environment); one that no longer matches, or is not taken in time, is closed.
 */
import type { ChildStdioTransport } from './stdio-transport.js';

interface Offered {
  transport: ChildStdioTransport;
  spec: string;
  timer: NodeJS.Timeout;
}

const offered = new Map<string, Offered>();
/** Set once serve shuts down: a child offered after that (its secrets were still being read) never starts. */
let closed = false;
/** How long a spawned child waits for its backend; the full server loads well within this. */
const UNCLAIMED_MS = 15_000;

/** What a child was started with, as compared between the offer and the take. */
export function launchSpec(
  server: { command: string; args?: string[]; cwd?: string },
  env: Record<string, string>,
): string {
  return JSON.stringify([server.command, server.args ?? [], server.cwd ?? null, env]);
}

/** Starts `transport` now and keeps it for backend `name`; its later `start()` reports this start. */
export function offerChild(name: string, transport: ChildStdioTransport, spec: string): void {
  if (closed || offered.has(name)) return;
  const started = transport.start();
  started.catch(() => undefined); // reported to the connection that takes it
  transport.start = () => started;
  const timer = setTimeout(() => {
    if (offered.get(name)?.transport !== transport) return;
    offered.delete(name);
    void transport.close();
  }, UNCLAIMED_MS);
  timer.unref();
  offered.set(name, { transport, spec, timer });
}

/** The child offered for backend `name` with this launch spec, if any (taken once). */
export function takeChild(name: string, spec: string): ChildStdioTransport | undefined {
  const entry = offered.get(name);
  if (!entry) return undefined;
  offered.delete(name);
  clearTimeout(entry.timer);
  if (entry.spec === spec) return entry.transport;
  void entry.transport.close();
  return undefined;
}

/** Closes every child not taken (serve is shutting down). */
export async function closeOffered(): Promise<void> {
  closed = true;
  const entries = [...offered.values()];
  offered.clear();
  await Promise.all(entries.map(({ transport, timer }) => (clearTimeout(timer), transport.close())));
}
