/**
 * The client side of a stdio backend: spawns the child in its own process group, writes JSON-RPC lines to
 * its stdin, and reads its stdout leniently.
 *
 * Why not the SDK's StdioClientTransport: a single non-JSON line on stdout (a banner, a stray console.log)
 * is a common bug in MCP servers and should be skipped, not fatal; the child must lead a process group so
 * that `npx` grandchildren die with it; and stderr must be drained and forwarded line by line, rate-limited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { DEFAULT_SETTINGS } from '../config/defaults.js';
import { SentinelError } from '../errors.js';
import { encodeLine, exceedsDepth, isJsonRpcMessage, MAX_JSON_DEPTH, writeLine } from '../jsonrpc.js';
import { clip, type Logger } from '../log.js';
import { hostOutput } from '../output-gate.js';
import { batchWrites, joinBatch } from '../write-batch.js';
import { LineReader } from './line-reader.js';
import { rememberSpan, SPLICE_MIN_CHARS } from '../json-splice.js';
import { RateLimiter } from './rate-limit.js';
import { reapGroup, terminateTree } from './process-tree.js';

/** The SDK's own stdio reader caps a message at 10 MiB; so do we. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const MAX_STDERR_LINE = 2_000;

export interface StdioTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  log: Logger;
  /** How long to wait after closing stdin, and again after SIGTERM (settings.stopGraceMs). */
  graceMs?: number;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child?: ChildProcess;
  private closed = false;
  private terminated?: Promise<void>;
  private exit?: ExitInfo;
  private failure?: string;
  private readonly noiseLimit = new RateLimiter(1, 5);
  private readonly stderrLimit = new RateLimiter(50, 200);

  constructor(private readonly options: StdioTransportOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Why the connection ended, in words that fit after the backend's name ("exited with code 1"). */
  get closeReason(): string | undefined {
    if (this.failure) return this.failure;
    if (!this.exit) return undefined;
    return this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
  }

  start(): Promise<void> {
    const { command, args, env, cwd } = this.options;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env,
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
        shell: false,
      });
      this.child = child;
      let started = false;

      // `on`, not `once`: a second 'error' (a failed kill after a failed write, say) must not crash us.
      child.on('error', (error: NodeJS.ErrnoException) => {
        const wrapped = spawnError(command, error);
        if (!started) reject(wrapped);
        else this.onerror?.(wrapped);
      });
      child.once('spawn', () => {
        started = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // It exited on its own (we did not close it): whatever it started may still run in its group, and
        // may even hold its stdout open. Those go too.
        if (!this.closed) reapGroup(child, this.options.graceMs ?? DEFAULT_SETTINGS.stopGraceMs);
      });
      child.once('close', () => this.finish());

      const stdout = new LineReader({
        maxLineBytes: MAX_MESSAGE_BYTES,
        onLine: (line, ascii) => this.handleLine(line, ascii),
        onOverflow: (bytes) => {
          this.failure ??= `sent a message larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB and was restarted`;
          this.onerror?.(
            new SentinelError(
              'BACKEND_FAILED',
              `sent a message larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB (${bytes} bytes so far)`,
              {
                hint: 'the backend will be restarted; check what it returns',
              },
            ),
          );
          void this.close();
        },
      });
      // What one chunk of responses sends to the host leaves in one write (write-batch.ts).
      child.stdout?.on('data', (chunk: Buffer) => batchWrites(chunk, stdout));
      if (child.stdin) joinBatch(child.stdin);
      child.stdout?.on('end', () => stdout.end());
      // While the host is not reading what we write, stop reading the backend: its pipe fills and it waits.
      const follow = (open: boolean) => (open ? child.stdout?.resume() : child.stdout?.pause());
      if (!hostOutput.isOpen) follow(false);
      this.unfollow = hostOutput.subscribe(follow);

      const stderr = new LineReader({
        maxLineBytes: 64 * 1024,
        onLine: (line) => this.forwardStderr(line),
        onOverflow: (_bytes, head) => this.forwardStderr(head(), '… (over-long line truncated)'),
      });
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stderr?.on('end', () => {
        stderr.end();
        this.stderrEnded();
      });
      child.stdin?.on('error', () => {
        // EPIPE after the child died: its exit is reported through 'close'.
      });
    });
  }

  private handleLine(line: string, ascii?: Buffer): void {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = undefined;
    }
    if (message !== undefined && exceedsDepth(line)) {
      this.handleTooDeep(message);
      return;
    }
    const shape = checkMessage(message);
    if (shape === 'ok') {
      // A large result can be written to the host from this line as it is (json-splice.ts).
      if (line.length >= SPLICE_MIN_CHARS && 'result' in (message as object))
        rememberSpan(message, line, ascii, ['result']);
      this.onmessage?.(message as JSONRPCMessage);
      return;
    }
    if (this.noiseLimit.allow()) {
      const dropped = this.noiseLimit.takeDropped();
      const what = shape === 'noise' ? 'a non-JSON-RPC line' : 'a malformed JSON-RPC response';
      this.options.log.warn(
        `skipped ${what} on stdout${dropped ? ` (and ${dropped} more)` : ''}: ${clip(line, 200)}`,
      );
    }
    if (shape !== 'noise') {
      // The request it answers fails now, with a reason, instead of waiting for its timeout.
      this.onmessage?.({
        jsonrpc: '2.0',
        id: shape.id,
        error: { code: -32603, message: 'the backend sent a malformed JSON-RPC response' },
      });
    }
  }

  /** The last lines the child wrote to stderr, to say why it failed (src/backends/failure-text.ts). */
  readonly recentStderr: string[] = [];
  private stderrEnded: () => void = () => undefined;
  private readonly stderrEnd = new Promise<void>((resolve) => (this.stderrEnded = resolve));

  /** The recent stderr lines once the child's stderr has ended (a dead child's last words), or after `ms`. */
  async finalStderr(ms = 500): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.stderrEnd, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    return this.recentStderr;
  }

  /**
   * A message nested too deeply to pass on (re-encoding it would overflow the stack): the request it
   * answers fails now with the reason; anything else is dropped with a warning.
   */
  private handleTooDeep(message: unknown): void {
    const problem = `nested deeper than ${MAX_JSON_DEPTH} levels (mcp-sentinel's limit)`;
    const object = message as Record<string, unknown> | null;
    const id = typeof object === 'object' && object !== null && !('method' in object) ? object.id : undefined;
    if (typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id))) {
      this.options.log.warn(`the backend sent a response ${problem}; the request fails`);
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: { code: -32603, message: `the backend sent a response ${problem}` },
      });
      return;
    }
    if (this.noiseLimit.allow()) this.options.log.warn(`skipped a message on stdout ${problem}`);
  }

  private forwardStderr(line: string, suffix = ''): void {
    this.recentStderr.push(clip(line, MAX_STDERR_LINE));
    if (this.recentStderr.length > 30) this.recentStderr.shift();
    if (!this.stderrLimit.allow()) return;
    const dropped = this.stderrLimit.takeDropped();
    this.options.log.info(
      `${dropped ? `(${dropped} stderr lines dropped) ` : ''}${clip(line, MAX_STDERR_LINE, suffix || undefined)}`,
    );
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed || !stdin.writable) {
      return Promise.reject(new SentinelError('BACKEND_DOWN', 'the backend process is not running'));
    }
    const encoded = encodeLine(message);
    if ('problem' in encoded) {
      return Promise.reject(
        new SentinelError(
          'MESSAGE_UNENCODABLE',
          `the message could not be sent to the backend: it ${encoded.problem}`,
        ),
      );
    }
    if (writeLine(stdin, encoded.line)) return Promise.resolve();
    // One 'drain' listener however many writes wait for it (one per write piles up listeners in a flood).
    this.drained ??= new Promise((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        this.drained = undefined;
        resolve();
      };
      stdin.on('drain', done);
      stdin.on('close', done);
    });
    return this.drained;
  }

  private drained?: Promise<void>;

  /** Ends the process tree; a second call returns the termination already under way. */
  close(): Promise<void> {
    const child = this.child;
    if (this.terminated) return this.terminated;
    if (!child || this.closed) return Promise.resolve();
    this.closed = true;
    // Requests in flight fail now; the process tree gets its grace periods in the background of that.
    this.terminated = terminateTree(child, this.options.graceMs ?? DEFAULT_SETTINGS.stopGraceMs);
    this.finish();
    return this.terminated;
  }

  private finishedOnce = false;
  private unfollow?: () => void;
  private finish(): void {
    this.unfollow?.();
    // A paused stdout never reaches its end, and the child's 'close' waits for that.
    this.child?.stdout?.resume();
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    this.closed = true;
    this.onclose?.();
  }
}

/**
 * The envelope check the SDK's Protocol applies (strict: no extra keys, integer or string ids), done here so
 * that a response it would drop as "Unknown message type" is answered for at once instead of timing out.
 * Params and results are validated later against their own schemas.
 */
function checkMessage(value: unknown): 'ok' | 'noise' | { id: string | number } {
  if (isJsonRpcMessage(value)) return 'ok';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'noise';
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0' || 'method' in message) return 'noise';
  const id = message.id;
  const validId = typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
  return validId ? { id } : 'noise';
}

function spawnError(command: string, error: NodeJS.ErrnoException): SentinelError {
  const permanent = error.code === 'ENOENT' || error.code === 'EACCES';
  const reason =
    error.code === 'ENOENT'
      ? `command "${command}" was not found`
      : error.code === 'EACCES'
        ? `command "${command}" is not executable`
        : `command "${command}" could not be started (${error.code ?? error.message})`;
  return new SentinelError('BACKEND_SPAWN', reason, {
    permanent,
    hint:
      error.code === 'ENOENT'
        ? 'use an absolute path: desktop hosts start mcp-sentinel with a shorter PATH than your shell (run `mcp-sentinel doctor`)'
        : undefined,
  });
}
