/**
 * The host side: an SDK `Client` connected over stdio to a process (a backend, the relay, or
 * mcp-sentinel), or over Streamable HTTP / SSE to a backend directly. Results are checked with the SDK's
 * loose `ResultSchema`, the same for every column, so the host's own cost does not favour any of them.
 * Also a raw JSON-RPC session (no SDK) for the startup timings.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { LATEST_PROTOCOL_VERSION, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { spawnTracked, stopTree, track } from './proc.mjs';

/** The SDK's stdio client transport, spawning the child in its own process group (see proc.mjs). */
class ChildTransport {
  constructor(command, args, env) {
    this.command = command;
    this.args = args;
    this.env = env;
    this.buffer = new ReadBuffer();
    this.stderrTail = '';
  }

  async start() {
    const child = spawnTracked(this.command, this.args, { env: this.env });
    this.child = child;
    child.stdout.on('data', (chunk) => {
      this.buffer.append(chunk);
      for (let message; (message = this.buffer.readMessage()) !== null;) this.onmessage?.(message);
    });
    child.stderr.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4_000);
    });
    child.stdin.on('error', () => undefined);
    child.on('close', () => this.onclose?.());
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }

  send(message) {
    return new Promise((resolve) => {
      if (this.child.stdin.write(serializeMessage(message))) resolve();
      else this.child.stdin.once('drain', resolve);
    });
  }

  async close() {
    const child = this.child;
    await stopTree(child?.pid, () => child.stdin.end());
  }
}

async function connect(transport, label) {
  const client = new Client({ name: 'mcp-sentinel-bench', version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport, { timeout: 30_000 });
  } catch (error) {
    await transport.close?.();
    throw new Error(`${label} did not initialize: ${error.message}\n${transport.stderrTail ?? ''}`);
  }
  return client;
}

function host(client, transport, label) {
  return {
    label,
    client,
    get pid() {
      return transport.child?.pid;
    },
    call: (name, args) =>
      client.request({ method: 'tools/call', params: { name, arguments: args } }, ResultSchema),
    listTools: () => client.request({ method: 'tools/list', params: {} }, ResultSchema),
    close: async () => {
      await client.close().catch(() => undefined);
      await transport.close?.();
    },
  };
}

export async function stdioHost(label, command, args, env = process.env) {
  const transport = new ChildTransport(command, args, env);
  const client = await connect(transport, label);
  track(transport.child.pid);
  return host(client, transport, label);
}

export async function httpHost(label, url, type) {
  const transport =
    type === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url));
  const client = await connect(transport, label);
  return host(client, transport, label);
}

/**
 * JSON-RPC over a child's stdio without the SDK: `request` resolves with the response and the
 * performance.now() at which it arrived. Used to time spawn → initialize → tools/list.
 */
export function rawSession(child) {
  const pending = new Map();
  let nextId = 1;
  let buffered = '';
  /** Notifications from the child, with the performance.now() at which each arrived. */
  const notifications = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const lines = (buffered + chunk).split('\n');
    buffered = lines.pop();
    const at = performance.now();
    for (const line of lines) {
      if (!line.trim()) continue;
      const message = JSON.parse(line);
      const waiter = message.id !== undefined && !('method' in message) ? pending.get(message.id) : undefined;
      if (waiter) {
        pending.delete(message.id);
        if (message.error) waiter.reject(new Error(`${message.error.code} ${message.error.message}`));
        else waiter.resolve({ result: message.result, at });
      } else if ('method' in message && message.id === undefined) {
        notifications.push({ method: message.method, at });
      }
    }
  });
  child.stdin.on('error', () => undefined);
  const send = (message) => child.stdin.write(JSON.stringify(message) + '\n');
  return {
    notifications,
    request(method, params = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ jsonrpc: '2.0', id, method, params });
      });
    },
    notify: (method, params = {}) => send({ jsonrpc: '2.0', method, params }),
    initialize() {
      return this.request('initialize', {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'mcp-sentinel-bench', version: '1.0.0' },
      });
    },
  };
}
