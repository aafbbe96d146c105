/**
 * Renewing a remote backend's session in place (single-flight): the old connection goes, a new one is
 * opened (a new transport, `initialize`, fresh lists), and the backend stays `ready` with its tools listed
 * meanwhile. Requests cut off by the renewal are sent again when the server forgot the session (they never
 * ran); if the renewal fails, the backend goes through its restart strategy. Renewals closer together than
 * RENEW_INTERVAL_MS fail at once, so a server that drops every session right away cannot make us loop.
 */
import { SentinelError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connection } from './connection/connection.js';
import type { Attempt } from './supervisor.js';

const RENEW_INTERVAL_MS = 5_000;

export interface RenewalHooks {
  name: string;
  log: Logger;
  /** The current connection of a ready backend, or undefined. */
  current(): Connection | undefined;
  /** A new generation for the renewal (supervisor.ts). */
  begin(): Attempt;
  /** Opens a connection with its lists and makes it current; undefined when superseded meanwhile. */
  open(attempt: Attempt): Promise<Connection | undefined>;
  /** Ends the old connection's requests (`resend`: send them again on the new one) and closes it. */
  retire(connection: Connection, why: string, resend: boolean): void;
  /** The new lists are in: the catalog must be rebuilt. */
  renewed(): void;
  /** The renewal failed while the backend was still ready. */
  fail(failure: SentinelError): Promise<void>;
  /** Whether the backend is still ready (for a failure to count). */
  ready(): boolean;
}

export class Renewal {
  private renewing?: Promise<void>;
  private lastRenewAt = 0;

  constructor(private readonly hooks: RenewalHooks) {}

  get busy(): boolean {
    return this.renewing !== undefined;
  }

  /** Resolves when no renewal is in progress. */
  settled(): Promise<void> {
    return this.renewing ?? Promise.resolve();
  }

  /**
   * Renews when `stale` is still the current connection; otherwise joins the renewal in progress, if any.
   * `expired`: the server no longer knows the session.
   */
  renew(stale: Connection | undefined, why: string, expired: boolean): Promise<void> {
    if (this.renewing) return this.renewing;
    if (!stale || stale !== this.hooks.current()) return Promise.resolve();
    if (expired) this.hooks.log.info('the server no longer knows our session; initializing a new one');
    const attempt = this.hooks.begin();
    const tooSoon = Date.now() - this.lastRenewAt < RENEW_INTERVAL_MS;
    this.lastRenewAt = Date.now();
    const run = async () => {
      this.hooks.retire(stale, why, expired);
      if (tooSoon)
        throw new SentinelError(
          'BACKEND_DOWN',
          `backend "${this.hooks.name}" ${why} again right after reconnecting`,
        );
      const connection = await this.hooks.open(attempt);
      if (!connection) return;
      this.hooks.renewed();
      this.hooks.log.info(`reconnected (${why})`);
    };
    // Started a microtask later, once `renewing` is set: the requests it cuts off join this renewal.
    this.renewing = Promise.resolve()
      .then(run)
      .catch(async (error: unknown) => {
        if (!attempt.current || !this.hooks.ready()) return;
        const failure =
          error instanceof SentinelError
            ? error
            : new SentinelError(
                'BACKEND_DOWN',
                `backend "${this.hooks.name}" ${why}: ${describeError(error)}`,
              );
        await this.hooks.fail(failure);
      })
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }
}
