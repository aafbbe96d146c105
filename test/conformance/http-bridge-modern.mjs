// The 2026-07-28 side of the stdio → Streamable HTTP bridge (http-bridge.mjs): that revision's HTTP has no
// sessions, so every POST carries one JSON-RPC message and gets its answer on its own response. All of
// them go to one `mcp-sentinel serve` child (which serves them the 2026-07-28 revision: no initialize),
// under ids of the bridge's own (hosts reuse ids across POSTs). What is HTTP's alone is done here, as a
// server speaking HTTP itself would: the standard request headers are checked against the body
// (Mcp-Method, Mcp-Name, MCP-Protocol-Version: 400 with -32020 when they disagree), JSON-RPC errors get the
// revision's HTTP statuses (404 for -32601, 400 for the envelope errors), notifications go on the stream of
// the request they belong to (progress by token, log messages to the request that asked for them, listen
// streams by subscription id), and a client that goes away cancels its request.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
const LOG_LEVEL = 'io.modelcontextprotocol/logLevel';
const STATUS = { '-32601': 404, '-32602': 400, '-32020': 400, '-32021': 400, '-32022': 400 };
const NAME_FIELD = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/** Whether a POST body is for this side: anything but a 2025-era initialize (those open a session). */
export function isModernMessage(message, headers) {
  if (headers['mcp-session-id']) return false;
  const claims = message?.params?._meta?.[PROTOCOL_VERSION] !== undefined;
  if (message?.method === 'initialize' && !claims) return false;
  const header = headers['mcp-protocol-version'];
  return claims || message?.method === 'server/discover' || (typeof header === 'string' && header >= '2026');
}

/** The standard headers disagree with the body: the -32020 answer, or undefined when they agree. */
function headerMismatch(message, headers) {
  const header = (name) => (typeof headers[name] === 'string' ? headers[name].trim() : undefined);
  if (!('method' in message)) return undefined;
  if (header('mcp-method') !== message.method)
    return `Mcp-Method header does not match the body (${message.method})`;
  const field = NAME_FIELD[message.method];
  const value = field ? message.params?.[field] : undefined;
  if (value !== undefined && header('mcp-name') !== value) return `Mcp-Name header does not match the body`;
  const version = message.params?._meta?.[PROTOCOL_VERSION];
  if (version !== undefined && header('mcp-protocol-version') !== version)
    return 'MCP-Protocol-Version header does not match the body';
  return undefined;
}

export function createModernSide(cli, config) {
  const child = spawn(process.execPath, [cli, 'serve', '--config', config], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  /** Requests in flight at the child, by the bridge's id. */
  const flights = new Map();
  let next = 0;
  const write = (message) => child.stdin.write(JSON.stringify(message) + '\n');

  const startStream = (flight) => {
    if (flight.streaming) return;
    flight.streaming = true;
    flight.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  };
  const event = (flight, message) => {
    startStream(flight);
    flight.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  };
  const answer = (res, id, message) => {
    const status = message.error ? (STATUS[String(message.error.code)] ?? 200) : 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ...message, id }));
  };

  const routeNotification = (message) => {
    const params = message.params ?? {};
    const subscription = params._meta?.[SUBSCRIPTION_ID];
    if (subscription !== undefined) {
      const flight = flights.get(subscription);
      if (flight)
        event(flight, {
          ...message,
          params: { ...params, _meta: { ...params._meta, [SUBSCRIPTION_ID]: flight.id } },
        });
      return;
    }
    const all = [...flights.values()];
    const flight =
      message.method === 'notifications/progress'
        ? all.find((f) => f.progressToken !== undefined && f.progressToken === params.progressToken)
        : message.method === 'notifications/message'
          ? all.findLast((f) => f.logLevel !== undefined)
          : all.length === 1
            ? all[0]
            : undefined;
    if (flight) event(flight, message);
  };

  createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return process.stderr.write(
        `bridge: mcp-sentinel wrote a line that is not JSON: ${line.slice(0, 200)}\n`,
      );
    }
    if ('method' in message) return routeNotification(message);
    const flight = flights.get(message.id);
    if (!flight) return;
    flights.delete(message.id);
    if (flight.streaming)
      flight.res.end(`event: message\ndata: ${JSON.stringify({ ...message, id: flight.id })}\n\n`);
    else answer(flight.res, flight.id, message);
  });

  return {
    child,
    /** One POST of the 2026-07-28 revision. */
    handle(message, req, res) {
      const mismatch = headerMismatch(message, req.headers);
      if (mismatch)
        return answer(res, message.id ?? null, {
          jsonrpc: '2.0',
          error: { code: -32020, message: `Bad Request: ${mismatch}` },
        });
      if (!('method' in message) || message.id === undefined) {
        if (message.method === 'notifications/cancelled') {
          const target = [...flights.entries()].find(([, f]) => f.id === message.params?.requestId);
          if (target) write({ ...message, params: { ...message.params, requestId: target[0] } });
        }
        return res.writeHead(202).end();
      }
      const id = `b${++next}`;
      const meta = message.params?._meta;
      flights.set(id, {
        id: message.id,
        res,
        progressToken: meta?.progressToken,
        logLevel: meta?.[LOG_LEVEL],
      });
      res.on('close', () => {
        if (!flights.has(id)) return;
        flights.delete(id);
        write({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
      });
      write({ ...message, id });
    },
  };
}
