/**
 * One backend, as the rest of mcp-sentinel sees it: its state, what it offers, and the requests forwarded
 * to it. The parts are modules of their own: the lifecycle (supervisor.ts, with the injected restart
 * strategy), the connection per transport (connection/), the SDK client side (session.ts), the lists
 * (lists.ts), the one forwarder (forwarder/), the error model (errors.ts) and remote session renewal
 * (renewal.ts). This class connects them.
 *
 * It never throws out of `start()`: a backend that cannot start ends in state `failed` with a
 * SentinelError that says why, and everything else keeps working.
 */
import { EventEmitter } from 'node:events';
import type { Implementation, ServerCapabilities } from '@modelcontextprotocol/client';
import { SentinelError, describeError } from '../errors.js';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { Activity } from './activity.js';
import { identityOf, type Connection } from './connection/connection.js';
import { Closing, openConnection, prepareAuth } from './connection/open.js';
import { startFailure, unavailable } from './errors.js';
import { Forwarder, type ForwardCall, type ForwardOptions } from './forwarder/forwarder.js';
import type { ListHints } from './cache-hints.js';
import { ListState } from './lists.js';
import { eraOf } from './modern-session.js';
import type { Manifest } from './manifest/store.js';
import { Renewal } from './renewal.js';
import { outsideRequests } from './request-scope.js';
import { RestartPolicy } from './restart-policy.js';
import type { SessionEvents } from './session.js';
import { Supervisor, type Attempt } from './supervisor.js';
import type { BackendAuth, BackendDeps, BackendEvents } from './types.js';
import type { BackendLists, BackendState, ListKind } from './types.js';

export type { BackendLists, ListKind } from './types.js';
export type { ForwardCall, ForwardOptions, ForwardOutcome } from './forwarder/forwarder.js';

export class Backend extends EventEmitter<BackendEvents> {
  serverInfo?: Implementation;
  serverCapabilities?: ServerCapabilities;
  protocolVersion?: string;
  /** The era of the last session (or the cached manifest), so that a 2025-era child is not asked again. */
  private knownEra?: 'modern' | 'legacy';
  /** The server's `instructions` from its last `initialize` answer. */
  instructions?: string;
  /** Sessions opened so far: a new number means a new session, which knows nothing of earlier ones. */
  sessions = 0;
  /** Milliseconds the last successful connect took, from spawn to lists. */
  connectMs?: number;

  private readonly supervisor: Supervisor;
  private readonly listState: ListState;
  private readonly forwarder: Forwarder;
  private readonly renewal: Renewal;
  /** Requests in flight and the idle timer (idleTimeoutMs). */
  private readonly activity: Activity;
  private readonly log: Logger;
  private connection?: Connection;
  private auth?: BackendAuth;
  /** The entry with references resolved, kept for renewing a remote session in place. */
  private resolved?: ServerConfig;
  /** Connections being closed (their process trees may take seconds): stop() waits for every one. */
  private readonly closing = new Closing();

  constructor(
    readonly name: string,
    readonly config: ServerConfig,
    private readonly deps: BackendDeps,
  ) {
    super();
    this.log = deps.log.child(name);
    this.listState = new ListState(
      () => deps.settings.startupTimeoutMs,
      this.log,
      () => (this.state === 'ready' ? this.connection?.session : undefined),
      () => this.emit('change'),
    );
    this.activity = new Activity(
      () => this.config.idleTimeoutMs ?? deps.settings.idleTimeoutMs,
      // The idle stop: the connection goes, the lists stay exported, the next request starts it again.
      () => void (this.activity.busy || this.supervisor.sleep(this.activity.timeoutMs)),
    );
    const restarts = deps.restartStrategy?.() ?? new RestartPolicy(deps.settings.restart);
    const hooks = {
      connect: (attempt: Attempt) => this.connect(attempt),
      disconnect: () => this.dropConnection(),
      changed: (state: BackendState) => this.onState(state),
    };
    this.supervisor = new Supervisor(name, restarts, hooks, this.log, config.disabled === true);
    this.forwarder = new Forwarder({
      backend: name,
      channel: () => this.connection?.channel,
      renew: (stale) =>
        this.renewal.renew(
          this.connection?.channel === stale ? this.connection : undefined,
          'session expired',
          true,
        ),
    });
    this.renewal = new Renewal({
      name,
      log: this.log,
      current: () => (this.state === 'ready' ? this.connection : undefined),
      begin: () => this.supervisor.begin(),
      open: (attempt) => this.open(attempt),
      retire: (connection, why, resend) => this.retire(connection, why, resend),
      renewed: () => this.emit('change'),
      ready: () => this.state === 'ready',
      fail: async (failure) => {
        await this.dropConnection();
        this.supervisor.lost(failure);
      },
    });
  }

  get state(): BackendState {
    return this.supervisor.state;
  }

  get error(): SentinelError | undefined {
    return this.supervisor.error;
  }

  get lists(): BackendLists {
    return this.listState.lists;
  }

  /**
   * The lists of the last connection that got them, kept while the backend restarts or has failed: the
   * catalog reserves their public names, so that no other backend takes them meanwhile.
   */
  get lastLists(): BackendLists | undefined {
    return this.listState.lastLists;
  }

  /** Renewed whenever a kind's last lists change in content: a cheap way to tell that the catalog changed. */
  get listVersions(): Record<ListKind, number> {
    return this.listState.versions;
  }

  /** The caching hints of the current lists, per kind (2026-07-28 backends only: cache-hints.ts). */
  get listHints(): ListHints {
    return this.listState.hints;
  }

  /**
   * Fetches `kind` again when its `ttlMs` has passed, before the host is served it: a ready backend
   * re-lists it, an idle one starts (and lists everything afresh). Never rejects: on failure the lists stay.
   */
  async refreshExpired(kind: ListKind): Promise<void> {
    if (!this.listState.expired(kind)) return;
    if (this.state === 'idle' || this.supervisor.waking) return this.supervisor.wake().catch(() => undefined);
    if (this.state !== 'ready') return;
    await this.listState.refresh(kind);
  }

  get timeoutMs(): number {
    return this.config.timeoutMs ?? this.deps.settings.requestTimeoutMs;
  }

  get pid(): number | undefined {
    return this.connection?.pid;
  }

  get authDescription(): Record<string, unknown> | undefined {
    return this.auth?.describe();
  }

  /** The entry with references resolved, as the current connection was opened with it. */
  get resolvedSpec(): ServerConfig | undefined {
    return this.resolved;
  }

  /** Whether the host sees this backend's lists: when ready, and while idle or starting on first use. */
  get listed(): boolean {
    return (
      this.state === 'ready' ||
      this.state === 'idle' ||
      (this.state === 'starting' && !!this.supervisor.waking)
    );
  }

  /** Requests in flight (host requests and fast-path calls). */
  get busy(): boolean {
    return this.activity.busy;
  }

  /** Resolves when no request is in flight (for a reload to let them finish before stopping). */
  whenQuiet(): Promise<void> {
    return this.activity.quiet();
  }

  /**
   * Takes the lists and identity from a cached manifest without starting: the backend is `idle`, its lists
   * are exported, and the first request routed to it starts it (wake).
   */
  seed(manifest: Manifest): void {
    this.supervisor.seed(() => {
      const { serverInfo, capabilities: serverCapabilities, protocolVersion, instructions } = manifest;
      Object.assign(this, { serverInfo, serverCapabilities, protocolVersion, instructions });
      this.knownEra = eraOf(manifest.protocolVersion);
      this.listState.set(manifest.lists, manifest.cache);
    });
  }

  /** Starts connecting; resolves when the first attempt has succeeded or failed. Never rejects. */
  start(): Promise<void> {
    return this.supervisor.start();
  }

  /** Connects again after a permanent failure the user has since fixed (a sign-in). Never rejects. */
  reconnect(): Promise<void> {
    return this.supervisor.reconnect();
  }

  private async connect(attempt: Attempt): Promise<void> {
    const started = performance.now();
    const server = await this.deps.resolve(this.name, this.config);
    if (!attempt.current) return;
    this.auth?.close();
    this.auth = prepareAuth(this.name, server, this.deps);
    await this.auth?.prepare(AbortSignal.timeout(this.deps.settings.startupTimeoutMs));
    if (!attempt.current) return;
    this.resolved = server;
    const connection = await this.open(attempt);
    if (!connection) return;
    this.connectMs = Math.round(performance.now() - started);
    this.log.debug(`ready in ${this.connectMs} ms: ${this.lists.tools.length} tools`);
  }

  /**
   * A new connection with its lists, made current; undefined when the attempt was superseded meanwhile
   * (the connection is closed then). Failures are SentinelErrors that say at which stage.
   */
  private async open(attempt: Attempt): Promise<Connection | undefined> {
    const server = this.resolved!;
    const opening = openConnection(server, {
      name: this.name,
      log: this.log,
      host: this.deps.host,
      events: this.events,
      environment: this.deps.environment,
      auth: this.auth,
      maxResponseBytes: this.deps.settings.maxResponseBytes,
      startupTimeoutMs: this.deps.settings.startupTimeoutMs,
      stopGraceMs: this.deps.settings.stopGraceMs,
      firstStart: this.sessions === 0,
      signal: attempt.signal,
      knownEra: this.knownEra,
    });
    // What the server speaks is asked again after a failed start.
    opening.catch(() => (this.knownEra = undefined));
    void this.closing.track(opening);
    const connection = await opening;
    if (!attempt.current) return void (await this.closing.track(connection.close()));
    this.adopt(connection);
    try {
      const lists = await this.listState.fetch(connection.session);
      if (!attempt.current) return undefined;
      this.listState.set(lists);
      return connection;
    } catch (error) {
      throw startFailure(this.name, error, this.deps.settings.startupTimeoutMs, server);
    }
  }

  private adopt(connection: Connection): void {
    const previous = this.connection;
    this.connection = connection;
    if (previous && previous !== connection) void this.retire(previous, 'was replaced by a new connection');
    // Outside the scope of the request whose failure may have set them off (request-scope.ts).
    connection.onclose = () => outsideRequests(() => this.onDisconnected(connection));
    connection.onlost = (why, expired) => {
      if (connection === this.connection && this.state === 'ready')
        outsideRequests(() => void this.renewal.renew(connection, why, expired));
    };
    Object.assign(this, identityOf(connection));
    this.knownEra = eraOf(connection.protocolVersion);
    this.sessions++;
  }

  private readonly events: SessionEvents = {
    listChanged: (kind) => this.listState.schedule(kind),
    resourceUpdated: (uri) => this.emit('resourceUpdated', uri),
    log: (params) => this.emit('log', params),
    taskStatus: (params) => this.emit('taskStatus', params),
    elicitationComplete: (elicitationId) => this.emit('elicitationComplete', elicitationId),
  };

  private onState(state: BackendState): void {
    if (state === 'restarting' || state === 'failed') this.listState.clear();
    this.emit('change');
    if (state === 'ready') this.activity.arm();
  }

  /** The connection ended by itself: its process tree still goes, and a ready backend restarts. */
  private onDisconnected(connection: Connection): void {
    void this.closing.track(connection.close());
    if (connection !== this.connection) return;
    const reason = connection.closeReason ?? 'closed its connection';
    this.connection = undefined;
    this.forwarder.drop(connection.channel, reason);
    if (this.state !== 'ready') return; // the failing connect reports it
    this.log.warn(`${reason}; restarting`);
    this.supervisor.lost(
      new SentinelError('BACKEND_DOWN', `backend "${this.name}" ${reason}`, {
        hint: 'it is being restarted',
        backend: this.name,
      }),
    );
  }

  /** Ends the requests of a connection that is no longer current, and closes it. */
  private retire(connection: Connection, why: string, resend = false): Promise<void> {
    if (connection === this.connection) this.connection = undefined;
    this.forwarder.drop(connection.channel, why, resend);
    return this.closing.track(connection.close());
  }

  /**
   * Sends a request through the forwarder when this backend can take it right now (ready); returns the
   * cancel function, or undefined when the caller must use `request` instead (it waits or explains).
   */
  forward(call: ForwardCall): (() => void) | undefined {
    if (this.state !== 'ready' || !this.connection || this.renewal.busy) return undefined;
    const done = this.activity.begin();
    return this.forwarder.start({
      ...call,
      onDone: (outcome) => {
        done();
        if ('result' in outcome) this.activity.track(call.method);
        call.onDone(outcome);
      },
    });
  }

  /** Forwards a request and returns the backend's result unchanged; failures are SentinelErrors. */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: ForwardOptions = {},
  ): Promise<Record<string, unknown>> {
    const done = this.activity.begin();
    try {
      if (this.state === 'idle' || this.supervisor.waking) await this.supervisor.wake();
      await this.renewal.settled();
      if (this.state !== 'ready' || !this.connection) throw this.unavailableError();
      const result = await this.forwarder.request(
        { method, params, timeoutMs: this.timeoutMs, maxTotalMs: this.timeoutMs * 10 },
        options,
      );
      this.activity.track(method);
      return result;
    } finally {
      done();
    }
  }

  notify(method: string, params?: Record<string, unknown>): void {
    if (this.state !== 'ready' || !this.connection) return;
    this.connection.session.notification({ method, params }).catch((error: unknown) => {
      this.log.debug(`notification ${method} failed: ${describeError(error)}`);
    });
  }

  unavailableError(): SentinelError {
    return unavailable(this.name, this.state, this.error);
  }

  private dropConnection(): Promise<void> {
    const connection = this.connection;
    return connection
      ? this.retire(connection, connection.closeReason ?? 'closed its connection')
      : Promise.resolve();
  }

  async stop(): Promise<void> {
    this.supervisor.stop();
    this.activity.cancel();
    this.listState.cancel();
    await this.connection?.goodbye?.();
    await this.dropConnection();
    this.auth?.close();
    // Connections that were already closing (a failed connect, a renewal) finish first: their process
    // trees must be gone before we return, or they would outlive the shutdown.
    await this.closing.all();
  }
}
