/**
 * Reads the reply body of one forwarded POST as it arrives, and hands over every JSON-RPC message in it
 * the moment it is complete: an `application/json` body (one message or a batch) at its end, a
 * `text/event-stream` body event by event, so progress notifications reach the host before the result.
 *
 * It enforces `settings.maxResponseBytes` on the bytes received (reply-budget.ts; cutting the connection
 * past it, as http-guard.ts does for the SDK's requests) and stops reading while the host is not reading our output
 * (src/output-gate.ts). The caller's abort destroys the stream; what was already complete stays delivered.
 */
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { SentinelError } from '../../errors.js';
import { hostOutput } from '../../output-gate.js';
import type { ReplyBudget } from './reply-budget.js';
import { rememberSpan, SPLICE_MIN_CHARS } from '../../json-splice.js';
import { EventStreamLines } from './event-lines.js';
import { exceedsDepth } from '../../jsonrpc.js';

export interface ReplyHandlers {
  message(message: JSONRPCMessage): void;
  /** The body ended (`error` undefined) or broke; called once, after the last message. */
  end(error?: SentinelError | Error): void;
  /** An event stream's `id:` (where a resumed stream goes on from) and `retry:` (how long to wait first). */
  position?(field: 'id' | 'retry', value: string): void;
}

/** The body as the reader needs it: undici's Readable, or a WHATWG stream adapted to it (channel.ts). */
export interface ByteSource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(error?: Error): unknown;
}

export function readReply(
  body: ByteSource,
  eventStream: boolean,
  /** The reply's budget, shared with the earlier streams of the reply when this body resumes it. */
  budget: ReplyBudget,
  handlers: ReplyHandlers,
): void {
  const decoder = new StringDecoder('utf8');
  const parse = eventStream ? eventParser(handlers) : undefined;
  const json = eventStream ? undefined : jsonCollector(handlers);
  let ended = false;
  const end = (error?: Error) => {
    if (ended) return;
    ended = true;
    handlers.end(error);
  };
  body.on('data', (chunk: Buffer) => {
    if (ended) return;
    const error = budget.take(chunk);
    if (error) {
      end(error);
      // Destroying the body closes the connection: the server cannot keep us reading.
      body.destroy(error);
      return;
    }
    const wait = hostOutput.whenOpen();
    if (wait) {
      body.pause();
      void wait.then(() => body.resume());
    }
    try {
      if (json) json.push(chunk);
      else parse!.push(decoder.write(chunk));
    } catch (error) {
      end(error as Error);
      body.destroy();
    }
  });
  body.on('error', (error) => end(error));
  body.on('end', () => {
    if (ended) return;
    try {
      if (json) json.finish();
      else parse!.push(decoder.end());
      end();
    } catch (error) {
      end(error as Error);
    }
  });
}

interface Parser {
  push(text: string): void;
}

/**
 * Hands over the message(s) of `text`. A large single message keeps where its result is in the text, so
 * that it can be written to the host from there (json-splice.ts); `ascii` is the text's bytes when pure.
 */
function deliverJson(text: string, handlers: ReplyHandlers, ascii?: Buffer): void {
  const parsed: unknown = JSON.parse(text);
  // A spliced result is written on as it came, so its nesting is checked here, as every other path
  // checks its lines (a message too deep is re-encoded instead, and the encoder refuses it).
  if (!Array.isArray(parsed) && text.length >= SPLICE_MIN_CHARS && !exceedsDepth(ascii ?? text))
    rememberSpan(parsed, text, ascii, ['result']);
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
    if (typeof message === 'object' && message !== null) handlers.message(message as JSONRPCMessage);
  }
}

/** An `application/json` body: its bytes collected, decoded and parsed once it is complete. */
function jsonCollector(handlers: ReplyHandlers): { push(chunk: Buffer): void; finish(): void } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push: (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
    },
    finish: () => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      // Pure ASCII decodes as Latin-1 to the same string, faster (as the stdio line reader does).
      const ascii = bytes.length > 256 && isAscii(bytes);
      const text = ascii ? bytes.toString('latin1') : bytes.toString('utf8');
      if (text.trim()) deliverJson(text, handlers, ascii ? bytes : undefined);
    },
  };
}

/**
 * A `text/event-stream` body (the WHATWG event-stream rules that matter here: `data:` lines joined by
 * newlines, dispatched at a blank line, `event:` other than `message` ignored, comments skipped). Text
 * without a line break is only collected, so a 1 MB event arriving in many chunks is joined once.
 */
function eventParser(handlers: ReplyHandlers): Parser {
  let data: string[] = [];
  let event = '';

  const line = (text: string) => {
    if (text === '') {
      // An event whose data is empty is never dispatched (a resumable server's priming event is one).
      const joined = data.length === 1 ? data[0]! : data.join('\n');
      if (joined !== '' && (event === '' || event === 'message')) deliverJson(joined, handlers);
      data = [];
      event = '';
      return;
    }
    if (text.charCodeAt(0) === 58 /* : */) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' || field === 'retry') handlers.position?.(field, value);
  };

  const lines = new EventStreamLines(line);
  return { push: (text) => lines.push(text) };
}
