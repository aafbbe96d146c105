/**
 * The one error type users see. Every failure a user can cause or fix carries a stable string `code`,
 * a one-sentence `message` that names the thing, a `hint` (ideally the next command to run) and, for
 * validation, the full list of `issues` so that every problem is reported at once. A backend's failure
 * also says which backend and at which `stage`, so that callers (doctor) switch on fields, not on wording.
 * The hint stays a field: it is joined to the message only when the error is rendered (`describeError`).
 *
 * Messages must never contain a secret value: build them from names and key paths only.
 */

export type ErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_PARSE'
  | 'CONFIG_INVALID'
  | 'REF_UNRESOLVED'
  | 'SECRET_NOT_FOUND'
  | 'SECRET_INVALID_NAME'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'KEYCHAIN_LOCKED'
  | 'KEYCHAIN_TIMEOUT'
  | 'HEADER_INVALID'
  | 'AUTH_FAILED'
  | 'AUTH_TRANSIENT'
  | 'AUTH_REDIRECT'
  | 'AUTH_SIGNIN_REQUIRED'
  | 'BACKEND_SPAWN'
  | 'BACKEND_CONNECT'
  | 'BACKEND_TIMEOUT'
  | 'BACKEND_DOWN'
  | 'BACKEND_FAILED'
  /** The server no longer knows our session (an HTTP 404 to it): the request never ran. */
  | 'BACKEND_SESSION_EXPIRED'
  /** A remote backend answered a forwarded request with an HTTP error status (summarised in the message). */
  | 'BACKEND_HTTP_STATUS'
  | 'BACKEND_DISABLED'
  /** A backend answered a forwarded request with a JSON-RPC error (passed on to the host as it was sent). */
  | 'BACKEND_ERROR'
  | 'MESSAGE_UNENCODABLE'
  | 'RESPONSE_TOO_LARGE'
  | 'HOST_CONFIG'
  | 'HOST_WRITE'
  | 'USAGE';

/** Where a backend's start failed: resolving its references, authenticating, connecting, the handshake. */
export type ErrorStage = 'references' | 'auth' | 'connect' | 'initialize' | 'lists';

/** The hint of a failure whose details only `mcp-sentinel doctor` can give (doctor itself shows its own). */
export const SEE_DOCTOR_HINT = 'run `mcp-sentinel doctor` for details';

/** One problem inside a larger failure, e.g. one invalid key of a config file. */
export interface Issue {
  /** Dot path of the offending key, e.g. `mcpServers.github.url`; empty for the whole document. */
  path: string;
  /** What is wrong, phrased as what was expected. */
  message: string;
  /** How to fix it, when there is something better to say than the message. */
  hint?: string;
}

export interface SentinelErrorOptions {
  hint?: string;
  issues?: Issue[];
  cause?: unknown;
  /** The config file or host file the error is about, when there is one. */
  file?: string;
  /** Retrying cannot help (a missing command, a rejected client secret): no automatic restart. */
  permanent?: boolean;
  /** The backend that failed, for a backend's failure. */
  backend?: string;
  /** The stage at which a backend's start failed, when it is known. */
  stage?: ErrorStage;
  /** The JSON-RPC error the host gets for this failure of a forwarded request (a backend's own code and data). */
  rpc?: RpcError;
}

/** A failure as a JSON-RPC error carries it: the numeric code and the data (the message is the error's). */
export interface RpcError {
  code: number;
  data?: unknown;
}

export class SentinelError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly issues: Issue[];
  readonly file?: string;
  readonly permanent: boolean;
  readonly backend?: string;
  readonly stage?: ErrorStage;
  readonly rpc?: RpcError;

  constructor(code: ErrorCode, message: string, options: SentinelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SentinelError';
    this.code = code;
    this.hint = options.hint;
    this.issues = options.issues ?? [];
    this.file = options.file;
    this.permanent = options.permanent ?? false;
    this.backend = options.backend;
    this.stage = options.stage;
    this.rpc = options.rpc;
  }

  /** Exit code for the CLI: 2 for usage and configuration problems, 1 for operational failures. */
  get exitCode(): 1 | 2 {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONFIG_NOT_FOUND',
  'CONFIG_UNREADABLE',
  'CONFIG_PARSE',
  'CONFIG_INVALID',
  'SECRET_INVALID_NAME',
  'HOST_CONFIG',
  'USAGE',
]);

export function isSentinelError(error: unknown): error is SentinelError {
  return error instanceof SentinelError;
}

/**
 * A short, secret-free description of any thrown value, for logs and error results: the one place a
 * SentinelError's message and hint are put together.
 */
export function describeError(error: unknown): string {
  if (error instanceof SentinelError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
