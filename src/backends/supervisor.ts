/**
 * The lifecycle of one backend as a state machine:
 *
 *   starting ──connect ok──▶ ready ──connection lost──▶ restarting ──delay──▶ (connect again)
 *      │                      │  ▲                          │
 *      └──connect failed──────┼──┼──────────────────────────┴──no restart left / permanent──▶ failed
 *                             │  └──────wake (first use)──── idle ◀──seed (manifest) / sleep (idle timeout)
 *   disabled (config)         └── stop() from any state ──▶ stopped
 *
 * Each attempt gets a generation: whatever an attempt finds out after a newer one began (a reload, a stop,
 * a renewal) is dropped, and its signal is aborted so that its connection closes. The restart strategy is
 * injected (restart-policy.ts): backoff in `serve`, NEVER_RESTART in `doctor`. The connection itself is
 * the hooks' business (backend.ts).
 */
import { SentinelError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RestartStrategy } from './restart-policy.js';
import type { BackendState } from './types.js';

/** One connection attempt: `current` until a newer attempt begins or the backend stops. */
export interface Attempt {
  readonly current: boolean;
  /** Aborted when the attempt is superseded: a connection being opened for it closes. */
  readonly signal: AbortSignal;
}

export interface SupervisorHooks {
  /** Connects for `attempt` (references, auth, session, lists); throws a SentinelError when it failed. */
  connect(attempt: Attempt): Promise<void>;
  /** Closes the current connection, if there is one. */
  disconnect(): Promise<void>;
  /** The state changed (or a connection became ready again). */
  changed(state: BackendState): void;
}

export class Supervisor {
  state: BackendState;
  error?: SentinelError;
  private generation = 0;
  private controller = new AbortController();
  private restartTimer?: NodeJS.Timeout;
  private firstAttempt?: Promise<void>;
  /** A start on first use (from `idle`) in progress: requests wait for it. */
  waking?: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly restarts: RestartStrategy,
    private readonly hooks: SupervisorHooks,
    private readonly log: Logger,
    disabled = false,
  ) {
    this.state = disabled ? 'disabled' : 'starting';
    if (disabled) {
      this.error = new SentinelError('BACKEND_DISABLED', `backend "${name}" is disabled in the config`, {
        hint: `remove "disabled": true from mcpServers.${name} to enable it`,
      });
    }
  }

  /** A new generation: every earlier attempt is no longer current. */
  begin(): Attempt {
    const generation = ++this.generation;
    this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const isCurrent = () => generation === this.generation && this.state !== 'stopped';
    return {
      get current() {
        return isCurrent();
      },
      signal: controller.signal,
    };
  }

  /** Starts connecting; resolves when the first attempt has succeeded or failed. Never rejects. */
  start(): Promise<void> {
    if (this.state === 'disabled') return Promise.resolve();
    this.firstAttempt ??= this.run();
    return this.firstAttempt;
  }

  /** Idle from the start (lists from a manifest, taken by `apply`): the first request starts it. */
  seed(apply: () => void): void {
    if (this.state !== 'starting' || this.firstAttempt) return;
    apply();
    this.firstAttempt = Promise.resolve();
    this.setState('idle');
  }

  /** Starts an idle backend (single-flight); resolves when the attempt has succeeded or failed. */
  wake(): Promise<void> {
    if (this.waking) return this.waking;
    if (this.state !== 'idle') return Promise.resolve();
    this.log.debug('starting on first use');
    this.state = 'starting';
    this.waking = this.run().finally(() => {
      this.waking = undefined;
    });
    return this.waking;
  }

  /** The idle stop after `idleMs` without traffic: the connection goes, the next request starts it again. */
  async sleep(idleMs?: number): Promise<void> {
    if (this.state !== 'ready') return;
    this.log.info(`stopping after ${idleMs} ms without traffic; it starts again on the next request`);
    this.begin();
    clearTimeout(this.restartTimer);
    const dropped = this.hooks.disconnect();
    this.setState('idle');
    await dropped;
  }

  /** Connects again after a permanent failure the user has since fixed (a sign-in). Never rejects. */
  reconnect(): Promise<void> {
    if (this.state !== 'failed') return Promise.resolve();
    this.setState('starting');
    return this.run();
  }

  /** A ready connection ended, or a renewal failed: restart per the strategy, or fail. */
  lost(failure: SentinelError): void {
    this.fail(failure);
  }

  /** Stops for good: no attempt after this is current, no restart is pending. */
  stop(): void {
    this.begin();
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
  }

  private async run(): Promise<void> {
    const attempt = this.begin();
    try {
      await this.hooks.connect(attempt);
      if (!attempt.current) return;
      this.error = undefined;
      this.setState('ready');
    } catch (error) {
      if (!attempt.current) return;
      const failure =
        error instanceof SentinelError
          ? error
          : new SentinelError(
              'BACKEND_CONNECT',
              `backend "${this.name}" could not connect: ${describeError(error)}`,
            );
      await this.hooks.disconnect();
      if (!attempt.current) return;
      this.fail(failure);
    }
  }

  private fail(failure: SentinelError): void {
    if (this.state === 'stopped') return;
    this.error = failure;
    const delay = failure.permanent ? undefined : this.restarts.next();
    if (delay === undefined) {
      const limit = failure.permanent ? undefined : this.restarts.limitDescription();
      if (limit) {
        this.error = new SentinelError(
          'BACKEND_FAILED',
          `backend "${this.name}" gave up after ${limit}: ${failure.message}`,
          { hint: 'fix the cause, then restart the host (or run `mcp-sentinel doctor`)', backend: this.name },
        );
      }
      this.log.error(describeError(this.error));
      this.setState('failed');
      return;
    }
    this.log.warn(`${describeError(failure)}; retrying in ${Math.round(delay)} ms`);
    clearTimeout(this.restartTimer);
    this.setState('restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.run();
    }, delay);
    this.restartTimer.unref();
  }

  private setState(next: BackendState): void {
    const changed = next !== this.state;
    this.state = next;
    if (changed || next === 'ready') this.hooks.changed(next);
  }
}
