/**
 * The byte budget of one reply from a remote backend (settings.maxResponseBytes): every reader of a
 * reply's body counts what arrives against it, and cuts the body once past it. A reply may come on more
 * than one HTTP response (its POST's event stream, then the GETs that resume it with Last-Event-ID after
 * the server dropped it): they all share the reply's one budget, so that dropping and resuming never buys
 * a server a fresh allowance.
 *
 * Both readers use it: reply-reader.ts (the forwarder's keep-alive path) and http-guard.ts (the SDK
 * transports' fetch).
 *
 * A session's long-lived event stream (the GET stream, a 2026-07-28 `subscriptions/listen` stream) is no
 * one reply and has no such budget, but each of its events is held whole until it ends: EventBudget caps
 * the event being received at the same size, so an event that never ends cannot fill our memory either.
 */
import { SentinelError } from '../../errors.js';
import { RpcCode } from '../forwarder/outcomes.js';

/** What a reader counts each chunk of a body against; the error to cut the body with once past it. */
export interface BodyBudget {
  take(chunk: Uint8Array): SentinelError | undefined;
}

export class ReplyBudget implements BodyBudget {
  private received = 0;

  constructor(
    private readonly backend: string,
    readonly limit: number,
  ) {}

  /** Counts `chunk` as more of the reply; returns the error to cut it with once it is past the limit. */
  take(chunk: Uint8Array): SentinelError | undefined {
    this.received += chunk.byteLength;
    return this.received > this.limit ? tooLarge(this.backend, this.limit) : undefined;
  }
}

const LF = 10;
const CR = 13;
/** Two line ends in a row, CR LF (one line end) aside: where an event of an event stream ends. */
const EVENT_ENDS = [Buffer.from('\n\n'), Buffer.from('\r\r'), Buffer.from('\n\r')];

/** The size of the event being received on a session's event stream (bytes since the last blank line). */
export class EventBudget implements BodyBudget {
  private size = 0;
  /** The last byte of the previous chunk, for an event end cut between two chunks. */
  private lastByte = -1;

  constructor(
    private readonly backend: string,
    readonly limit: number,
  ) {}

  take(chunk: Uint8Array): SentinelError | undefined {
    if (chunk.byteLength === 0) return undefined;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let end = -1;
    for (const pair of EVENT_ENDS) end = Math.max(end, bytes.lastIndexOf(pair));
    if (end !== -1) this.size = bytes.length - end - 2;
    else if (isLineEnd(this.lastByte) && isLineEnd(bytes[0]!) && !(this.lastByte === CR && bytes[0] === LF))
      this.size = bytes.length - 1;
    else this.size += bytes.length;
    this.lastByte = bytes[bytes.length - 1]!;
    return this.size > this.limit ? tooLarge(this.backend, this.limit) : undefined;
  }
}

function isLineEnd(byte: number): boolean {
  return byte === LF || byte === CR;
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
