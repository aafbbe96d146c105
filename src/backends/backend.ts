/**
 * One backend: connects (resolving references and auth first), lists what it offers, forwards requests,
 * and restarts itself with exponential backoff when its process exits or its connection drops.
 *
 * It never throws out of `start()`: a backend that cannot start ends in state `failed` with a
 * SentinelError that says why, and everything else keeps working.
 */
import { EventEmitter } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ResultSchema,
  TaskStatusNotificationSchema,
  ToolListChangedNotificationSchema,
  ErrorCode,
  type ClientCapabilities,
  type Implementation,
  type LoggingMessageNotification,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { SEE_DOCTOR_HINT, SentinelError, describeError } from '../errors.js';
import { isStdioServer, type HttpServerConfig, type ServerConfig } from '../config/types.js';
import { redact, type Logger } from '../log.js';
import { VERSION } from '../version.js';
import { createTransport } from './transports.js';
import { describeRemoteFailure, tellingLine } from './failure-text.js';
import { FIRST_START_MS, packageRunner, startTimeoutMs } from './package-runner.js';
import { remoteSdk } from './remote-sdk.js';
import { ChildStdioTransport } from './stdio-transport.js';
import { listKind } from './listing.js';
import {
  MODERN_PROTOCOL_VERSION,
  openModernSession,
  type BackendSession,
  type ModernConnection,
} from './modern-session.js';
import { discoverStdioEra } from './stdio-era.js';
import { sendingWith } from './request-scope.js';
import { PassthroughTable, type PassthroughCall } from './passthrough.js';
import { RestartPolicy } from './restart-policy.js';
import { Activity } from './activity.js';
import type { Manifest } from './manifest/store.js';
import type { BackendAuth, BackendDeps, BackendLists, BackendState, ListKind } from './types.js';

export type { BackendLists, ListKind } from './types.js';

export interface ForwardOptions {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

interface BackendEvents {
  /** State or lists changed: the catalog must be rebuilt. */
  change: [];
  resourceUpdated: [uri: string];
  log: [params: LoggingMessageNotification['params']];
  /** `notifications/tasks/status` of a task this backend runs (tasks.ts maps its id for the host). */
  taskStatus: [params: Record<string, unknown>];
}

/**
 * List versions are unique across every Backend of the process: a backend replaced by a reload never
 * shows the version its predecessor had, so the catalog always sees the change.
 */
let lastListVersion = 0;
const nextListVersion = () => ++lastListVersion;

const EMPTY_LISTS: BackendLists = { tools: [], resources: [], resourceTemplates: [], prompts: [] };

export class Backend extends EventEmitter<BackendEvents> {
  state: BackendState;
  error?: SentinelError;
  lists: BackendLists = EMPTY_LISTS;
  /**
   * The lists of the last connection that got them, kept while the backend restarts or has failed: the
   * catalog reserves their public names, so that no other backend takes them meanwhile.
   */
  lastLists?: BackendLists;
  /** Renewed whenever a kind's last lists change in content: a cheap way to tell that the catalog changed. */
  readonly listVersions: Record<ListKind, number> = { tools: 0, resources: 0, prompts: 0 };
  serverInfo?: Implementation;
  serverCapabilities?: ServerCapabilities;
  protocolVersion?: string;
  /** The server's `instructions` from its last `initialize` answer. */
  instructions?: string;
  /** Sessions opened so far: a new number means a new session, which knows nothing of earlier ones. */
  sessions = 0;
  /** Milliseconds the last successful connect took, from spawn to lists. */
  connectMs?: number;
  /** The era of the last session (or cached manifest), for the next start of a stdio child (stdio-era.ts). */
  private eraHint?: 'modern' | 'legacy';

  private client?: BackendSession;
  private transport?: Transport;
  /** tools/call fast path of a stdio connection (see passthrough.ts). */
  private passthrough?: PassthroughTable;
  private auth?: BackendAuth;
  private restartTimer?: NodeJS.Timeout;
  private readonly restarts: RestartPolicy;
  private readonly log: Logger;
  private firstAttempt?: Promise<void>;
  private generation = 0;
  private relistTimers = new Map<ListKind, NodeJS.Timeout>();
  /** The entry with references resolved, kept for renewing a remote session in place. */
  private resolved?: ServerConfig;
  /** Why the last connection ended, for the errors of requests it took down. */
  private lastDisconnect?: string;
  private renewing?: Promise<void>;
  /** Connections being closed (their process trees may take seconds): stop() waits for every one. */
  private readonly closing = new Set<Promise<void>>();
  private lastRenewAt = 0;
  /** Clients retired because the server forgot their session: their cut-off requests never ran. */
  private readonly expiredClients = new WeakSet<BackendSession>();
  /** Requests in flight and the idle timer (idleTimeoutMs). */
  private readonly activity: Activity;
  /** A start on first use (from `idle`) in progress: requests wait for it. */
  private waking?: Promise<void>;

  constructor(
    readonly name: string,
    readonly config: ServerConfig,
    private readonly deps: BackendDeps,
  ) {
    super();
    this.log = deps.log.child(name);
    this.restarts = new RestartPolicy(deps.settings.restart);
    this.activity = new Activity(
      () => this.config.idleTimeoutMs ?? deps.settings.idleTimeoutMs,
      () => void this.sleep(),
    );
    this.state = config.disabled ? 'disabled' : 'starting';
    if (config.disabled) {
      this.error = new SentinelError('BACKEND_DISABLED', `backend "${name}" is disabled in the config`, {
        hint: `remove "disabled": true from mcpServers.${name} to enable it`,
      });
    }
  }

  /** The stdio transport of the latest attempt, kept for its stderr when the attempt fails. */
  private lastChild: ChildStdioTransport | undefined;

  get timeoutMs(): number {
    return this.config.timeoutMs ?? this.deps.settings.requestTimeoutMs;
  }

  get pid(): number | undefined {
    return this.transport instanceof ChildStdioTransport ? this.transport.pid : undefined;
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
    return this.state === 'ready' || this.state === 'idle' || (this.state === 'starting' && !!this.waking);
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
    if (this.state !== 'starting' || this.firstAttempt) return;
    this.serverInfo = manifest.serverInfo;
    this.serverCapabilities = manifest.capabilities;
    this.protocolVersion = manifest.protocolVersion;
    if (manifest.protocolVersion)
      this.eraHint = manifest.protocolVersion === MODERN_PROTOCOL_VERSION ? 'modern' : 'legacy';
    this.instructions = manifest.instructions;
    this.setLists(manifest.lists);
    this.firstAttempt = Promise.resolve();
    this.setState('idle');
  }

  /** Starts an idle backend (single-flight); resolves when the attempt has succeeded or failed. */
  private wake(): Promise<void> {
    if (this.waking) return this.waking;
    if (this.state !== 'idle') return Promise.resolve();
    this.log.debug('starting on first use');
    this.state = 'starting';
    this.waking = this.connect().finally(() => {
      this.waking = undefined;
    });
    return this.waking;
  }

  /** The idle stop: the connection goes, the lists stay exported, the next request starts it again. */
  private async sleep(): Promise<void> {
    if (this.state !== 'ready' || this.activity.busy) return;
    this.log.info(
      `stopping after ${this.activity.timeoutMs} ms without traffic; it starts again on the next request`,
    );
    this.generation++;
    clearTimeout(this.restartTimer);
    const dropped = this.dropConnection();
    this.setState('idle');
    await dropped;
  }

  /** Connects again after a permanent failure the user has since fixed (a sign-in). Never rejects. */
  reconnect(): Promise<void> {
    if (this.state !== 'failed') return Promise.resolve();
    this.setState('starting');
    return this.connect();
  }

  /** Starts connecting; resolves when the first attempt has succeeded or failed. Never rejects. */
  start(): Promise<void> {
    if (this.state === 'disabled') return Promise.resolve();
    this.firstAttempt ??= this.connect();
    return this.firstAttempt;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const started = performance.now();
    try {
      const server = await this.deps.resolve(this.name, this.config);
      if (generation !== this.generation) return;
      this.auth?.close();
      this.auth = isStdioServer(server) ? undefined : this.deps.createAuth(this.name, server);
      await this.auth?.prepare(AbortSignal.timeout(this.deps.settings.startupTimeoutMs));
      if (generation !== this.generation) return;
      this.resolved = server;
      const client = await this.openSession(server, generation);
      if (generation !== this.generation) return this.discard(client);
      const lists = await this.fetchLists(client);
      if (generation !== this.generation) return this.discard(client);
      this.setLists(lists);
      this.connectMs = Math.round(performance.now() - started);
      this.error = undefined;
      this.lastDisconnect = undefined;
      this.setState('ready');
      this.activity.arm();
      this.log.debug(`ready in ${this.connectMs} ms: ${this.lists.tools.length} tools`);
    } catch (error) {
      if (generation !== this.generation || this.state === 'stopped') return;
      this.eraHint = undefined; // what the server speaks is asked again on the next attempt
      // The child's last words say why it failed; its transport may already be let go of (onclose).
      const stderr = isConnectionClosed(error) ? ((await this.lastChild?.finalStderr()) ?? []) : [];
      // Stopped while waiting for it (the narrowing above does not see the await).
      if (generation !== this.generation || (this.state as BackendState) === 'stopped') return;
      const failure = toBackendError(
        this.name,
        error,
        this.resolved ? this.firstStartTimeout(this.resolved) : this.deps.settings.startupTimeoutMs,
        this.config,
        stderr,
      );
      await this.dropConnection();
      this.fail(failure);
    }
  }

  /** The startup timeout of this attempt: a package runner's first start may download (package-runner.ts). */
  private firstStartTimeout(server: ServerConfig): number {
    const timeout = this.deps.settings.startupTimeoutMs;
    if (!isStdioServer(server)) return timeout;
    return startTimeoutMs(timeout, server.command, server.args, this.sessions > 0);
  }

  /**
   * A new transport and client, connected and initialized; they become this backend's current ones. A
   * Streamable HTTP server that refuses the 2025-era `initialize` is asked for the 2026-07-28 revision
   * (modern-session.ts) before the refusal is reported; a stdio child is asked which era it speaks first
   * (stdio-era.ts).
   */
  private async openSession(server: ServerConfig, generation: number): Promise<BackendSession> {
    const streamable = !isStdioServer(server) && server.type !== 'sse';
    if (streamable && server.protocol === '2026-07-28') {
      // Asked to speak 2026-07-28 first: the 2025 era only when the server does not offer it.
      const modern = await this.openModern(this.httpConnection(server), generation).catch(
        (error: unknown) => {
          if (error instanceof SentinelError) throw error;
          this.log.debug(`no 2026-07-28 revision, initializing: ${describeError(error)}`);
          return undefined;
        },
      );
      if (modern) return modern;
    }
    const newTransport = () =>
      createTransport(server, {
        log: this.log,
        environment: this.deps.environment,
        auth: this.auth,
        maxResponseBytes: this.deps.settings.maxResponseBytes,
        backend: this.name,
      });
    // One startup budget for the era question and `initialize` together: a hung child fails in the same time.
    const deadline = performance.now() + this.firstStartTimeout(server);
    const opened = await this.withStdioEra(server, generation, await newTransport(), newTransport);
    if ('session' in opened) return opened.session;
    const { transport } = opened;
    const client = this.createClient();
    this.transport = transport;
    this.client = client;
    client.onclose = () => this.onDisconnected(generation, transport);
    client.onerror = (error) => this.onTransportError(client, error);
    const setVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (version) => {
      this.protocolVersion = version;
      setVersion?.(version);
    };
    try {
      await client.connect(transport, { timeout: Math.max(1, Math.round(deadline - performance.now())) });
    } catch (error) {
      if (!streamable || !mayBeModernOnly(error) || (server as HttpServerConfig).protocol) throw error;
      client.onclose = undefined;
      await client.close().catch(() => undefined);
      const modern = await this.openModern(this.httpConnection(server), generation).catch(
        (modernError: unknown) => {
          this.log.debug(`not a 2026-07-28 server either: ${describeError(modernError)}`);
          return undefined;
        },
      );
      if (!modern) throw error;
      return modern;
    }
    deferResponses(transport);
    if (transport instanceof ChildStdioTransport) this.installPassthrough(transport);
    this.serverInfo = client.getServerVersion();
    this.serverCapabilities = client.getServerCapabilities();
    this.instructions = client.getInstructions();
    this.sessions++;
    this.eraHint = 'legacy';
    return client;
  }

  /**
   * A stdio child asked which era it speaks (stdio-era.ts): the 2026-07-28 session when it offers that, or
   * the transport (a fresh one when the child exited on the question) for the 2025-era `initialize`.
   */
  private async withStdioEra(
    server: ServerConfig,
    generation: number,
    transport: Transport,
    newTransport: () => Promise<Transport>,
  ): Promise<{ session: BackendSession } | { transport: Transport }> {
    this.lastChild = transport instanceof ChildStdioTransport ? transport : undefined;
    if (!(transport instanceof ChildStdioTransport) || !this.asksStdioEra(server)) return { transport };
    // Half the startup budget at most: a 2025-era child that ignores the question still has time to start.
    const era = await discoverStdioEra(transport, {
      timeoutMs: Math.min(this.firstStartTimeout(server) / 2, ERA_PROBE_MS),
      capabilities: this.clientCapabilities(),
    });
    if (era.kind === 'modern')
      return { session: await this.openModern({ transport, discover: era.discover }, generation) };
    this.log.debug(`speaks the 2025 era: ${era.why}`);
    if (!era.exited) return { transport };
    void this.track(transport.close());
    const fresh = await newTransport();
    this.lastChild = fresh instanceof ChildStdioTransport ? fresh : undefined;
    return { transport: fresh };
  }

  /**
   * Whether to ask a stdio child for `server/discover` before `initialize`: unless the entry says
   * "protocol": "2025-11-25", or an earlier session (or the cached manifest) found a 2025-era server and
   * the entry does not ask for 2026-07-28 (a 2025-era server that gets the probe answers it with an error,
   * or exits on it and costs a second start).
   */
  private asksStdioEra(server: ServerConfig): boolean {
    if (server.protocol === '2025-11-25') return false;
    return server.protocol === '2026-07-28' || this.eraHint !== 'legacy';
  }

  private httpConnection(server: ServerConfig): ModernConnection {
    return { url: new URL((server as HttpServerConfig).url), fetch: this.auth?.fetch };
  }

  /** A 2026-07-28 session: over HTTP in place of a refused 2025-era one, or over a stdio child that offered it. */
  private async openModern(connection: ModernConnection, generation: number): Promise<BackendSession> {
    const session = await openModernSession({
      connection,
      capabilities: this.clientCapabilities(),
      timeoutMs: this.deps.settings.startupTimeoutMs,
      relay: (method, params, signal) => this.deps.host.request(method, params, signal),
      onNotification: (method, params) => this.onModernNotification(method, params),
    });
    if (generation !== this.generation) {
      await this.track(session.close());
      throw new SentinelError('BACKEND_DOWN', `backend "${this.name}" was stopped while connecting`);
    }
    const transport = 'transport' in connection ? connection.transport : undefined;
    this.transport = transport;
    this.client = session;
    session.onclose = () => this.onDisconnected(generation, transport);
    session.onerror = (error) => this.onTransportError(session, error);
    this.protocolVersion = MODERN_PROTOCOL_VERSION;
    this.eraHint = 'modern';
    this.log.debug('speaks the 2026-07-28 revision');
    this.serverInfo = session.getServerVersion();
    this.serverCapabilities = session.getServerCapabilities();
    this.instructions = session.getInstructions();
    this.sessions++;
    return session;
  }

  private onModernNotification(method: string, params: Record<string, unknown> | undefined): void {
    if (method === 'notifications/tools/list_changed') this.scheduleRelist('tools');
    else if (method === 'notifications/prompts/list_changed') this.scheduleRelist('prompts');
    else if (method === 'notifications/resources/list_changed') this.scheduleRelist('resources');
    else if (method === 'notifications/resources/updated' && typeof params?.uri === 'string')
      this.emit('resourceUpdated', params.uri);
    else if (method === 'notifications/message' && params)
      this.emit('log', params as LoggingMessageNotification['params']);
  }

  /** What the backend may ask of the host: what the host declared, nothing more. */
  private clientCapabilities(): ClientCapabilities {
    const host = this.deps.host.capabilities() ?? {};
    const capabilities: ClientCapabilities = {};
    if (host.sampling) capabilities.sampling = host.sampling;
    if (host.elicitation) capabilities.elicitation = host.elicitation;
    if (host.roots) capabilities.roots = { listChanged: host.roots.listChanged ?? false };
    return capabilities;
  }

  private createClient(): Client {
    const capabilities = this.clientCapabilities();
    const client = new Client({ name: 'mcp-sentinel', version: VERSION }, { capabilities });

    const relay =
      (method: string) =>
      async (request: { params?: Record<string, unknown> }, extra: { signal: AbortSignal }) =>
        this.deps.host.request(method, request.params, extra.signal);
    if (capabilities.sampling)
      client.setRequestHandler(CreateMessageRequestSchema, relay('sampling/createMessage') as never);
    if (capabilities.elicitation)
      client.setRequestHandler(ElicitRequestSchema, relay('elicitation/create') as never);
    if (capabilities.roots) client.setRequestHandler(ListRootsRequestSchema, relay('roots/list') as never);
    // Whatever the host did not declare is refused with a reason, not a bare "Method not found".
    client.fallbackRequestHandler = async (request) => {
      const capability = Object.hasOwn(REVERSE_CAPABILITY, request.method)
        ? REVERSE_CAPABILITY[request.method]
        : undefined;
      if (!capability)
        throw new WireError(ErrorCode.MethodNotFound, `mcp-sentinel does not handle ${request.method}`);
      throw new WireError(
        ErrorCode.MethodNotFound,
        `${request.method} refused: the host connected to mcp-sentinel did not declare the "${capability}" capability`,
      );
    };

    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.scheduleRelist('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () =>
      this.scheduleRelist('resources'),
    );
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.scheduleRelist('prompts'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      this.emit('resourceUpdated', n.params.uri);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      this.emit('log', n.params);
    });
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
      this.emit('taskStatus', n.params as Record<string, unknown>);
    });
    return client;
  }

  private async fetchLists(client: BackendSession): Promise<BackendLists> {
    const caps = client.getServerCapabilities() ?? {};
    const kinds = (['tools', 'resources', 'prompts'] as const).filter((kind) => caps[kind]);
    const parts = await Promise.all(kinds.map((kind) => this.listKind(client, kind)));
    return Object.assign({ ...EMPTY_LISTS }, ...parts) as BackendLists;
  }

  /** Every list request has the same bound, at startup and on a re-list. */
  private listKind(client: BackendSession, kind: ListKind): Promise<Partial<BackendLists>> {
    return listKind(client, kind, this.deps.settings.startupTimeoutMs, this.log);
  }

  /** Backends announce list changes in bursts; re-list once per burst. */
  private scheduleRelist(kind: ListKind): void {
    clearTimeout(this.relistTimers.get(kind));
    this.relistTimers.set(
      kind,
      setTimeout(() => {
        this.relistTimers.delete(kind);
        void this.relist(kind);
      }, 50),
    );
  }

  private async relist(kind: ListKind): Promise<void> {
    const client = this.client;
    if (!client || this.state !== 'ready') return;
    try {
      const fetched = await this.listKind(client, kind);
      if (client !== this.client) return;
      // Only the kind fetched: a re-list of another kind running meanwhile keeps its own result.
      this.setLists({ ...this.lists, ...fetched });
      this.emit('change');
    } catch (error) {
      this.log.warn(`could not re-list ${kind}: ${describeError(error)}`);
    }
  }

  private setLists(lists: BackendLists): void {
    const last = this.lastLists;
    if (!last || !sameItems(last.tools, lists.tools)) this.listVersions.tools = nextListVersion();
    if (!last || !sameItems(last.prompts, lists.prompts)) this.listVersions.prompts = nextListVersion();
    if (
      !last ||
      !sameItems(last.resources, lists.resources) ||
      !sameItems(last.resourceTemplates, lists.resourceTemplates)
    )
      this.listVersions.resources = nextListVersion();
    this.lists = lists;
    this.lastLists = lists;
  }

  private installPassthrough(transport: ChildStdioTransport): void {
    const table = new PassthroughTable(transport, this.name);
    this.retirePassthrough('was replaced by a new connection');
    this.passthrough = table;
    const deliver = transport.onmessage;
    transport.onmessage = (message) => {
      if (!table.handle(message)) deliver?.(message);
    };
  }

  private retirePassthrough(reason: string): void {
    const table = this.passthrough;
    this.passthrough = undefined;
    table?.failAll(`backend "${this.name}" ${reason} during the request`);
  }

  /**
   * Sends a tools/call on the fast path when this backend can take it right now (a ready stdio connection);
   * returns a cancel function, or undefined when the caller must use `request` instead.
   */
  callDirect(call: PassthroughCall): (() => void) | undefined {
    if (this.state !== 'ready' || !this.passthrough) return undefined;
    const done = this.activity.begin();
    return this.passthrough.send({
      ...call,
      onDone: (outcome) => {
        done();
        call.onDone(outcome);
      },
    });
  }

  /** Forwards a request and returns the backend's result unchanged. */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: ForwardOptions = {},
  ): Promise<Record<string, unknown>> {
    const done = this.activity.begin();
    try {
      if (this.state === 'idle' || this.waking) await this.wake();
      const result = await this.forwardRequest(method, params, options);
      this.activity.track(method);
      return result;
    } finally {
      done();
    }
  }

  private async forwardRequest(
    method: string,
    params: Record<string, unknown> | undefined,
    options: ForwardOptions,
  ): Promise<Record<string, unknown>> {
    if (this.renewing) await this.renewing;
    for (let attempt = 0; ; attempt++) {
      const client = this.client;
      if (this.state !== 'ready' || !client) throw this.unavailableError();
      // A request that fails (timeout, the host's cancel, an error) also ends its HTTP request and socket.
      const abandon = new AbortController();
      try {
        return (await sendingWith(abandon.signal, () =>
          client.request({ method, params } as never, ResultSchema, {
            signal: options.signal,
            timeout: this.timeoutMs,
            resetTimeoutOnProgress: true,
            maxTotalTimeout: this.timeoutMs * 10,
            onprogress: options.onprogress,
          }),
        )) as Record<string, unknown>;
      } catch (error) {
        abandon.abort();
        // The server forgot our session (it restarted): the request never ran, so renew once and resend.
        // Requests cut off when another one renewed the session first are resent the same way.
        const expired =
          isSessionExpired(error) || (isConnectionClosed(error) && this.expiredClients.has(client));
        if (attempt === 0 && expired && !options.signal?.aborted) {
          if (!this.renewing && client === this.client)
            this.log.info('the server no longer knows our session; initializing a new one');
          this.expiredClients.add(client);
          await this.renew(client, 'session expired');
          continue;
        }
        if (isConnectionLost(error) && client === this.client) {
          this.lastDisconnect = `is unreachable (${describeCause(error)})`;
          void this.renew(client, this.lastDisconnect);
        }
        throw this.explainRequestError(error);
      }
    }
  }

  /**
   * Replaces the session of a remote backend in place (single-flight): a new transport, `initialize`, fresh
   * lists. Its tools stay listed meanwhile; if it fails, the backend goes through the restart policy. Renewals
   * closer together than RENEW_INTERVAL_MS go through the policy too, so a server that drops every session
   * at once cannot make us loop.
   */
  private renew(stale: BackendSession, why: string): Promise<void> {
    if (stale !== this.client || this.state !== 'ready' || !this.resolved)
      return this.renewing ?? Promise.resolve();
    if (this.renewing) return this.renewing;
    const server = this.resolved;
    const generation = ++this.generation;
    const previous = { client: this.client, transport: this.transport };
    const tooSoon = Date.now() - this.lastRenewAt < RENEW_INTERVAL_MS;
    this.lastRenewAt = Date.now();
    const attempt = async () => {
      if (previous.client) previous.client.onclose = undefined;
      if (previous.client) void this.track(previous.client.close());
      if (tooSoon)
        throw new SentinelError(
          'BACKEND_DOWN',
          `backend "${this.name}" ${why} again right after reconnecting`,
        );
      const client = await this.openSession(server, generation);
      if (generation !== this.generation) return this.discard(client);
      const lists = await this.fetchLists(client);
      if (generation !== this.generation) return this.discard(client);
      this.setLists(lists);
      this.emit('change');
      this.log.info(`reconnected (${why})`);
    };
    this.renewing = attempt()
      .catch(async (error: unknown) => {
        // Already handled when the new connection closed while opening (onDisconnected).
        if (generation !== this.generation || this.state !== 'ready') return;
        const failure =
          error instanceof SentinelError
            ? error
            : new SentinelError('BACKEND_DOWN', `backend "${this.name}" ${why}: ${describeError(error)}`);
        await this.dropConnection();
        this.fail(failure);
      })
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }

  /** Transport errors that mean the session is gone even though nothing closed it. */
  private onTransportError(client: BackendSession, error: Error): void {
    this.log.debug(`transport: ${describeError(error)}`);
    if (client !== this.client || this.state !== 'ready') return;
    const sdk = remoteSdk();
    if (sdk && error instanceof sdk.SseError) {
      // An SSE backend's session lives and dies with its stream (idle timeout, server restart).
      void this.renew(client, 'its event stream ended');
    } else if (
      sdk &&
      error instanceof sdk.StreamableHTTPError &&
      error.code === 404 &&
      isStreamableWithSession(this.transport)
    ) {
      this.expiredClients.add(client);
      void this.renew(client, 'session expired');
    } else if (/Maximum reconnection attempts/.test(error.message) || isConnectionLost(error)) {
      // The Streamable HTTP event stream could not be reopened: the server is most likely gone.
      void this.renew(client, `is unreachable (${describeCause(error)})`);
    }
  }

  notify(method: string, params?: Record<string, unknown>): void {
    if (this.state !== 'ready' || !this.client) return;
    this.client.notification({ method, params } as never).catch((error: unknown) => {
      this.log.debug(`notification ${method} failed: ${describeError(error)}`);
    });
  }

  private explainRequestError(error: unknown): unknown {
    if (isConnectionClosed(error)) {
      const reason = this.lastDisconnect ?? this.exitReason() ?? 'closed its connection';
      return new WireError(ErrorCode.ConnectionClosed, `backend "${this.name}" ${reason} during the request`);
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new WireError(error.code, `backend "${this.name}": ${plainMessage(error)}`, error.data);
    }
    // The backend's own error goes to the host as the backend sent it.
    if (error instanceof McpError) return new WireError(error.code, plainMessage(error), error.data);
    if (error instanceof SentinelError) return error;
    if (isConnectionLost(error)) {
      return new WireError(
        ErrorCode.InternalError,
        `backend "${this.name}" is unreachable (${describeCause(error)})`,
      );
    }
    return new WireError(ErrorCode.InternalError, `backend "${this.name}": ${describeError(error)}`);
  }

  unavailableError(): SentinelError {
    if (this.error) {
      const reason = this.error.message.startsWith(`backend "${this.name}"`)
        ? this.error.message
        : `backend "${this.name}" is unavailable: ${this.error.message}`;
      return new SentinelError(this.error.code, reason, { hint: this.error.hint, issues: this.error.issues });
    }
    return new SentinelError(
      'BACKEND_DOWN',
      `backend "${this.name}" is ${this.state === 'starting' ? 'still starting' : this.state}`,
      {
        hint:
          this.state === 'starting'
            ? 'try again in a moment'
            : 'it is being restarted; run `mcp-sentinel doctor` if this persists',
      },
    );
  }

  private exitReason(transport: Transport | undefined = this.transport): string | undefined {
    return transport instanceof ChildStdioTransport ? transport.closeReason : undefined;
  }

  private onDisconnected(generation: number, transport: Transport | undefined): void {
    // The SDK closes the transport itself when initialize fails: its process tree may take seconds to go,
    // and stop() must wait for that too.
    if (transport instanceof ChildStdioTransport) void this.track(transport.close());
    if (generation !== this.generation || this.state === 'stopped' || this.state === 'failed') return;
    const reason = this.exitReason(transport) ?? 'closed its connection';
    this.lastDisconnect = reason;
    this.retirePassthrough(reason);
    const wasReady = this.state === 'ready';
    this.client = undefined;
    this.transport = undefined;
    if (!wasReady) return; // the failing connect() reports it
    this.log.warn(`${reason}; restarting`);
    this.fail(
      new SentinelError('BACKEND_DOWN', `backend "${this.name}" ${reason}`, {
        hint: 'it is being restarted',
      }),
    );
  }

  private fail(failure: SentinelError): void {
    if (this.state === 'stopped') return;
    this.error = failure;
    this.lists = EMPTY_LISTS;
    const delay = failure.permanent ? undefined : this.restarts.next();
    if (delay === undefined) {
      const gaveUp = !failure.permanent;
      if (gaveUp) {
        this.error = new SentinelError(
          'BACKEND_FAILED',
          `backend "${this.name}" gave up after ${this.restarts.limitDescription()}: ${failure.message}`,
          {
            hint: 'fix the cause, then restart the host (or run `mcp-sentinel doctor`)',
          },
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
      void this.connect();
    }, delay);
    this.restartTimer.unref();
  }

  private setState(next: BackendState): void {
    const changed = next !== this.state;
    this.state = next;
    if (changed || next === 'ready') this.emit('change');
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    const transport = this.transport;
    this.client = undefined;
    this.transport = undefined;
    this.retirePassthrough(this.lastDisconnect ?? this.exitReason(transport) ?? 'closed its connection');
    if (client) client.onclose = undefined;
    await this.track(client ? client.close() : transport?.close());
  }

  /** Remembers a close in progress until it has finished, so that stop() can wait for it. */
  private track(closed: Promise<void> | undefined): Promise<void> {
    if (!closed) return Promise.resolve();
    const settled = closed.catch(() => undefined);
    this.closing.add(settled);
    void settled.finally(() => this.closing.delete(settled));
    return settled;
  }

  /** A session opened for a generation that is no longer current (stopped or superseded meanwhile). */
  private async discard(client: BackendSession): Promise<void> {
    if (client === this.client) return; // still current: whoever moved the generation on closes it
    client.onclose = undefined;
    await this.track(client.close());
  }

  async stop(): Promise<void> {
    this.generation++;
    this.state = 'stopped';
    this.activity.cancel();
    clearTimeout(this.restartTimer);
    for (const timer of this.relistTimers.values()) clearTimeout(timer);
    const transport = this.transport;
    if (transport && 'terminateSession' in transport) {
      // A courtesy to the server (DELETE of the session): never worth holding up the shutdown for long.
      const terminated = (transport as { terminateSession(): Promise<void> }).terminateSession();
      await withTimeout(
        terminated.catch(() => undefined),
        TERMINATE_SESSION_MS,
      );
    }
    await this.dropConnection();
    this.auth?.close();
    // Connections that were already closing (a failed connect, a renewal) finish first: their process
    // trees must be gone before we return, or they would outlive the shutdown.
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }
}

/**
 * The SDK client dispatches responses synchronously but notifications a microtask later, so a final
 * progress notification that arrives in the same chunk as the result is dropped (typescript-sdk #2580).
 * Delivering responses two microtasks later lets every earlier notification be handled first.
 */
function deferResponses(transport: Transport): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport.onmessage = (message, extra) => {
    if ('id' in message && !('method' in message))
      queueMicrotask(() => queueMicrotask(() => deliver(message, extra)));
    else deliver(message, extra);
  };
}

/** Once per list fetched (not per catalog change): a re-list or a reconnect that changed nothing is no change. */
function sameItems(a: unknown[], b: unknown[]): boolean {
  return a === b || (a.length === b.length && JSON.stringify(a) === JSON.stringify(b));
}

const RENEW_INTERVAL_MS = 5_000;
/** The longest a stdio child is waited for to answer `server/discover` (stdio-era.ts). */
const ERA_PROBE_MS = 5_000;
const TERMINATE_SESSION_MS = 2_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An error for the wire: the code, message and data the host should see. (McpError prefixes its message
 * with "MCP error <code>:", and the host's SDK adds its own, so relayed errors would read twice.)
 */
export class WireError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    // The backend's own words go to the host: no registered secret goes with them.
    super(redact(message));
    this.name = 'WireError';
  }
}

function plainMessage(error: McpError): string {
  return error.message.replace(/^(MCP error -?\d+: )+/, '');
}

/**
 * Refusals of `initialize` that a 2026-07-28-only server gives (an error answer, an HTTP 4xx); a timeout
 * or a network failure is no sign of a revision, and asking again would only double the wait.
 */
function mayBeModernOnly(error: unknown): boolean {
  if (error instanceof McpError) return error.code !== ErrorCode.RequestTimeout && !isConnectionClosed(error);
  const sdk = remoteSdk();
  if (sdk && error instanceof sdk.StreamableHTTPError)
    return error.code !== undefined && error.code >= 400 && error.code < 500 && !AUTH_OR_GONE.has(error.code);
  return false;
}

/** Statuses that say nothing about the revision (auth walls, a wrong URL, rate limits). */
const AUTH_OR_GONE = new Set([401, 403, 404, 429]);

function isConnectionClosed(error: unknown): boolean {
  return (
    error instanceof McpError &&
    error.code === ErrorCode.ConnectionClosed &&
    /Connection closed/i.test(error.message)
  );
}

/** Reverse requests and the client capability the host must have declared for each. */
const REVERSE_CAPABILITY: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

function isStreamableWithSession(transport: Transport | undefined): boolean {
  const sdk = remoteSdk();
  return !!sdk && transport instanceof sdk.StreamableHTTPClientTransport && transport.sessionId !== undefined;
}

/** A 404 to a request that carried a session id (Streamable HTTP) or a session endpoint (SSE). */
function isSessionExpired(error: unknown): boolean {
  const sdk = remoteSdk();
  if (sdk && error instanceof sdk.StreamableHTTPError) return error.code === 404;
  return error instanceof Error && /Error POSTing to endpoint \(HTTP 404\)/.test(error.message);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** fetch failed below HTTP: the server is down or the connection broke. */
function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: { code?: string } }).cause;
  return (
    (error instanceof TypeError && /fetch failed|terminated/i.test(error.message)) ||
    NETWORK_CODES.has(cause?.code ?? '')
  );
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? describeError(error);
}

function toBackendError(
  name: string,
  error: unknown,
  startupTimeoutMs: number,
  config: ServerConfig,
  stderr: string[],
): SentinelError {
  if (error instanceof SentinelError) return error;
  const plain = isStdioServer(config) ? undefined : describeRemoteFailure(error, config);
  if (plain) {
    return new SentinelError('BACKEND_CONNECT', `backend "${name}" could not connect: ${plain.message}`, {
      hint: plain.hint,
      backend: name,
      stage: 'connect',
      cause: error,
    });
  }
  const said = isStdioServer(config) && isConnectionClosed(error) ? tellingLine(stderr) : undefined;
  if (said) {
    return new SentinelError(
      'BACKEND_CONNECT',
      `backend "${name}" exited before answering initialize: ${said}`,
      { hint: SEE_DOCTOR_HINT, backend: name, stage: 'initialize', cause: error },
    );
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    const runner = isStdioServer(config) ? packageRunner(config.command, config.args) : undefined;
    return new SentinelError(
      'BACKEND_TIMEOUT',
      `backend "${name}" did not answer within ${startupTimeoutMs} ms while starting`,
      {
        hint: runner
          ? `it runs through ${runner}, which downloads the package on its first start (given ${FIRST_START_MS / 1000} s): check your network and the package name, or install the package and run it directly`
          : 'raise settings.startupTimeoutMs if it is just slow, or run `mcp-sentinel doctor`',
        backend: name,
        stage: 'initialize',
      },
    );
  }
  // The connection closed before the handshake was done: a stdio backend's process exited.
  const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
  return new SentinelError(
    'BACKEND_CONNECT',
    `backend "${name}" could not connect: ${describeError(error)}`,
    { hint: SEE_DOCTOR_HINT, backend: name, stage: closed ? 'initialize' : 'connect', cause: error },
  );
}
