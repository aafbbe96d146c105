/**
 * A real host for end-to-end tests: spawns the built CLI exactly as a desktop host would (stdio), drives
 * it with the SDK's Client, records every byte of stdout to prove it is JSON-RPC only, captures stderr,
 * and on close checks that no process it started is left.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  type ClientCapabilities,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { CLI } from './paths.js';
import { descendantsOf, waitGone } from './processes.js';

/** A Transport over a child's stdio that keeps every stdout line for inspection. */
class RecordingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly stdoutLines: string[] = [];
  /** The stdout lines that are not JSON-RPC 2.0 messages, found as they arrived. */
  readonly nonProtocolLines: string[] = [];
  private readonly messages: unknown[] = [];
  private parsedLines = 0;
  private buffer = '';

  /**
   * Every stdout line that parses as JSON, as a copy of its own (the SDK client must not change what the
   * tests read). Parsed when a test first asks, each line once: most hosts are never asked, and a line can be
   * a megabyte.
   */
  get stdoutMessages(): unknown[] {
    for (; this.parsedLines < this.stdoutLines.length; this.parsedLines++) {
      try {
        this.messages.push(JSON.parse(this.stdoutLines[this.parsedLines]!));
      } catch {
        // not JSON: in nonProtocolLines
      }
    }
    return this.messages;
  }

  constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  async start(): Promise<void> {
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      // Only the new chunk is searched, and the buffer is cut once per chunk: a megabyte line arriving in
      // 64 KB pieces is not scanned again from its start at each piece.
      const searchFrom = this.buffer.length;
      this.buffer += chunk;
      let start = 0;
      let newline = this.buffer.indexOf('\n', searchFrom);
      for (; newline !== -1; start = newline + 1, newline = this.buffer.indexOf('\n', start)) {
        const line = this.buffer.slice(start, newline);
        this.stdoutLines.push(line);
        let message: { jsonrpc?: unknown } | null;
        try {
          message = JSON.parse(line) as { jsonrpc?: unknown } | null;
        } catch (error) {
          this.nonProtocolLines.push(line);
          this.onerror?.(error as Error);
          continue;
        }
        if (message?.jsonrpc !== '2.0') this.nonProtocolLines.push(line);
        try {
          this.onmessage?.(message as JSONRPCMessage);
        } catch (error) {
          this.onerror?.(error as Error);
        }
      }
      if (start > 0) this.buffer = this.buffer.slice(start);
    });
    this.child.on('close', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  /** Writes raw bytes, for malformed-input tests. */
  sendRaw(text: string): void {
    this.child.stdin.write(text);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
  }

  get trailing(): string {
    return this.buffer;
  }
}

export interface HostOptions {
  /** Config object written to a temp file, or a path to an existing file. */
  config: object | string;
  args?: string[];
  env?: Record<string, string>;
  capabilities?: ClientCapabilities;
  /** Connect the SDK client (default true). */
  connect?: boolean;
  /** The clientInfo the host sends in `initialize` (default test-host 1.0.0). */
  clientInfo?: { name: string; version: string };
}

export class TestHost {
  readonly client: Client;
  readonly child: ChildProcessWithoutNullStreams;
  readonly transport: RecordingStdioTransport;
  readonly dir: string;
  readonly configPath: string;
  private stderrText = '';
  private exited: Promise<number | null>;

  private constructor(options: HostOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'sentinel-host-'));
    if (typeof options.config === 'string') {
      this.configPath = options.config;
    } else {
      this.configPath = join(this.dir, 'config.json');
      writeFileSync(this.configPath, JSON.stringify(options.config, null, 2));
    }
    this.child = spawn(
      process.execPath,
      [CLI, 'serve', '--config', this.configPath, ...(options.args ?? [])],
      {
        // A cache of its own (the manifest cache would make a second start lazy), unless the test shares one.
        env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(this.dir, 'cache'), ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrText += chunk;
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.transport = new RecordingStdioTransport(this.child);
    this.client = new Client(options.clientInfo ?? { name: 'test-host', version: '1.0.0' }, {
      capabilities: options.capabilities ?? {},
    });
  }

  static async start(options: HostOptions): Promise<TestHost> {
    const host = new TestHost(options);
    if (options.connect !== false) {
      try {
        await host.client.connect(host.transport);
      } catch (error) {
        // Leave nothing behind: the sentinel, its backends and the temp dir go, and the cause is reported.
        await host.close();
        throw error;
      }
    }
    return host;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get stdoutLines(): string[] {
    return this.transport.stdoutLines;
  }

  /** Every stdout line must be a JSON-RPC 2.0 message. */
  nonProtocolStdout(): string[] {
    const bad = [...this.transport.nonProtocolLines];
    if (this.transport.trailing) bad.push(this.transport.trailing);
    return bad;
  }

  /** The descendants of the sentinel process right now (its backends and their children). */
  processTree(): number[] {
    return this.child.pid ? descendantsOf(this.child.pid) : [];
  }

  /** Waits until stderr contains `text`. */
  async waitForStderr(text: string | RegExp, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    const matches = () =>
      typeof text === 'string' ? this.stderrText.includes(text) : text.test(this.stderrText);
    while (!matches()) {
      if (Date.now() > deadline)
        throw new Error(`stderr never showed ${String(text)}; stderr was:\n${this.stderrText}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Closes stdin as a host does on quit, and resolves with the exit code and any process of the tree that
   * survived. Tests assert that list is empty.
   */
  async close(): Promise<{ code: number | null; leftovers: number[] }> {
    const tree = this.processTree();
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    const leftovers = await waitGone(tree, 3_000);
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    return { code, leftovers };
  }
}

/**
 * Calls a tool through the host's SDK client; the first text content and whether the result is an error.
 * A JSON-RPC error rejects.
 */
export async function callTool(
  host: TestHost,
  name: string,
  args: Record<string, unknown> = {},
  options: { signal?: AbortSignal; timeout?: number } = {},
): Promise<{ text: string; isError: boolean }> {
  const result = await host.client.request(
    { method: 'tools/call', params: { name, arguments: args } },
    CallToolResultSchema,
    options,
  );
  const first = result.content[0];
  return { text: first?.type === 'text' ? first.text : '', isError: result.isError === true };
}

/** Runs the CLI to completion (for non-serve commands) and returns what it printed. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-sentinel ${args.join(' ')} did not finish; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export function writeTempConfig(config: object): { path: string; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
