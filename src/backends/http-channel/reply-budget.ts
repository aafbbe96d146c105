/**
 * The byte budget of one reply from a remote backend (settings.maxResponseBytes): every reader of a
 * reply's body counts what arrives against it, and cuts the body once past it. A reply may come on more
 * than one HTTP response (its POST's event stream, then the GETs that resume it with Last-Event-ID after
 * the server dropped it): they all share the reply's one budget, so that dropping and resuming never buys
 * a server a fresh allowance.
 *
 * Both readers use it: reply-reader.ts (the forwarder's keep-alive path) and http-guard.ts (the SDK
 * transports' fetch).
 */
import { SentinelError } from '../../errors.js';
import { RpcCode } from '../forwarder/outcomes.js';

export class ReplyBudget {
  private received = 0;

  constructor(
    private readonly backend: string,
    readonly limit: number,
  ) {}

  /** Counts `bytes` more of the reply; returns the error to cut it with once it is past the limit. */
  take(bytes: number): SentinelError | undefined {
    this.received += bytes;
    return this.received > this.limit ? tooLarge(this.backend, this.limit) : undefined;
  }
}

export function tooLarge(backend: string, limit: number): SentinelError {
  return new SentinelError(
    'RESPONSE_TOO_LARGE',
    `backend "${backend}" sent a response body larger than ${limit} bytes (settings.maxResponseBytes); it was cut off`,
    {
      hint: 'raise settings.maxResponseBytes if such responses are expected',
      backend,
      rpc: { code: RpcCode.InternalError },
    },
  );
}
