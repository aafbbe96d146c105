/**
 * Why a backend failed doctor's check, in plain words with the next step: the stage that failed, the HTTP
 * status and realm, the network or TLS failure, the last line a crashing process wrote.
 */
import type { Backend } from '../backends/backend.js';
import { describeRemoteFailure, tellingLine } from '../backends/failure-text.js';
import { isStdioServer, type ServerConfig } from '../config/types.js';
import { SEE_DOCTOR_HINT, type ErrorStage, type SentinelError } from '../errors.js';
import { redact } from '../log.js';
import type { HttpObservation } from './http-observation.js';

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
export const TOKEN_AUTH: ReadonlySet<unknown> = new Set([
  'oauth2',
  'jwt-bearer',
  'token-exchange',
  'enterprise',
]);

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

export interface Failure {
  stage: ErrorStage;
  reason: string;
  hint?: string;
}

export function explainFailure(
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
