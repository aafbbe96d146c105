/**
 * A backend's traffic: requests in flight, resource subscriptions held, and the idle timer that stops a
 * backend after `idleTimeoutMs` without traffic (off when unset or 0). A backend is never stopped for
 * idleness while a request is in flight or the host holds a subscription on it (an idle stop would drop
 * the subscription).
 */
export class Activity {
  private inFlight = 0;
  private subscriptions = 0;
  private timer?: NodeJS.Timeout;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly idleTimeoutMs: () => number | undefined,
    private readonly onIdle: () => void,
  ) {}

  get busy(): boolean {
    return this.inFlight > 0;
  }

  get timeoutMs(): number | undefined {
    return this.idleTimeoutMs() || undefined;
  }

  /** Marks a request as started; the returned function marks it finished (once). */
  begin(): () => void {
    this.inFlight++;
    clearTimeout(this.timer);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      if (this.inFlight > 0) return;
      for (const wake of this.waiters.splice(0)) wake();
      this.arm();
    };
  }

  /** Counts the subscriptions a successful request took or gave back. */
  track(method: string): void {
    if (method === 'resources/subscribe') this.subscriptions++;
    else if (method === 'resources/unsubscribe') this.subscriptions = Math.max(0, this.subscriptions - 1);
  }

  /** (Re)starts the idle countdown, when there is one and nothing holds the backend. */
  arm(): void {
    clearTimeout(this.timer);
    const ms = this.timeoutMs;
    if (!ms || this.inFlight > 0 || this.subscriptions > 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight === 0 && this.subscriptions === 0) this.onIdle();
    }, ms);
    this.timer.unref();
  }

  /** Resolves when no request is in flight. */
  quiet(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.subscriptions = 0;
  }
}
