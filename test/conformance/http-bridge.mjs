#!/usr/bin/env node
// A stdio → Streamable HTTP bridge for the conformance suite's server scenarios, which need a URL:
// every HTTP session gets its own `mcp-sentinel serve --config CONFIG` child, and JSON-RPC goes between
// the session and the child's stdio unchanged. Only the HTTP side is the bridge's own (the SDK's
// Streamable HTTP server transport): scenarios about HTTP itself (DNS-rebinding protection, SSE
// polling) test it, not mcp-sentinel, and scripts/conformance-server.sh reports them apart.
//
//   node test/conformance/http-bridge.mjs CONFIG     listens on 127.0.0.1:$PORT (0 picks one), prints
//                                                    `LISTENING <port>` on stderr
//
// A client of the 2026-07-28 revision (no initialize, no sessions) is served by http-bridge-modern.mjs.
//
// Notifications and requests mcp-sentinel sends while a host request is in flight go on that request's
// stream (progress by its token; anything else to the one request in flight), as a server speaking HTTP
// itself would send them.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createModernSide, isModernMessage } from './http-bridge-modern.mjs';

const config = process.argv[2];
if (!config) {
  process.stderr.write('usage: http-bridge.mjs CONFIG\n');
  process.exit(2);
}
const cli = fileURLToPath(new URL('../../bin/mcp-sentinel.js', import.meta.url));
const sessions = new Map();
const children = new Set();

function spawnServe() {
  const child = spawn(process.execPath, [cli, 'serve', '--config', config], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/**
 * The next session's `serve`, started ahead: the suite opens a session per scenario, and a serve that has
 * already loaded waits only for its backends.
 */
let spare;

function openSession() {
  const child = spare && spare.exitCode === null ? spare : spawnServe();
  spare = spawnServe();
  /** Host requests still waiting for their response, with their progress tokens. */
  const inFlight = new Map();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, transport),
  });
  transport.onmessage = (message) => {
    if ('method' in message && 'id' in message)
      inFlight.set(message.id, message.params?._meta?.progressToken);
    child.stdin.write(JSON.stringify(message) + '\n');
  };
  transport.onclose = () => {
    if (transport.sessionId) sessions.delete(transport.sessionId);
    child.stdin.end();
  };
  const relatedTo = (message) => {
    const token = message.params?.progressToken;
    for (const [id, progressToken] of inFlight) if (token !== undefined && token === progressToken) return id;
    if (!('method' in message) || inFlight.size !== 1) return undefined;
    return [...inFlight.keys()][0];
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      process.stderr.write(`bridge: mcp-sentinel wrote a line that is not JSON: ${line.slice(0, 200)}\n`);
      return;
    }
    const isResponse = 'id' in message && !('method' in message);
    const relatedRequestId = isResponse ? undefined : relatedTo(message);
    if (isResponse) inFlight.delete(message.id);
    transport.send(message, relatedRequestId === undefined ? {} : { relatedRequestId }).catch((error) => {
      process.stderr.write(`bridge: could not deliver a message: ${error?.message ?? error}\n`);
    });
  });
  child.on('exit', () => void transport.close());
  return transport;
}

let modern;

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

const http = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname !== '/mcp') return res.writeHead(404).end();
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  if (body && !Array.isArray(body) && isModernMessage(body, req.headers)) {
    modern ??= createModernSide(cli, config);
    children.add(modern.child);
    return modern.handle(body, req, res);
  }
  const sessionId = req.headers['mcp-session-id'];
  let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId) return res.writeHead(404).end();
    if (req.method !== 'POST') return res.writeHead(400).end();
    transport = openSession();
  }
  await transport.handleRequest(req, res, body);
});

const shutdown = () => {
  for (const child of children) child.kill('SIGTERM');
  http.close();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stderr.write(`LISTENING ${http.address().port}\n`);
});
