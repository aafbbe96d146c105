/**
 * The GET event stream of an SSE backend's session, read by us first. A legacy SSE server answers every
 * POST on that stream, so the replies to forwarded requests (and their progress) arrive there. Every
 * message on it is parsed here once and delivered (`deliver`: to the demux, as the SDK transport would,
 * which offers it to the forwarder first), in the order it came; the SDK transport would decode it again
 * through web streams and validate the whole message against its schemas. Every other event (the
 * endpoint, comments) and anything that is not a well-formed JSON-RPC message within the depth limit (as
 * on stdio) is passed on to the SDK transport as it came, so the session stays the SDK's and so do its
 * errors.
 *
 * Where the stream resumes is kept here too, since the event source no longer sees every event (and the
 * SDK transport leaves its Last-Event-ID header out): the event `id:` last received, taken events'
 * included, goes on each reconnect of the event source as Last-Event-ID, and a taken event's `retry:`
 * still reaches the event source. Every `retry:` wait is taken up to 30 s (MAX_RETRY_MS).
 */
import { StringDecoder } from 'node:string_decoder';
import type { FetchLike, JSONRPCMessage } from '@modelcontextprotocol/client';
import { exceedsDepth, isJsonRpcMessage } from '../../jsonrpc.js';
import { rememberSpan, SPLICE_MIN_CHARS } from '../../json-splice.js';
import { EventStreamLines, retryWait } from './event-lines.js';

export class EventStreamTap {
  /** Where the stream's messages go (the transport's own `onmessage`, which the demux set). */
  deliver?: (message: JSONRPCMessage) => void;
  /** The last event id the server gave on the session's stream ('' for none): where a reconnect resumes. */
  private lastEventId = '';

  /**
   * `fetch` for the SDK's event source: the event stream it returns has the taken messages left out, and a
   * reconnect asks to resume from the last event received.
   */
  wrap(fetch: FetchLike): FetchLike {
    return async (url, init) => {
      const response = await fetch(url, this.resuming(init));
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !response.body || !type.includes('text/event-stream')) return response;
      const body = this.filtered(response.body as ReadableStream<Uint8Array>);
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
  }

  private resuming(init: RequestInit | undefined): RequestInit | undefined {
    if (!this.lastEventId) return init;
    const headers = new Headers(init?.headers);
    headers.set('last-event-id', this.lastEventId);
    return { ...init, headers };
  }

  private filtered(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = source.getReader();
    const decoder = new StringDecoder('utf8');
    const encoder = new TextEncoder();
    const events = new EventSplitter(
      (data) => this.offer(data),
      (id) => (this.lastEventId = id),
    );
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const rest = events.push(decoder.end());
            if (rest) controller.enqueue(encoder.encode(rest));
            controller.close();
            return;
          }
          const passed = events.push(
            decoder.write(Buffer.from(value.buffer, value.byteOffset, value.length)),
          );
          if (passed) {
            controller.enqueue(encoder.encode(passed));
            return;
          }
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }

  /** True when the event's data was a message, and was delivered. */
  private offer(data: string): boolean {
    if (!this.deliver || data.charCodeAt(0) !== 0x7b /* { */) return false;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return false; // the SDK transport reports it
    }
    if (!isJsonRpcMessage(message) || exceedsDepth(data)) return false;
    if (data.length >= SPLICE_MIN_CHARS && 'result' in message)
      rememberSpan(message, data, undefined, ['result']);
    this.deliver(message);
    return true;
  }
}

/**
 * Splits event-stream text into events (lines up to a blank one) and returns the text of those to pass on,
 * as they came (line ends made `\n`, a `retry:` past MAX_RETRY_MS lowered to it). A `message` event whose
 * data `take` delivers is left out, but for its `retry:`. Each event's `id:` goes to `position`. Text
 * without a line end is only collected, so a 1 MB event arriving in many chunks is joined once.
 */
class EventSplitter {
  private readonly splitter = new EventStreamLines((line) => (this.out += this.line(line)));
  /** The text to pass on from the chunk being pushed. */
  private out = '';
  private lines: string[] = [];
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private retry: string | undefined;

  constructor(
    private readonly take: (data: string) => boolean,
    private readonly position: (id: string) => void,
  ) {}

  push(text: string): string {
    this.out = '';
    this.splitter.push(text);
    return this.out;
  }

  /** One line; at a blank line, the event's text to pass on ('' when taken). */
  private line(text: string): string {
    if (text !== '') {
      this.field(text);
      return '';
    }
    const { lines, id, retry } = this;
    const isMessage = this.event === '' || this.event === 'message';
    const data = this.data.length === 1 ? this.data[0]! : this.data.join('\n');
    this.lines = [];
    this.data = [];
    this.event = '';
    this.id = this.retry = undefined;
    // The format sets the last event id at the end of every event, one without data included.
    if (id !== undefined) this.position(id);
    if (isMessage && data !== '' && this.take(data)) return retry === undefined ? '' : `${retry}\n\n`;
    return lines.length > 0 ? `${lines.join('\n')}\n\n` : '\n';
  }

  /** One line of the event being collected: kept to pass on, and read if it is a field of ours. */
  private field(text: string): void {
    if (text.startsWith('data:')) this.data.push(text.charCodeAt(5) === 32 ? text.slice(6) : text.slice(5));
    else if (text.startsWith('event:')) this.event = text.slice(text.charCodeAt(6) === 32 ? 7 : 6);
    else if (text === 'id' || text.startsWith('id:')) {
      const value = text.charCodeAt(3) === 32 ? text.slice(4) : text.slice(3);
      if (!value.includes('\0')) this.id = value; // an id with NUL is ignored, as the format says
    } else if (text.startsWith('retry:')) {
      const wait = retryWait(text.slice(text.charCodeAt(6) === 32 ? 7 : 6));
      if (wait !== undefined) text = this.retry = `retry: ${wait}`;
    }
    this.lines.push(text);
  }
}
