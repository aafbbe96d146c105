/**
 * The keep-alive HTTP channel of remote backends (src/backends/http-channel) against real Streamable HTTP
 * and SSE servers on 127.0.0.1, beside the SDK (v2) client that holds the session: replies and progress reach
 * the sink in order, an abort ends the request and the channel keeps serving, a cancel reaches the server,
 * a reply past maxResponseBytes is cut off, a forgotten session says so (the request never ran), and a 401
 * is an auth failure that keeps the credential out of the message while the credential rode on the POST.
 * With the one forwarder on top: a hung call times out and is cancelled at the server, and progress keeps
 * a slow call alive past its timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig } from '../../src/config/types.js';
import { SentinelError } from '../../src/errors.js';
import type { ForwardSink } from '../../src/backends/forwarder/channel.js';
import { httpChannelOf } from '../../src/backends/http-channel/sdk-session.js';
import { Demux } from '../../src/backends/connection/demux.js';
import { Forwarder, type ForwardOutcome } from '../../src/backends/forwarder/forwarder.js';
import { sendFailure } from '../../src/backends/errors.js';
import type { HttpForwardChannel } from '../../src/backends/http-channel/channel.js';
import { createTransport } from '../../src/backends/transports.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { log, strategyFor } from '../helpers/auth.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { readRecord } from '../helpers/reliability.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

type Kind = 'streamable-http' | 'sse';

/** A sink that keeps what it is given, as the forwarder would take it. */
class RecordingSink implements ForwardSink {
  readonly taken: JSONRPCMessage[] = [];
  readonly failures = new Map<string, SentinelError>();
  message(message: JSONRPCMessage): boolean {
    const id = 'id' in message && !('method' in message) ? message.id : undefined;
    const token = (message as { params?: { progressToken?: unknown } }).params?.progressToken;
    const ours = (value: unknown) => typeof value === 'string' && value.startsWith('sentinel-');
    if (!ours(id) && !ours(token)) return false;
    this.taken.push(message);
    return true;
  }
  failed(id: string | number, error: SentinelError): void {
    this.failures.set(String(id), error);
  }
  responseTo(id: string): Record<string, unknown> | undefined {
    return this.taken.find((m) => 'id' in m && m.id === id && !('method' in m)) as never;
  }
}

interface Opened {
  channel: HttpForwardChannel;
  sink: RecordingSink;
  client: Client;
  close(): Promise<void>;
}

let next = 0;
const call = (name: string, args: Record<string, unknown> = {}, progress = false) => {
  const id = `sentinel-${++next}`;
  const _meta = progress ? { progressToken: id } : {};
  return {
    id,
    message: { jsonrpc: '2.0' as const, id, method: 'tools/call', params: { name, arguments: args, _meta } },
  };
};

async function open(server: HttpServerConfig, maxResponseBytes = 1024 * 1024): Promise<Opened> {
  const auth = strategyFor(server, { backend: 'web' });
  const transport = await createTransport(server, {
    log,
    environment: {},
    auth,
    maxResponseBytes,
    backend: 'web',
  });
  // As connection/remote.ts opens it: the SDK client on the demux, the channel beside it.
  const demux = new Demux(transport, (error) => sendFailure('web', error));
  const client = new Client({ name: 'channel-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(demux.clientSide, { timeout: 15_000 });
  const channel = httpChannelOf(transport, demux, {
    backend: 'web',
    kind: server.type === 'sse' ? 'sse' : 'streamable-http',
    url: new URL(server.url),
    fetch: auth.fetch,
    maxResponseBytes,
  });
  const sink = new RecordingSink();
  channel.attach(sink);
  return {
    channel,
    sink,
    client,
    close: async () => {
      await client.close().catch(() => undefined);
      auth.close();
    },
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-channel-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each<Kind>(['streamable-http', 'sse'])('the HTTP channel to a %s backend', (kind) => {
  let server: RunningServer;
  let opened: Opened;
  let record: string;

  beforeAll(async () => {
    record = join(dir, `${kind}.jsonl`);
    server = await startHttpServer(
      fixtureServerArgs(),
      { FIXTURE_TRANSPORT: kind, FIXTURE_NAME: 'web', FIXTURE_SPECIAL: '1', FIXTURE_RECORD: record },
      kind === 'sse' ? '/sse' : '/mcp',
    );
    opened = await open({ type: kind, url: server.url });
  });
  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  it('delivers the reply of a call to the sink, and other messages to the SDK client', async () => {
    const { id, message } = call('echo', { n: 1 });
    await opened.channel.send(message);
    const reply = await waitFor('the reply', () => opened.sink.responseTo(id));
    expect(reply.result).toEqual({ content: [{ type: 'text', text: 'web/echo: {"n":1}' }] });
    // The SDK client's own requests are not the sink's and still work beside the channel.
    expect((await opened.client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('delivers every progress notification before the result, in order', async () => {
    const { id, message } = call('progress', { steps: 6 }, true);
    await opened.channel.send(message);
    await waitFor('the reply', () => opened.sink.responseTo(id));
    const mine = opened.sink.taken.filter(
      (m) =>
        ('id' in m && m.id === id) ||
        (m as { params?: { progressToken?: unknown } }).params?.progressToken === id,
    );
    const steps = mine
      .slice(0, -1)
      .map((m) => (m as unknown as { params: { progress: number } }).params.progress);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect('result' in mine.at(-1)!).toBe(true);
  });

  it('ends an aborted request without an outcome, passes the cancel on, and keeps serving', async () => {
    const { id, message } = call('hang');
    const done = new AbortController();
    await opened.channel.send(message, done.signal);
    await waitFor('the call to reach the server', () =>
      readRecord(record).some((e) => e.event === 'call' && e.requestId === id),
    );
    done.abort();
    await opened.channel.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: id, reason: 'timed out' },
    });
    await waitFor('the server to see the cancel', () =>
      readRecord(record).some((e) => e.event === 'cancelled' && e.requestId === id),
    );
    expect(opened.sink.failures.has(id)).toBe(false);
    expect(opened.sink.responseTo(id)).toBeUndefined();
    const after = call('echo', { after: true });
    await opened.channel.send(after.message);
    await waitFor('the next reply', () => opened.sink.responseTo(after.id));
  });
});

describe.each<Kind>(['streamable-http', 'sse'])(
  'the forwarder over the HTTP channel to a %s backend',
  (kind) => {
    let server: RunningServer;
    let opened: Opened;
    let record: string;

    beforeAll(async () => {
      record = join(dir, `forwarder-${kind}.jsonl`);
      server = await startHttpServer(
        fixtureServerArgs(),
        { FIXTURE_TRANSPORT: kind, FIXTURE_NAME: 'web', FIXTURE_SPECIAL: '1', FIXTURE_RECORD: record },
        kind === 'sse' ? '/sse' : '/mcp',
      );
      opened = await open({ type: kind, url: server.url });
    });
    afterAll(async () => {
      await opened?.close();
      await server?.close();
    });

    const forwarder = () =>
      new Forwarder({ backend: 'web', channel: () => opened.channel, renew: async () => undefined });

    it('times a hung call out, tells the server, and the next call is answered', async () => {
      const outcomes: ForwardOutcome[] = [];
      const f = forwarder();
      f.start({
        method: 'tools/call',
        params: { name: 'hang', arguments: {} },
        timeoutMs: 300,
        maxTotalMs: 3_000,
        onDone: (outcome) => outcomes.push(outcome),
      });
      const [outcome] = await waitFor('the timeout', () => outcomes.length > 0 && outcomes);
      expect('error' in outcome! && outcome.error.code).toBe('BACKEND_TIMEOUT');
      await waitFor('the server to see the cancel', () =>
        readRecord(record).some((e) => e.event === 'cancelled'),
      );
      f.start({
        method: 'tools/call',
        params: { name: 'echo', arguments: { after: 1 } },
        timeoutMs: 5_000,
        maxTotalMs: 5_000,
        onDone: (next) => outcomes.push(next),
      });
      const answered = await waitFor('the next answer', () => outcomes[1]);
      expect(answered).toEqual({ result: { content: [{ type: 'text', text: 'web/echo: {"after":1}' }] } });
      expect(f.size).toBe(0);
    });

    it('keeps a slow call alive while its progress arrives, and relays that progress in order', async () => {
      const progress: unknown[] = [];
      const outcomes: ForwardOutcome[] = [];
      forwarder().start({
        method: 'tools/call',
        params: { name: 'progress', arguments: { steps: 6, intervalMs: 250 } },
        // Five pauses of 250 ms, 1.25 s in all: past the 1 s timeout, which each progress resets.
        timeoutMs: 1_000,
        maxTotalMs: 10_000,
        onProgress: (params) => progress.push(params.progress),
        onDone: (outcome) => outcomes.push(outcome),
      });
      const [outcome] = await waitFor('the answer', () => outcomes.length > 0 && outcomes, 15_000);
      expect('result' in outcome!).toBe(true);
      expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    });
  },
);

describe('limits and failures of the Streamable HTTP channel', () => {
  let server: RunningServer;
  let record: string;

  beforeAll(async () => {
    record = join(dir, 'limits.jsonl');
    server = await startHttpServer(
      fixtureServerArgs(),
      {
        FIXTURE_TRANSPORT: 'streamable-http',
        FIXTURE_NAME: 'web',
        FIXTURE_SPECIAL: '1',
        FIXTURE_RECORD: record,
      },
      '/mcp',
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('cuts a reply larger than maxResponseBytes and fails its request with RESPONSE_TOO_LARGE', async () => {
    const opened = await open({ type: 'streamable-http', url: server.url }, 64 * 1024);
    try {
      const { id, message } = call('huge', { bytes: 200_000 });
      await opened.channel.send(message);
      const failure = await waitFor('the failure', () => opened.sink.failures.get(id));
      expect(failure.code).toBe('RESPONSE_TOO_LARGE');
      expect(failure.message).toMatch(/larger than 65536 bytes \(settings\.maxResponseBytes\)/);
      expect(opened.sink.responseTo(id)).toBeUndefined();
      const small = call('huge', { bytes: 1_000 });
      await opened.channel.send(small.message);
      await waitFor('a small reply', () => opened.sink.responseTo(small.id));
    } finally {
      await opened.close();
    }
  });

  it('rejects with BACKEND_SESSION_EXPIRED when the server forgot the session, before the call ran', async () => {
    const opened = await open({ type: 'streamable-http', url: server.url });
    try {
      expect((await opened.client.callTool({ name: 'drop-sessions' })).content).toBeDefined();
      await waitFor('the server to forget', () =>
        readRecord(record).some((e) => e.event === 'sessions-dropped'),
      );
      const { message } = call('echo', { late: true });
      const error = (await opened.channel.send(message).catch((e: unknown) => e)) as SentinelError;
      expect(error).toBeInstanceOf(SentinelError);
      expect(error.code).toBe('BACKEND_SESSION_EXPIRED');
      expect(readRecord(record).filter((e) => e.event === 'call' && e.tool === 'echo')).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('the HTTP channel behind a backend that demands a credential', () => {
  const KEY = 'CANARY-channel-key-7f3a';
  let gate: AuthGate;
  beforeAll(async () => {
    gate = await startAuthGate({ authorize: (req) => req.headers['x-api-key'] === KEY });
  });
  afterAll(async () => {
    await gate?.close();
  });

  it.each<Kind>(['streamable-http', 'sse'])(
    'sends the credential on its %s POST, and a 401 is AUTH_FAILED without it',
    async (kind) => {
      const opened = await open({
        type: kind,
        url: kind === 'sse' ? gate.sseUrl : gate.url,
        auth: { type: 'static', headers: { 'X-Api-Key': KEY } },
      });
      try {
        const ok = call('echo', { text: 'hi' });
        const before = gate.requests.length;
        await opened.channel.send(ok.message);
        await waitFor('the reply', () => opened.sink.responseTo(ok.id));
        const posts = gate.requests.slice(before).filter((r) => r.method === 'POST');
        expect(posts.length).toBeGreaterThan(0);
        for (const post of posts) expect(post.headers['x-api-key']).toBe(KEY);

        gate.rejectNext(1);
        const refused = call('echo', { text: 'again' });
        const error = (await opened.channel.send(refused.message).catch((e: unknown) => e)) as SentinelError;
        expect(error).toBeInstanceOf(SentinelError);
        expect(error.code).toBe('AUTH_FAILED');
        expect(error.message).toMatch(/HTTP 401/);
        expect(error.message).not.toContain(KEY);
      } finally {
        await opened.close();
      }
    },
  );
});
