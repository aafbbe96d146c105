/**
 * Starts the checked backends the way `serve` does (the same BackendManager, resolver and auth), all in
 * parallel, each with its own startup timeout and no automatic restart, and turns what happened into plain
 * words: the HTTP status and realm, the network or TLS failure, the last line a crashing process wrote.
 *
 * The caller must call `stop()` (in a finally): it ends every process and connection this started.
 */
import { NEVER_RESTART } from '../backends/restart-policy.js';
import type { CatalogSource } from '../aggregator/catalog.js';
import type { Backend } from '../backends/backend.js';
import { describeRemoteFailure, tellingLine } from '../backends/failure-text.js';
import { createBackendDeps, NO_HOST } from '../backends/deps.js';
import { BackendManager } from '../backends/manager.js';
import type { BackendAuth } from '../backends/types.js';
import { isStdioServer, type SentinelConfig, type ServerConfig, type Settings } from '../config/types.js';
import { SEE_DOCTOR_HINT, SentinelError, type ErrorStage } from '../errors.js';
import { redact, type Logger } from '../log.js';
import type { SecretStore } from '../secrets/store.js';
import type { BackendResult, NamedCheck } from './report.js';
import { idpSignInCheck, signInCheck } from './sign-in.js';

/** What the backend's HTTP traffic showed, recorded by a wrapper around its auth fetch. */
interface HttpObservation {
  status?: number;
  statusUrl?: string;
  wwwAuthenticate?: string;
  networkCode?: string;
  /** The innermost message of a network error without a code, e.g. "bad port". */
  networkMessage?: string;
}

/** A Logger that keeps each backend's lines (its stderr included) instead of printing them. */
class CollectingLogger implements Logger {
  constructor(
    private readonly lines: Map<string, string[]>,
    private readonly scope = '',
  ) {}
  private add(message: string): void {
    const key = this.scope.split(':')[0] ?? '';
    const list = this.lines.get(key) ?? [];
    list.push(message);
    if (list.length > 50) list.shift();
    this.lines.set(key, list);
  }
  debug(): void {}
  info(message: string): void {
    this.add(message);
  }
  warn(message: string): void {
    this.add(message);
  }
  error(message: string): void {
    this.add(message);
  }
  child(scope: string): Logger {
    return new CollectingLogger(this.lines, this.scope ? `${this.scope}:${scope}` : scope);
  }
}

function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const code = (next as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code) && code !== 'ERR_INVALID_ARG_TYPE') return code;
    queue.push((next as { cause?: unknown }).cause);
    const errors = (next as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

function innermostMessage(error: unknown): string | undefined {
  let current: unknown = error;
  let message: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

function observe(auth: BackendAuth, seen: HttpObservation): BackendAuth {
  return {
    type: auth.type,
    prepare: (signal) => auth.prepare(signal),
    describe: () => auth.describe(),
    close: () => auth.close(),
    fetch: async (url, init) => {
      try {
        const response = await auth.fetch(url, init);
        const status = response.status;
        if (
          seen.status === undefined &&
          (status === 401 || status === 403 || status === 404 || status >= 500)
        ) {
          seen.status = status;
          seen.statusUrl = String(url);
          seen.wwwAuthenticate = response.headers.get('www-authenticate') ?? undefined;
        }
        return response;
      } catch (error) {
        seen.networkCode ??= errorCode(error);
        seen.networkMessage ??= innermostMessage(error);
        throw error;
      }
    },
  };
}

/** `realm="x"` of a WWW-Authenticate header, or its scheme. */
function realmOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const realm = /realm="([^"]*)"/i.exec(header)?.[1];
  if (realm) return `realm "${realm}"`;
  const scheme = /^\s*(\w+)/.exec(header)?.[1];
  return scheme ? `${scheme} auth` : undefined;
}

const TLS_PROBLEMS: Record<string, [string, string]> = {
  CERT_HAS_EXPIRED: [
    "certificate problem: the server's certificate has expired",
    'the server must renew its certificate',
  ],
  DEPTH_ZERO_SELF_SIGNED_CERT: [
    'certificate problem: the server uses a self-signed certificate',
    'trust it by starting the host with NODE_EXTRA_CA_CERTS=/path/to/cert.pem',
  ],
  SELF_SIGNED_CERT_IN_CHAIN: [
    'certificate problem: a self-signed certificate is in the chain (a corporate proxy?)',
    'trust your CA by starting the host with NODE_EXTRA_CA_CERTS=/path/to/ca.pem',
  ],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [
    'certificate problem: the certificate is not signed by a trusted authority',
    'trust the issuing CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem',
  ],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [
    "certificate problem: the certificate's issuer is unknown",
    'trust the issuing CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem',
  ],
  ERR_TLS_CERT_ALTNAME_INVALID: [
    'certificate problem: the certificate does not match the host name',
    'check the host name in "url"',
  ],
  EPROTO: ['TLS handshake failed (is it plain http on this port?)', 'check http:// versus https:// in "url"'],
};

function describeNetwork(code: string, url: URL): { reason: string; hint: string } | undefined {
  const tls = Object.hasOwn(TLS_PROBLEMS, code) ? TLS_PROBLEMS[code] : undefined;
  if (tls) return { reason: tls[0], hint: tls[1] };
  switch (code) {
    case 'ECONNREFUSED':
      return {
        reason: `unreachable: nothing is listening at ${url.host}`,
        hint: 'start the server, or check the host and port in "url"',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        reason: `unreachable: the host name ${url.hostname} does not resolve`,
        hint: 'check the host name in "url" and your network',
      };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return {
        reason: `unreachable: connecting to ${url.host} timed out`,
        hint: 'check the network, VPN or proxy',
      };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return {
        reason: `the connection to ${url.host} was dropped`,
        hint: 'check http:// versus https:// and any proxy',
      };
    default:
      return undefined;
  }
}

/** Auth types whose strategy gets OAuth tokens (describe() has tokenEndpoint, expiresAt, lastError). */
const TOKEN_AUTH: ReadonlySet<unknown> = new Set(['oauth2', 'jwt-bearer', 'token-exchange', 'enterprise']);

function describeStatus(
  seen: HttpObservation,
  server: ServerConfig,
): { reason: string; hint: string } | undefined {
  const authType = !isStdioServer(server) ? (server.auth?.type ?? 'none') : 'none';
  switch (seen.status) {
    case 401: {
      const realm = realmOf(seen.wwwAuthenticate);
      return {
        reason: `the server answered 401 Unauthorized${realm ? ` (${realm})` : ''}: ${authType === 'none' ? 'it needs credentials' : 'the credentials were rejected'}`,
        hint:
          authType === 'none'
            ? 'add credentials, e.g. "headers": {"Authorization": "Bearer ${secret:NAME}"} and run: mcp-sentinel secrets set NAME'
            : TOKEN_AUTH.has(authType)
              ? 'check the client id, secret, scopes and audience of "auth"'
              : 'check the credential: mcp-sentinel secrets set NAME (the secret it references)',
      };
    }
    case 403:
      return {
        reason: 'the server answered 403 Forbidden: the credentials lack permission',
        hint: 'grant the token or client the scopes this server needs',
      };
    case 404:
      return {
        reason: `the server answered 404 Not Found for ${stripQuery(seen.statusUrl ?? '')}`,
        hint: 'check the path in "url" (often /mcp, or /sse for SSE)',
      };
    default:
      return seen.status !== undefined && seen.status >= 500
        ? {
            reason: `the server failed with HTTP ${seen.status}`,
            hint: 'try again later, or ask its operator',
          }
        : undefined;
  }
}

export function stripQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

function lastLines(lines: string[] | undefined): string | undefined {
  const last = tellingLine(lines ?? []);
  return last ? redact(last.length > 200 ? `${last.slice(0, 200)}…` : last) : undefined;
}

export interface BackendProbeOptions {
  config: SentinelConfig;
  settings: Settings;
  names: string[];
  env: Record<string, string | undefined>;
  secrets: SecretStore;
  timeoutMs: number;
  /** Called as each backend settles, for live progress. */
  onSettled?: (name: string, ok: boolean) => void;
}

export interface BackendProbe {
  results(): BackendResult[];
  /** What the ready backends export, for the catalog. */
  sources(): CatalogSource[];
  stop(): Promise<void>;
}

export async function probeBackends(options: BackendProbeOptions): Promise<BackendProbe> {
  const lines = new Map<string, string[]>();
  const observations = new Map<string, HttpObservation>();
  const settings: Settings = { ...options.settings, startupTimeoutMs: options.timeoutMs };
  const log = new CollectingLogger(lines);
  const base = createBackendDeps({
    settings,
    log,
    host: NO_HOST,
    env: options.env,
    secrets: options.secrets,
    servers: options.config.mcpServers,
  });
  const deps = {
    ...base,
    // One attempt: a failure stays visible as itself, and no restart timer outlives the doctor.
    restartStrategy: () => NEVER_RESTART,
    createAuth: (name: string, server: Parameters<typeof base.createAuth>[1]) => {
      const seen: HttpObservation = {};
      observations.set(name, seen);
      return observe(base.createAuth(name, server), seen);
    },
  };
  const manager = new BackendManager(options.config, deps, options.names);
  const started = performance.now();
  const settledAt = new Map<string, number>();
  for (const backend of manager.backends) {
    void backend.start().then(() => {
      settledAt.set(backend.name, Math.round(performance.now() - started));
      options.onSettled?.(backend.name, backend.state === 'ready');
    });
  }
  // Resolving references, an OAuth token, initialize and the lists each have the timeout: wait for at
  // most all of them, then call whatever is still starting a timeout.
  await manager.whenSettled(options.timeoutMs * 3 + 1_000);
  const snapshot = manager.backends.map((backend) =>
    describeBackend(backend, options.timeoutMs, settledAt, lines, observations),
  );
  const sources: CatalogSource[] = manager.backends
    .filter((backend) => backend.state === 'ready')
    .map((backend) => ({
      name: backend.name,
      prefix: backend.config.prefix ?? backend.name,
      filter: backend.config.tools,
      promptFilter: backend.config.prompts,
      resourceFilter: backend.config.resources,
      lists: backend.lists,
    }));

  return {
    results: () => snapshot,
    sources: () => sources,
    stop: () => manager.stopAll(),
  };
}

function describeBackend(
  backend: Backend,
  timeoutMs: number,
  settledAt: Map<string, number>,
  lines: Map<string, string[]>,
  observations: Map<string, HttpObservation>,
): BackendResult {
  const server = backend.config;
  const transport = isStdioServer(server) ? 'stdio' : server.type === 'sse' ? 'sse' : 'streamable-http';
  const target = isStdioServer(server) ? server.command : stripQuery(server.url);
  const result: BackendResult = {
    name: backend.name,
    transport,
    target,
    status: 'ok',
    reason: '',
    checks: [],
  };
  if (backend.state === 'disabled') {
    return {
      ...result,
      status: 'skip',
      reason: 'disabled in the config',
      hint: `remove "disabled": true from mcpServers.${backend.name} to use it`,
    };
  }
  result.ms = settledAt.get(backend.name);
  const auth = backend.authDescription;
  if (auth) result.auth = auth;

  if (backend.state === 'ready') {
    const info = backend.serverInfo;
    result.server = info ? { name: info.name, version: info.version } : undefined;
    result.protocolVersion = backend.protocolVersion;
    result.counts = {
      tools: backend.lists.tools.length,
      resources: backend.lists.resources.length,
      resourceTemplates: backend.lists.resourceTemplates.length,
      prompts: backend.lists.prompts.length,
    };
    result.checks.push({
      id: 'connect',
      status: 'ok',
      reason: `connected over ${transport} in ${backend.connectMs ?? result.ms ?? 0} ms`,
    });
    result.checks.push({
      id: 'initialize',
      status: 'ok',
      reason: `${info ? `${info.name} ${info.version}` : 'unnamed server'}, protocol ${backend.protocolVersion ?? 'unknown'}`,
    });
    result.checks.push({
      id: 'lists',
      status: 'ok',
      reason: `${result.counts.tools} tools, ${result.counts.resources} resources, ${result.counts.prompts} prompts`,
    });
    if (auth && TOKEN_AUTH.has(auth.type)) result.checks.push(oauthCheck(auth));
    const signedIn = signInCheck(backend.name, auth);
    if (signedIn) result.checks.push(signedIn);
    const idpSignIn = idpSignInCheck(backend.name, auth);
    if (idpSignIn) result.checks.push(idpSignIn);
    result.reason = `${result.checks[1]!.reason}; ${result.checks[2]!.reason}`;
    return result;
  }

  const failure = explainFailure(backend, timeoutMs, lines.get(backend.name), observations.get(backend.name));
  result.checks.push({ id: failure.stage, status: 'fail', reason: failure.reason, hint: failure.hint });
  const signIn = signInCheck(backend.name, auth) ?? idpSignInCheck(backend.name, auth);
  if (signIn) result.checks.unshift(signIn);
  if (auth && TOKEN_AUTH.has(auth.type) && failure.stage !== 'auth') {
    const check = oauthCheck(auth);
    if (check.status === 'fail') result.checks.unshift(check);
  }
  return { ...result, status: 'fail', reason: failure.reason, hint: failure.hint };
}

function oauthCheck(auth: Record<string, unknown>): NamedCheck {
  const endpoint = typeof auth.tokenEndpoint === 'string' ? stripQuery(auth.tokenEndpoint) : undefined;
  const expiresAt = typeof auth.expiresAt === 'string' ? auth.expiresAt : undefined;
  const lastError = auth.lastError as { message?: string } | undefined;
  if (expiresAt) {
    const minutes = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 60_000));
    return {
      id: 'auth',
      status: 'ok',
      reason: `OAuth token obtained${endpoint ? ` from ${endpoint}` : ''}, expires in ${minutes} min (${expiresAt})`,
    };
  }
  return {
    id: 'auth',
    status: 'fail',
    reason: `no OAuth token${endpoint ? ` from ${endpoint}` : ''}${lastError?.message ? `: ${lastError.message}` : ''}`,
    hint:
      typeof auth.pinHint === 'string'
        ? auth.pinHint
        : 'check tokenUrl or issuer, clientId and the client secret',
  };
}

interface Failure {
  stage: ErrorStage;
  reason: string;
  hint?: string;
}

function explainFailure(
  backend: Backend,
  timeoutMs: number,
  lines: string[] | undefined,
  seen: HttpObservation | undefined,
): Failure {
  const error: SentinelError | undefined = backend.error;
  const stderr = lastLines(lines);
  if (backend.state === 'starting') {
    return {
      stage: 'initialize',
      reason: `timed out: not ready after ${timeoutMs * 3 + 1_000} ms`,
      hint: 'it may need more time: --timeout MS',
    };
  }
  if (!error) return { stage: 'connect', reason: `ended in state ${backend.state}` };
  if (error.code === 'REF_UNRESOLVED')
    return { stage: 'references', reason: error.message, hint: error.hint };
  if (error.code.startsWith('AUTH_'))
    return { stage: 'auth', reason: redact(error.message), hint: error.hint };
  if (!isStdioServer(backend.config)) {
    const url = safeUrl(backend.config.url);
    const network = seen?.networkCode && url ? describeNetwork(seen.networkCode, url) : undefined;
    if (network) return { stage: 'connect', ...network };
    const status = seen ? describeStatus(seen, backend.config) : undefined;
    if (status) return { stage: 'connect', ...status };
    if (seen?.networkMessage && error.stage === 'connect') {
      return { stage: 'connect', reason: `unreachable: ${seen.networkMessage}`, hint: 'check the URL' };
    }
    const plain = describeRemoteFailure(error.cause ?? error, backend.config);
    if (plain) return { stage: 'connect', reason: plain.message, hint: plain.hint };
  }
  if (error.code === 'BACKEND_CONNECT' && error.stage === 'initialize' && isStdioServer(backend.config)) {
    return {
      stage: 'initialize',
      reason: `the process exited before answering initialize${stderr ? ` (last output: ${stderr})` : ''}`,
      hint: `run it by hand to see why: ${backend.config.command}${backend.config.args?.length ? ' …' : ''}`,
    };
  }
  if (error.code === 'BACKEND_TIMEOUT') {
    return {
      stage: 'initialize',
      reason: `timed out: no answer to initialize within ${timeoutMs} ms${stderr ? ` (last output: ${stderr})` : ''}`,
      hint: 'check that it is an MCP server speaking stdio, or give it more time: mcp-sentinel doctor --timeout 30000',
    };
  }
  if (error.code === 'BACKEND_SPAWN') return { stage: 'connect', reason: error.message, hint: error.hint };
  const reason = redact(error.message);
  return {
    stage: 'connect',
    reason: stderr && !reason.includes(stderr) ? `${reason} (last output: ${stderr})` : reason,
    // "Run doctor" is no advice inside doctor.
    hint:
      error.hint && error.hint !== SEE_DOCTOR_HINT
        ? error.hint
        : isStdioServer(backend.config)
          ? 'run the command by hand to see its output'
          : `check "url" and that the server speaks MCP over ${backend.config.type === 'sse' ? 'SSE' : 'Streamable HTTP'}`,
  };
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
