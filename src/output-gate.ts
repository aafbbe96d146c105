/**
 * Whether the host is keeping up with what we write to it: the one signal of backpressure from the host
 * toward the backends. The host transport closes the gate when too much is queued for the host's stdout and
 * opens it again once the host has read it; whatever reads from backends (a stdio backend's stdout, a remote
 * backend's response bodies) stops reading while the gate is closed. A slow host then slows the backends
 * (their pipes and TCP windows fill) instead of filling our memory.
 *
 * Process-wide, like the redactor in log.ts: there is one host per process.
 */
type Listener = (open: boolean) => void;

export class OutputGate {
  private closed = false;
  private readonly listeners = new Set<Listener>();
  private waiters: (() => void)[] = [];

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.listeners) listener(false);
  }

  open(): void {
    if (!this.closed) return;
    this.closed = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    for (const listener of this.listeners) listener(true);
  }

  /** Resolves when the gate is open; undefined (nothing to await) when it already is. */
  whenOpen(): Promise<void> | undefined {
    if (!this.closed) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Calls `listener` on every change; returns the function that unsubscribes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const hostOutput = new OutputGate();
