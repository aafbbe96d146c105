/**
 * The fetch under a remote backend's SDK transport, guarding us against the server on the other side:
 * - the request's own abort signal (request-scope.ts): a request that times out or is cancelled closes
 *   its socket instead of leaving it to undici's minutes-long timeouts;
 * - a cap on every response body (`settings.maxResponseBytes`, http-channel/reply-budget.ts), enforced
 *   while it streams; a session's long-lived event stream (the GET stream; a 2026-07-28
 *   `subscriptions/listen` stream) is a session and not one response, so there the cap is on each event
 *   (the SDK holds an event whole until it ends). A GET made for a request
 *   resumes that request's reply (Last-Event-ID): it goes on with the reply's budget (request-scope.ts),
 *   and a cut body fails its request when the session asked to be told (`cut`);
 * - reading pauses while the host is not reading our output (src/output-gate.ts), so a slow host slows
 *   the server instead of filling our memory;
 * - an error status keeps its code and a short summary of its body (first line, HTML stripped, redacted,
 *   ~200 characters): the SDK puts the whole body into its error message, and a 512 KB proxy error page
 *   must not become a 512 KB tool error. The body itself goes to the debug log once, cut short. For a
 *   2026-07-28 session (`rpcErrorBodies`), a 400 whose body is a JSON-RPC error passes on as it came:
 *   the v2 client reads it as the request's answer.
 *
 * Not here: credentials and redirects (src/auth), which sit below this in the same fetch.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { clip, type Logger } from '../log.js';
import { hostOutput } from '../output-gate.js';
import { EventBudget, ReplyBudget, type BodyBudget } from './http-channel/reply-budget.js';
import { currentRequest, takeRequestSignal, type RequestScope } from './request-scope.js';

export interface GuardOptions {
  backend: string;
  maxResponseBytes: number;
  log: Logger;
  /** A 400 whose body is a JSON-RPC error keeps that body (the 2026-07-28 client reads it). */
  rpcErrorBodies?: boolean;
}

/** How much of an error body is read to summarise it; the rest is never read. */
const ERROR_BODY_BYTES = 16 * 1024;
const SUMMARY_CHARS = 200;
/** Statuses whose responses never have a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function guardFetch(fetch: FetchLike, options: GuardOptions): FetchLike {
  const cutStreams = new CutStreams(options);
  return async (url, init) => {
    if (cutStreams.refuses(init))
      return new Response(null, { status: 405, statusText: 'Method Not Allowed' });
    const request = currentRequest();
    const abandon = takeRequestSignal();
    const signal = !abandon ? init?.signal : init?.signal ? AbortSignal.any([init.signal, abandon]) : abandon;
    const response = await fetch(url, signal === init?.signal ? init : { ...init, signal });
    if (!response.body || NULL_BODY.has(response.status)) return response;
    if (response.status >= 400) return summarised(response, options);
    const budget = budgetOf(init, request, options);
    return rebuilt(
      response,
      guardedBody(response.body, budget, request, () => cutStreams.cut(init)),
    );
  };
}

/** Cuts of streams opened without a Last-Event-ID after which such a GET is refused too. */
const CUTS_WITHOUT_ID = 3;
/** At most this many Last-Event-IDs of cut streams are remembered. */
const CUT_IDS_KEPT = 64;

/**
 * The GET streams that were cut. A server that sends the event that was too large again (from the same
 * Last-Event-ID, or from its start when it gives no ids) would be read and cut again, about once a second,
 * for ever: the SDK counts its reconnection attempts afresh after every stream that opens. Such a GET is
 * answered 405 without reaching the server, as a server without a GET stream answers; the SDK then ends
 * that stream, and the session goes on without it.
 */
class CutStreams {
  private readonly ids = new Set<string>();
  private withoutId = 0;

  constructor(private readonly options: GuardOptions) {}

  refuses(init: RequestInit | undefined): boolean {
    const id = resumedFrom(init);
    if (id === null) return false;
    const refused = id === undefined ? this.withoutId >= CUTS_WITHOUT_ID : this.ids.has(id);
    if (refused)
      this.options.log.warn(
        `${this.options.backend}: the server sends again what was too large for settings.maxResponseBytes; its event stream is given up`,
      );
    return refused;
  }

  cut(init: RequestInit | undefined): void {
    const id = resumedFrom(init);
    if (id === undefined) this.withoutId++;
    else if (id !== null && this.ids.size < CUT_IDS_KEPT) this.ids.add(id);
  }
}

/** A GET event stream's Last-Event-ID (undefined without one); null for any other request. */
function resumedFrom(init: RequestInit | undefined): string | undefined | null {
  if ((init?.method ?? 'GET').toUpperCase() !== 'GET' || !isSessionStream(init)) return null;
  const given = init?.headers;
  return (given instanceof Headers ? given : new Headers(given)).get('last-event-id') ?? undefined;
}

/**
 * What the body counts against: a fresh reply budget, the budget of the reply it resumes, or for a
 * session's stream the size of each event.
 */
function budgetOf(
  init: RequestInit | undefined,
  request: RequestScope | undefined,
  options: GuardOptions,
): BodyBudget {
  const { backend, maxResponseBytes } = options;
  if (isSessionStream(init)) {
    const resumed = (init?.method ?? 'GET').toUpperCase() === 'GET' ? request?.budget : undefined;
    return resumed ?? new EventBudget(backend, maxResponseBytes);
  }
  const budget = new ReplyBudget(backend, maxResponseBytes);
  // The request's own POST comes first in its scope; a later one (the answer to a backend's request sent
  // on the reply's stream) must not give the reply's resumptions a fresh budget.
  if (request && !request.budget) request.budget = budget;
  return budget;
}

function rebuilt(response: Response, body: ReadableStream<Uint8Array> | string): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** A GET event stream, or a 2026-07-28 `subscriptions/listen` POST: a session's stream, not one reply. */
function isSessionStream(init: RequestInit | undefined): boolean {
  const given = init?.headers;
  const headers = given instanceof Headers ? given : new Headers(given);
  if ((init?.method ?? 'GET').toUpperCase() !== 'GET')
    return headers.get('mcp-method') === 'subscriptions/listen';
  return (headers.get('accept') ?? '').includes('text/event-stream');
}

/** `body`, read only on demand, only while the host reads, and cut off past its `budget`. */
function guardedBody(
  body: ReadableStream<Uint8Array>,
  budget: BodyBudget,
  request: RequestScope | undefined,
  onCut: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const wait = hostOutput.whenOpen();
        if (wait) await wait;
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const error = budget.take(value);
        if (error) {
          onCut();
          request?.cut?.(error);
          controller.error(error);
          // Cancelling the body closes the connection: the server cannot keep us reading.
          await reader.cancel(error).catch(() => undefined);
          return;
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

async function summarised(response: Response, options: GuardOptions): Promise<Response> {
  const text = await readHead(response.body!, ERROR_BODY_BYTES);
  if (options.rpcErrorBodies && response.status === 400 && isRpcError(text)) return rebuilt(response, text);
  const line = summariseBody(text, response.headers.get('content-type'));
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  options.log.debug(`${status} from the server: ${clip(text, 2_000)}`);
  return rebuilt(response, line ? `${status}: ${line}` : status);
}

/**
 * Whether `text` is one JSON-RPC error response to a request (one cut short at ERROR_BODY_BYTES never
 * is). Without a request id (`null`, for a parse error) the client cannot take it as an answer and puts
 * the whole body in its error message: that body is summarised like any other.
 */
function isRpcError(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { jsonrpc?: unknown; id?: unknown; error?: unknown } | null;
    const answers = typeof parsed?.id === 'string' || typeof parsed?.id === 'number';
    return answers && parsed?.jsonrpc === '2.0' && typeof parsed.error === 'object' && parsed.error !== null;
  } catch {
    return false;
  }
}

/** The first `max` bytes of a body as text; the rest is cancelled unread. */
async function readHead(body: ReadableStream<Uint8Array>, max: number): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // what arrived is enough to summarise
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/**
 * The first non-empty line of a body, HTML tags and entities taken out, redacted, ~200 characters; an HTML
 * page with a title is `an HTML page ("<title>")`, the words failure-text.ts and doctor show for it.
 */
export function summariseBody(text: string, contentType: string | null): string {
  const html = /html|xml/i.test(contentType ?? '') || /^\s*</.test(text);
  const title = html ? /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] : undefined;
  const named = title && decodeEntities(title).replace(/\s+/g, ' ').trim();
  if (named) return `an HTML page ("${clip(named, 80, '…')}")`;
  const plain = html ? decodeEntities(stripTags(text)) : text;
  for (const raw of plain.split(/\r?\n/)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (line) return clip(line, SUMMARY_CHARS, '…');
  }
  return '';
}

/** Tags become line breaks; script and style elements go whole. Linear in the text, whatever it holds. */
function stripTags(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open === -1) return out + html.slice(at);
    out += html.slice(at, open);
    const close = html.indexOf('>', open);
    if (close === -1) return out;
    at = close + 1;
    const name = /^[a-z]+/.exec(lower.slice(open + 1, open + 8))?.[0];
    if (name === 'script' || name === 'style') {
      const end = lower.indexOf(`</${name}`, at);
      at = end === -1 ? html.length : end;
    }
    out += '\n';
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,6}|#x[0-9a-f]{1,6}|[a-z]{2,6});/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const name = entity.toLowerCase();
    return Object.hasOwn(ENTITIES, name) ? ENTITIES[name]! : whole;
  });
}
