/**
 * The ForwardChannel of a Streamable HTTP or SSE backend: each message the forwarder sends is one POST
 * over the keep-alive path (direct-send.ts) with the session's headers and the backend's auth, and each
 * message of its reply goes to the forwarder's sink as soon as it is complete (reply-reader.ts); what the
 * sink declines (a reverse request or a log message sent while the call runs) goes on to the session's
 * SDK client. For a legacy SSE backend the POST is only accepted (202); the reply arrives on the session's
 * GET stream, which the SDK transport keeps and the shared channel (the demux) offers to the same sink.
 *
 * The SDK client keeps the session (initialize, lists, the GET stream, renewal): this channel only reads
 * its URL, session id and protocol version, per request, through `HttpSession`.
 */
import { Readable } from 'node:stream';
import type { FetchLike, JSONRPCMessage } from '@modelcontextprotocol/client';
import { SentinelError } from '../../errors.js';
import type { ForwardChannel, ForwardSink, OutgoingMessage } from '../forwarder/channel.js';
import { RpcCode, closedError } from '../forwarder/outcomes.js';
import { DIRECT_SEND, RAW_BODY, directSend, type DirectResponse } from './direct-send.js';
import { readReply, type ByteSource } from './reply-reader.js';
import { retryWait } from './event-lines.js';
import { ReplyBudget } from './reply-budget.js';
import { sendFailure, statusError } from './status-error.js';
import { encodeLine } from '../../jsonrpc.js';

export interface HttpSession {
  readonly kind: 'streamable-http' | 'sse';
  /** Where POSTs go: the server's URL, or the SSE session's endpoint; undefined while there is none. */
  endpoint(): URL | undefined;
  /** The session's own headers (`mcp-session-id`, `mcp-protocol-version`), as the SDK transport sends them. */
  headers(): Record<string, string>;
  /** A message of a POST reply that is not the forwarder's: on to the SDK client of the session. */
  passOn(message: JSONRPCMessage): void;
}

export interface HttpChannelOptions {
  backend: string;
  session: HttpSession;
  /** The backend's auth strategy fetch (it adds credentials and handles 401s); its base sends DIRECT_SEND. */
  fetch: FetchLike;
  maxResponseBytes: number;
  /**
   * The channel of the SDK transport the session shares (the demux): it gets the same sink, so replies on
   * the session's own streams reach the forwarder, and it sends while this channel has no endpoint.
   */
  shared?: ForwardChannel;
}

const STREAMABLE_ACCEPT = 'application/json, text/event-stream';
/** How long to wait before resuming a stream whose server gave no `retry:` (the SDK client's default). */
const DEFAULT_RETRY_MS = 1_000;
/** How long a reply's event stream may stay open after its answer. */
const ANSWERED_STREAM_GRACE_MS = 5_000;
/** Resumptions of one reply at most, so a server that closes every stream cannot hold a request forever. */
const MAX_RESUMES = 5;

/** One reply across its streams: the POST's, then each GET that resumes it. */
interface ReplyState {
  /** What the earlier streams received counts against what a resumed one may send. */
  budget: ReplyBudget;
  resumes: number;
  /** The last event `id:` received on any of its streams, and the server's last `retry:` wait. */
  lastEventId?: string;
  retryMs: number;
}

export class HttpForwardChannel implements ForwardChannel {
  private sink?: ForwardSink;
  /** A POST failed below HTTP (the server is unreachable): the connection renews the session. */
  onlost?: (why: string) => void;

  constructor(private readonly options: HttpChannelOptions) {}

  attach(sink: ForwardSink): void {
    this.sink = sink;
    this.options.shared?.attach(sink);
  }

  async send(message: OutgoingMessage, signal?: AbortSignal): Promise<void> {
    const { session, backend, shared } = this.options;
    const url = session.endpoint();
    if (!url) {
      if (shared) return shared.send(message, signal);
      throw closedError(backend, 'has no session open');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', ...session.headers() };
    if (session.kind === 'streamable-http') headers.accept = STREAMABLE_ACCEPT;
    const init = {
      method: 'POST',
      headers,
      body: postBody(message),
      signal,
      [DIRECT_SEND]: directSend,
    };
    let response: Response;
    try {
      response = await this.options.fetch(url, init);
    } catch (error) {
      const failure = sendFailure(backend, error, signal);
      if (failure.lost) this.onlost?.(failure.lost);
      throw failure.error;
    }
    if (response.status >= 400) {
      const bound = session.kind === 'sse' || 'mcp-session-id' in headers;
      throw await statusError(backend, response, response.status === 404 && bound);
    }
    const id = message.id;
    const type = response.headers.get('content-type') ?? '';
    const eventStream = type.includes('text/event-stream');
    const json = type.includes('json');
    if (
      id !== undefined &&
      session.kind === 'streamable-http' &&
      response.status !== 202 &&
      (eventStream || json)
    )
      return this.read(bodyOf(response), eventStream, id, signal, {
        budget: new ReplyBudget(backend, this.options.maxResponseBytes),
        resumes: 0,
        retryMs: DEFAULT_RETRY_MS,
      });
    await response.body?.cancel().catch(() => undefined);
    if (id !== undefined && session.kind === 'streamable-http') {
      throw new SentinelError(
        'BACKEND_HTTP_STATUS',
        `backend "${backend}" answered a request with HTTP ${response.status} and no JSON-RPC reply (content type "${type}")`,
        { backend, rpc: { code: RpcCode.InternalError } },
      );
    }
  }

  /** Reads one stream of the reply to `id`. */
  private read(
    body: ByteSource,
    eventStream: boolean,
    id: string,
    signal: AbortSignal | undefined,
    reply: ReplyState,
  ): void {
    const { backend, session } = this.options;
    let answered = false;
    readReply(body, eventStream, reply.budget, {
      message: (message) => {
        if ('id' in message && message.id === id && !('method' in message)) {
          answered = true;
          if (eventStream) closeAfterAnswer(body);
        }
        if (!this.sink?.message(message)) session.passOn(message);
      },
      position: (field, value) => {
        if (field === 'id') reply.lastEventId = value;
        else reply.retryMs = retryWait(value) ?? reply.retryMs;
      },
      end: (error) => {
        if (answered || signal?.aborted) return;
        // A resumable stream closed before its answer (the server's way to shed the connection): the
        // rest comes on a GET with Last-Event-ID, after the server's `retry:` wait.
        const { lastEventId } = reply;
        if (!error && eventStream && lastEventId !== undefined && reply.resumes < MAX_RESUMES) {
          reply.resumes++;
          this.resume(id, reply, lastEventId, signal);
          return;
        }
        this.sink?.failed(id, error instanceof SentinelError ? error : brokenReply(backend, error));
      },
    });
  }

  /** Goes on with a POST's event stream on a GET from its last event id, the server's wait after it closed. */
  private resume(id: string, reply: ReplyState, lastEventId: string, signal: AbortSignal | undefined) {
    const { backend, session } = this.options;
    const fail = (error: unknown) => {
      if (signal?.aborted) return;
      this.sink?.failed(id, error instanceof SentinelError ? error : brokenReply(backend, error as Error));
    };
    const onAbort = () => clearTimeout(timer);
    const timer = setTimeout(async () => {
      signal?.removeEventListener('abort', onAbort);
      const url = session.endpoint();
      if (!url || signal?.aborted) return fail(undefined);
      const headers = { ...session.headers(), accept: 'text/event-stream', 'last-event-id': lastEventId };
      try {
        const init = { method: 'GET', headers, signal, [DIRECT_SEND]: directSend };
        const response = await this.options.fetch(url, init);
        // Never "session expired" here: the request already ran, and that error would have it sent again.
        if (response.status >= 400) throw await statusError(backend, response, false);
        if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
          await response.body?.cancel().catch(() => undefined);
          return fail(undefined);
        }
        this.read(bodyOf(response), true, id, signal, reply);
      } catch (error) {
        fail(sendFailure(backend, error, signal).error);
      }
    }, reply.retryMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  }
}

/**
 * A reply's event stream, once it has carried the answer: the server should end it; one that keeps it open
 * (buggy or hostile) would hold a pooled connection per call, so it is cut after a grace period.
 */
function closeAfterAnswer(body: ByteSource): void {
  const timer = setTimeout(() => body.destroy(), ANSWERED_STREAM_GRACE_MS);
  timer.unref();
  const settled = () => clearTimeout(timer);
  body.on('end', settled);
  body.on('error', settled);
}

/**
 * The POST body of a message: its JSON as bytes, with large tool arguments spliced in from the host's own
 * text (json-splice.ts). Throws when it cannot be encoded (the forwarder fails the request with it).
 */
function postBody(message: OutgoingMessage): string | Buffer {
  const encoded = encodeLine(message);
  if ('problem' in encoded) throw new Error(`the message could not be encoded: it ${encoded.problem}`);
  return Array.isArray(encoded.line) ? Buffer.concat(encoded.line) : encoded.line;
}

function brokenReply(backend: string, error: Error | undefined): SentinelError {
  return new SentinelError(
    'BACKEND_DOWN',
    error
      ? `backend "${backend}" broke off its reply: ${error.message}`
      : `backend "${backend}" ended its reply without answering the request`,
    { backend, cause: error, rpc: { code: RpcCode.ConnectionClosed } },
  );
}

/** The body as a byte source: undici's stream as it is, a fetch Response's (a DPoP request) adapted. */
function bodyOf(response: Response): ByteSource {
  const raw = (response as unknown as Partial<DirectResponse>)[RAW_BODY];
  if (raw) return raw;
  if (!response.body) return Readable.from([]);
  return Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
}
