/**
 * The host side of stdio: JSON-RPC lines in on our stdin, out on our stdout. It owns the promise that every
 * request the host sends gets exactly one response, and nothing else does.
 *
 * Why not the SDK's StdioServerTransport: it answers nothing to a line that is not JSON or not JSON-RPC
 * (the host waits forever), closes the whole session when a message is over its 10 MiB buffer, lets a
 * request id be reused while in flight (two answers to one id), and does not notice stdin EOF
 * (typescript-sdk #2002; src/cli/shutdown.ts handles that).
 */
import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage, RequestId, Transport } from '@modelcontextprotocol/server';
import { LineReader } from '../backends/line-reader.js';
import { rememberSpan, SPLICE_MIN_CHARS } from '../json-splice.js';
import { RateLimiter } from '../backends/rate-limit.js';
import { MAX_MESSAGE_BYTES } from '../backends/stdio-transport.js';
import type { Logger } from '../log.js';
import { hostOutput } from '../output-gate.js';
import { batchWrites, joinBatch } from '../write-batch.js';
import { needsRedaction, redactForHost } from './outbound-redaction.js';
import {
  encodeLine,
  exceedsDepth,
  isJsonRpcMessage,
  JsonRpcErrorCode,
  keyOf,
  MAX_JSON_DEPTH,
  writeLine,
} from '../jsonrpc.js';

export { isJsonRpcMessage };

export interface HostTransportOptions {
  stdin?: Readable;
  stdout?: Writable;
  log: Logger;
  maxMessageBytes?: number;
  /** How long the host may leave its output unread before it counts as gone (see `onStalled`). */
  stallTimeoutMs?: number;
  /** The host has read nothing for `stallTimeoutMs` while output waited: it is treated as gone. */
  onStalled?: (idleMs: number) => void;
}

/**
 * Output queued for the host beyond which backends stop being read (see src/output-gate.ts). With what is
 * already on its way (one chunk per backend, one message of at most 10 MiB being written), this is the
 * bound on memory held for a slow host.
 */
export const HOST_QUEUE_HIGH_WATER = 4 * 1024 * 1024;

/** A bad message's object and its id (string or finite number; null otherwise), to answer it. */
function parts(value: unknown): { object?: Record<string, unknown>; id: RequestId | null } {
  const object = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  const rawId = object?.id;
  const id =
    typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId)) ? rawId : null;
  return { object, id };
}

export class HostStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Requests of the host that are still owed a response, by `keyOf(id)`. */
  private readonly pending = new Map<string, RequestId>();
  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly reader: LineReader;
  private readonly complaints = new RateLimiter(1, 10);
  private initializeKey?: string;
  private reading = false;
  private closed = false;

  constructor(private readonly options: HostTransportOptions) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
    const max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.reader = new LineReader({
      maxLineBytes: max,
      onLine: (line, ascii) => this.handleLine(line, ascii),
      onOverflow: (bytes) =>
        this.reject(
          null,
          JsonRpcErrorCode.InvalidRequest,
          `Invalid Request: a message larger than ${max} bytes was discarded (${bytes} bytes so far)`,
        ),
    });
  }

  /** How many host requests are waiting for their response. */
  get inFlight(): number {
    return this.pending.size;
  }

  // What one chunk of requests sends to backends leaves in one write per backend (write-batch.ts).
  private readonly onData = (chunk: Buffer | string) =>
    batchWrites(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, this.reader);
  private readonly onEnd = () => this.reader.end();
  private readonly onStdinError = (error: Error) => this.onerror?.(error);

  /** Idempotent: `serve` starts reading before the SDK server exists. */
  async start(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('end', this.onEnd);
    this.stdin.on('error', this.onStdinError);
    // A host that vanishes turns our writes into EPIPE; shutdown notices through stdin.
    this.stdout.on('error', this.onStdinError);
    joinBatch(this.stdout);
  }

  private handleLine(line: string, ascii?: Buffer): void {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.reject(null, JsonRpcErrorCode.ParseError, 'Parse error: the message is not valid JSON');
      return;
    }
    if (exceedsDepth(line)) {
      this.handleTooDeep(parsed);
      return;
    }
    if (Array.isArray(parsed)) {
      this.reject(
        null,
        JsonRpcErrorCode.InvalidRequest,
        'Invalid Request: JSON-RPC batches are not supported (MCP removed them in 2025-06-18)',
      );
      return;
    }
    if (!isJsonRpcMessage(parsed)) {
      this.handleInvalid(parsed);
      return;
    }
    const message = parsed;
    if ('method' in message && 'id' in message) {
      const key = keyOf(message.id);
      if (this.pending.has(key)) {
        this.reject(
          message.id,
          JsonRpcErrorCode.InvalidRequest,
          `Invalid Request: id ${JSON.stringify(message.id)} is already used by a request in progress`,
        );
        return;
      }
      this.pending.set(key, message.id);
      if (message.method === 'initialize') this.initializeKey = key;
      // Large arguments can be written to the backend from this line as they are (json-splice.ts).
      if (message.method === 'tools/call' && line.length >= SPLICE_MIN_CHARS)
        rememberSpan(message, line, ascii, ['params', 'arguments']);
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId === undefined) return;
      const key = keyOf(requestId);
      // The spec forbids cancelling initialize; unknown ids are ignored.
      if (key === this.initializeKey || !this.pending.has(key)) return;
      this.pending.delete(key); // the server sends nothing for a cancelled request
    }
    this.onmessage?.(message);
  }

  /**
   * A message nested deeper than we can safely handle: never passed on (re-encoding it would overflow the
   * stack), but answered like any other bad request, so the host is not left waiting.
   */
  private handleTooDeep(value: unknown): void {
    const { object, id } = parts(value);
    const tooDeep = `nests deeper than ${MAX_JSON_DEPTH} levels (mcp-sentinel's limit)`;
    const problem = `the message ${tooDeep}`;
    if (object && !('method' in object) && id !== null) {
      this.complain(`the host sent a response to request ${JSON.stringify(id)} that ${tooDeep}`);
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: { code: JsonRpcErrorCode.InvalidRequest, message: `the host's response: ${problem}` },
      });
      return;
    }
    if (object && typeof object.method === 'string' && !('id' in object)) {
      this.complain(`ignored a ${object.method} notification from the host: ${problem}`);
      return;
    }
    this.reject(id, JsonRpcErrorCode.InvalidRequest, `Invalid Request: ${problem}`);
  }

  /** A JSON object that is not valid JSON-RPC: answer it when it has an id or is a request without one. */
  private handleInvalid(value: unknown): void {
    const { object, id } = parts(value);
    const isResponse =
      object !== undefined && !('method' in object) && ('result' in object || 'error' in object);
    if (isResponse && id !== null) {
      // The host answered one of our requests (sampling, roots...) badly: fail that request, do not hang it.
      this.complain(`the host sent a malformed response to request ${JSON.stringify(id)}`);
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: { code: JsonRpcErrorCode.InternalError, message: 'the host sent a malformed response' },
      });
      return;
    }
    if (object && typeof object.method === 'string' && !('id' in object)) {
      this.complain(`ignored a malformed ${object.method} notification from the host`);
      return;
    }
    this.reject(
      id,
      JsonRpcErrorCode.InvalidRequest,
      'Invalid Request: expected a JSON-RPC 2.0 request, notification or response',
    );
  }

  private complain(message: string): void {
    if (this.complaints.allow()) this.options.log.warn(message);
  }

  private reject(id: RequestId | null, code: number, message: string): void {
    this.complain(message);
    void this.write({ jsonrpc: '2.0', id, error: { code, message } });
  }

  /**
   * Writes one message. A response is encoded before its request leaves the pending table, and one that
   * cannot be encoded (too deep, cyclic) becomes an error response naming the limit, so every host request
   * gets exactly one answer whatever happens here. Everything but a result is redacted on the way out
   * (outbound-redaction.ts: the one place that decides it).
   */
  send(message: JSONRPCMessage): Promise<void> {
    const isResponse = 'id' in message && !('method' in message);
    const id = isResponse ? (message.id as RequestId) : undefined;
    const key = id === undefined ? undefined : keyOf(id);
    if (key !== undefined && !this.pending.has(key)) {
      // A response: only the first one for a request the host is still waiting on goes out.
      this.options.log.debug(`dropped a second response to request ${JSON.stringify(id)}`);
      return Promise.resolve();
    }
    let line = this.encode(message, isResponse);
    if (line === undefined) {
      if (key === undefined) return Promise.reject(new Error(this.lastProblem));
      line = this.encode(
        {
          jsonrpc: '2.0',
          id,
          error: {
            code: JsonRpcErrorCode.InternalError,
            message: `the response could not be sent: it ${this.lastProblem}`,
          },
        },
        true,
      )!;
    }
    if (key !== undefined) this.pending.delete(key);
    return this.writeLine(line);
  }

  private lastProblem = '';

  /** The message as a line, redacted unless a plain result; undefined (and `lastProblem`) when it cannot be. */
  private encode(message: unknown, isResponse: boolean): string | Buffer | Buffer[] | undefined {
    const redact = needsRedaction(message) ? (text: string) => redactForHost(message, text) : undefined;
    const encoded = encodeLine(message, redact);
    if ('problem' in encoded) {
      this.lastProblem = encoded.problem;
      const what = isResponse ? 'a response' : `a ${(message as { method?: string }).method ?? 'message'}`;
      this.complain(`could not send ${what} to the host: it ${encoded.problem}`);
      return undefined;
    }
    return encoded.line;
  }

  private write(message: unknown): Promise<void> {
    const line = this.encode(message, false);
    return line === undefined ? Promise.resolve() : this.writeLine(line);
  }

  /** One 'drain' listener for the whole stream, however many writes wait for it. */
  private drained?: Promise<void>;

  private writeLine(line: string | Buffer | Buffer[]): Promise<void> {
    if (this.closed && this.stdout.destroyed) return Promise.resolve();
    if (writeLine(this.stdout, line)) return Promise.resolve();
    if (this.stdout.writableLength > HOST_QUEUE_HIGH_WATER) this.throttle();
    this.drained ??= new Promise((resolve) =>
      this.stdout.once('drain', () => {
        this.drained = undefined;
        this.unthrottle();
        resolve();
      }),
    );
    return this.drained;
  }

  private stallTimer?: NodeJS.Timeout;

  /** Too much waits for the host: stop reading backends, and watch whether the host reads at all. */
  private throttle(): void {
    if (!hostOutput.isOpen) return;
    hostOutput.close();
    const stallMs = this.options.stallTimeoutMs;
    if (!stallMs) return;
    let queued = this.stdout.writableLength;
    let idleSince = Date.now();
    const check = () => {
      const now = this.stdout.writableLength;
      if (now < queued) idleSince = Date.now(); // it read something: not gone, just slow
      queued = now;
      const idle = Date.now() - idleSince;
      if (idle >= stallMs) {
        this.stallTimer = undefined;
        this.options.log.error(
          `the host has not read its output for ${Math.round(idle / 1000)} s (${queued} bytes waiting); treating it as gone`,
        );
        this.options.onStalled?.(idle);
        return;
      }
      this.stallTimer = setTimeout(check, Math.min(1_000, stallMs - idle));
      this.stallTimer.unref();
    };
    this.stallTimer = setTimeout(check, Math.min(1_000, stallMs));
    this.stallTimer.unref();
  }

  private unthrottle(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    hostOutput.open();
  }

  /** Answers every request still in flight with an error (at shutdown), so the host never waits forever. */
  failPending(reason: string): void {
    for (const [key, id] of [...this.pending]) {
      this.pending.delete(key);
      void this.write({
        jsonrpc: '2.0',
        id,
        error: { code: JsonRpcErrorCode.InternalError, message: reason },
      });
    }
  }

  /** Stops reading the host; responses can still be written. */
  stopReading(): void {
    this.stdin.off('data', this.onData);
    this.stdin.pause();
  }

  /** Resolves once everything written so far has left the process, or after `ms` if the host stopped reading. */
  flush(ms = 1_000): Promise<void> {
    if (this.stdout.destroyed || this.stdout.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.stdout.write('', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stallTimer);
    this.stopReading();
    this.stdin.off('end', this.onEnd);
    this.stdin.off('error', this.onStdinError);
    this.onclose?.();
  }
}
