/**
 * The forwarder's rules, in-process over a scripted channel: ids and progress tokens swapped, progress
 * resetting the timeout up to its cap, cancellation both ways, one resend after an expired session, and
 * exactly one outcome per request whatever the channel does afterwards; a 2026-07-28 host's own parts
 * of a request kept from a 2025-era backend. (The same rules over real stdio,
 * SSE and Streamable HTTP servers: test/e2e/reliability-protocol.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SentinelError } from '../../src/errors.js';
import type { ForwardChannel, ForwardSink, OutgoingMessage } from '../../src/backends/forwarder/channel.js';
import { Forwarder, type ForwardOutcome } from '../../src/backends/forwarder/forwarder.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';

class ScriptedChannel implements ForwardChannel {
  readonly sent: OutgoingMessage[] = [];
  sink?: ForwardSink;
  /** What the next sends reject with (undefined: they succeed). */
  rejectWith?: (message: OutgoingMessage) => unknown;

  attach(sink: ForwardSink): void {
    this.sink = sink;
  }

  readonly signals: (AbortSignal | undefined)[] = [];

  async send(message: OutgoingMessage, signal?: AbortSignal): Promise<void> {
    this.sent.push(message);
    if (message.id !== undefined) this.signals.push(signal);
    const error = this.rejectWith?.(message);
    if (error) throw error;
  }

  get requests(): OutgoingMessage[] {
    return this.sent.filter((m) => m.id !== undefined);
  }

  get cancels(): OutgoingMessage[] {
    return this.sent.filter((m) => m.method === 'notifications/cancelled');
  }

  reply(message: Record<string, unknown>): boolean {
    return this.sink!.message({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
  }
}

interface Harness {
  channel: ScriptedChannel;
  /** The channel renewal switches to. */
  next: ScriptedChannel;
  forwarder: Forwarder;
  outcomes: ForwardOutcome[];
  progress: Record<string, unknown>[];
  renewals: number;
  /** A renewal waits for this, when set. */
  hold?: Promise<void>;
  cancel: () => void;
  start(options?: { progress?: boolean; params?: Record<string, unknown> }): void;
}

function harness(): Harness {
  const h = {
    channel: new ScriptedChannel(),
    next: new ScriptedChannel(),
    outcomes: [] as ForwardOutcome[],
    progress: [] as Record<string, unknown>[],
    renewals: 0,
    cancel: () => undefined,
  } as Harness;
  let current: ScriptedChannel | undefined = h.channel;
  h.forwarder = new Forwarder({
    backend: 'fx',
    channel: () => current,
    renew: async (stale) => {
      h.renewals++;
      await h.hold;
      if (stale === current) current = h.next;
    },
  });
  h.start = (options = {}) => {
    h.cancel = h.forwarder.start({
      method: 'tools/call',
      params: options.params ?? { name: 'echo', arguments: {}, _meta: { progressToken: 'host-token' } },
      timeoutMs: 100,
      maxTotalMs: 250,
      onProgress: options.progress === false ? undefined : (p) => h.progress.push(p),
      onDone: (outcome) => h.outcomes.push(outcome),
    });
  };
  return h;
}

const errorOf = (h: Harness) => (h.outcomes[0] as { error: SentinelError }).error;
const flush = () => vi.advanceTimersByTimeAsync(0);

interface Case {
  name: string;
  run(h: Harness): Promise<void>;
  expect(h: Harness): void;
}

const cases: Case[] = [
  {
    name: 'sends under its own id and token, and answers with the backend’s result',
    async run(h) {
      h.start();
      const id = h.channel.requests[0]!.id;
      expect(h.channel.reply({ id, result: { content: [] } })).toBe(true);
    },
    expect(h) {
      const sent = h.channel.requests[0]!;
      expect(sent.id).toMatch(/^sentinel-\d+$/);
      expect(sent.params).toMatchObject({ name: 'echo', _meta: { progressToken: sent.id } });
      expect(h.outcomes).toEqual([{ result: { content: [] } }]);
    },
  },
  {
    name: 'gives a 2025-era backend a 2026-07-28 host’s request without that host’s own parts',
    async run(h) {
      h.start({
        params: {
          name: 'echo',
          inputResponses: { a: {} },
          _meta: {
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
            'io.modelcontextprotocol/logLevel': 'info',
            trace: 't',
          },
        },
      });
      h.cancel();
    },
    expect(h) {
      expect(h.channel.requests[0]!.params).toEqual({
        name: 'echo',
        _meta: { trace: 't', progressToken: h.channel.requests[0]!.id },
      });
    },
  },
  {
    name: 'refuses a requestState for a 2025-era backend (-32602), which issued none',
    async run(h) {
      h.start({ params: { name: 'echo', requestState: 'from-elsewhere', inputResponses: {} } });
    },
    expect(h) {
      expect(h.channel.requests).toEqual([]);
      expect(errorOf(h).rpc).toEqual({ code: -32602 });
    },
  },
  {
    name: 'drops the caller’s token when the caller wants no progress',
    async run(h) {
      h.start({ progress: false });
      h.cancel();
    },
    expect(h) {
      expect(h.channel.requests[0]!.params?._meta).toEqual({});
    },
  },
  {
    name: 'passes the backend’s error on with its code and data',
    async run(h) {
      h.start();
      h.channel.reply({
        id: h.channel.requests[0]!.id,
        error: { code: -32602, message: 'bad', data: { x: 1 } },
      });
    },
    expect(h) {
      expect(errorOf(h)).toMatchObject({
        code: 'BACKEND_ERROR',
        message: 'bad',
        rpc: { code: -32602, data: { x: 1 } },
      });
    },
  },
  {
    name: 'relays progress without a token, and progress keeps the request alive past its timeout',
    async run(h) {
      h.start();
      const token = h.channel.requests[0]!.id;
      for (const step of [1, 2, 3]) {
        await vi.advanceTimersByTimeAsync(80);
        h.channel.reply({
          method: 'notifications/progress',
          params: { progressToken: token, progress: step },
        });
      }
      h.channel.reply({ id: token, result: {} });
    },
    expect(h) {
      expect(h.progress).toEqual([{ progress: 1 }, { progress: 2 }, { progress: 3 }]);
      expect(h.outcomes).toEqual([{ result: {} }]);
    },
  },
  {
    name: 'times out at the total cap however much progress arrives, and cancels at the backend',
    async run(h) {
      h.start();
      const token = h.channel.requests[0]!.id;
      for (let step = 0; step < 4; step++) {
        await vi.advanceTimersByTimeAsync(80);
        h.channel.reply({
          method: 'notifications/progress',
          params: { progressToken: token, progress: step },
        });
      }
      await vi.advanceTimersByTimeAsync(100);
      h.channel.reply({ id: token, result: {} });
    },
    expect(h) {
      expect(h.outcomes).toHaveLength(1);
      expect(errorOf(h)).toMatchObject({ code: 'BACKEND_TIMEOUT', rpc: { code: -32001 } });
      expect(errorOf(h).message).toBe('backend "fx": Request timed out');
      expect(h.channel.cancels[0]!.params).toMatchObject({
        requestId: h.channel.requests[0]!.id,
        reason: 'timed out',
      });
    },
  },
  {
    name: 'on the caller’s cancel tells the backend and reports nothing, even when the result comes',
    async run(h) {
      h.start();
      h.cancel();
      h.channel.reply({ id: h.channel.requests[0]!.id, result: {} });
      await vi.advanceTimersByTimeAsync(500);
    },
    expect(h) {
      expect(h.outcomes).toEqual([]);
      expect(h.channel.cancels).toHaveLength(1);
    },
  },
  {
    name: 'ends the request when the message cannot be written',
    async run(h) {
      h.channel.rejectWith = () => new Error('EPIPE');
      h.start();
      await flush();
    },
    expect(h) {
      expect(errorOf(h)).toMatchObject({ code: 'BACKEND_DOWN', rpc: { code: -32000 } });
      expect(errorOf(h).message).toBe('backend "fx" could not be written to: EPIPE');
    },
  },
  {
    name: 'renews an expired session and resends once under a new id',
    async run(h) {
      h.channel.rejectWith = () => new SentinelError('BACKEND_SESSION_EXPIRED', 'gone');
      h.start();
      await flush();
      h.next.reply({ id: h.next.requests[0]!.id, result: { again: true } });
    },
    expect(h) {
      expect(h.renewals).toBe(1);
      expect(h.next.requests[0]!.id).not.toBe(h.channel.requests[0]!.id);
      expect(h.outcomes).toEqual([{ result: { again: true } }]);
    },
  },
  {
    name: 'resends after an expired session only once',
    async run(h) {
      const expired = () => new SentinelError('BACKEND_SESSION_EXPIRED', 'gone');
      h.channel.rejectWith = expired;
      h.next.rejectWith = expired;
      h.start();
      await flush();
    },
    expect(h) {
      expect(h.renewals).toBe(1);
      expect(h.outcomes).toHaveLength(1);
      expect(errorOf(h).code).toBe('BACKEND_SESSION_EXPIRED');
    },
  },
  {
    name: 'treats an expired session reported after the send like a refused send',
    async run(h) {
      h.start();
      h.channel.sink!.failed(
        h.channel.requests[0]!.id!,
        new SentinelError('BACKEND_SESSION_EXPIRED', 'gone'),
      );
      await flush();
      h.next.reply({ id: h.next.requests[0]!.id, result: {} });
    },
    expect(h) {
      expect(h.outcomes).toEqual([{ result: {} }]);
    },
  },
  {
    name: 'sends nothing again when the caller cancelled during the renewal',
    async run(h) {
      let release!: () => void;
      h.hold = new Promise((resolve) => (release = resolve));
      h.channel.rejectWith = () => new SentinelError('BACKEND_SESSION_EXPIRED', 'gone');
      h.start();
      await flush();
      expect(h.renewals).toBe(1);
      h.cancel();
      release();
      await flush();
    },
    expect(h) {
      expect(h.next.requests).toEqual([]);
      expect(h.outcomes).toEqual([]);
    },
  },
  {
    name: 'ends the requests of a session that went away, naming why',
    async run(h) {
      h.start();
      h.forwarder.drop(h.channel, 'exited with code 1');
      h.channel.reply({ id: h.channel.requests[0]!.id, result: {} });
    },
    expect(h) {
      expect(h.outcomes).toHaveLength(1);
      expect(errorOf(h)).toMatchObject({ code: 'BACKEND_DOWN', rpc: { code: -32000 } });
      expect(errorOf(h).message).toBe('backend "fx" exited with code 1 during the request');
    },
  },
  {
    name: 'resends the requests a renewal cut off when the server forgot the session',
    async run(h) {
      h.start();
      h.forwarder.drop(h.channel, 'session expired', true);
      await flush();
      h.next.reply({ id: h.next.requests[0]!.id, result: {} });
    },
    expect(h) {
      expect(h.outcomes).toEqual([{ result: {} }]);
    },
  },
  {
    name: 'aborts a request’s signal when it gives up on it, not after its answer',
    async run(h) {
      h.start();
      h.channel.reply({ id: h.channel.requests[0]!.id, result: {} });
      h.start();
      await vi.advanceTimersByTimeAsync(150);
    },
    expect(h) {
      expect(h.channel.signals.map((signal) => signal?.aborted)).toEqual([false, true]);
    },
  },
  {
    name: 'leaves messages that are not its own to the session',
    async run(h) {
      h.start();
      expect(h.channel.reply({ id: 7, result: {} })).toBe(false);
      expect(
        h.channel.reply({ method: 'notifications/progress', params: { progressToken: 3, progress: 1 } }),
      ).toBe(false);
      expect(h.channel.reply({ method: 'notifications/message', params: { level: 'info', data: 'x' } })).toBe(
        false,
      );
      h.cancel();
    },
    expect(h) {
      expect(h.outcomes).toEqual([]);
      expect(h.progress).toEqual([]);
    },
  },
];

describe('the forwarder', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('$name', async (c) => {
    const h = harness();
    await c.run(h);
    c.expect(h);
    expect(h.forwarder.size).toBe(0);
  });

  it('answers at once when there is no session to send on', () => {
    const outcomes: ForwardOutcome[] = [];
    const forwarder = new Forwarder({
      backend: 'fx',
      channel: () => undefined,
      renew: async () => undefined,
    });
    forwarder.start({
      method: 'prompts/get',
      timeoutMs: 100,
      maxTotalMs: 1000,
      onDone: (o) => outcomes.push(o),
    });
    expect((outcomes[0] as { error: SentinelError }).error.code).toBe('BACKEND_DOWN');
  });
});
