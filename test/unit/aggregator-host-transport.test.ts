/**
 * The host transport on its own, over in-memory streams: the JSON-RPC errors it answers by itself, and by
 * property, exactly one response per request whatever order answers, duplicates, cancels and shutdown come in.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { HostStdioTransport } from '../../src/aggregator/host-transport.js';
import { createLogger, setLogLevel } from '../../src/log.js';

setLogLevel('silent');

async function open(maxMessageBytes?: number) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
      buffer = buffer.slice(i + 1);
    }
  });
  const transport = new HostStdioTransport({ stdin, stdout, log: createLogger('test'), maxMessageBytes });
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (m) => void received.push(m);
  await transport.start();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { stdin, transport, lines, received, settle };
}

describe('HostStdioTransport', () => {
  it('answers what it cannot pass on: parse error, batch, invalid request, over-size line', async () => {
    const t = await open(1_000);
    t.stdin.write(
      'not json\n[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n{"jsonrpc":"2.0"}\n{"id":7,"method":"ping"}\n',
    );
    t.stdin.write(`{"jsonrpc":"2.0","id":8,"method":"ping","params":{"x":"${'y'.repeat(2_000)}"}}\n`);
    t.stdin.write('{"jsonrpc":"2.0","id":9,"method":"ping"}\n');
    await t.settle();
    expect(t.lines.map((l) => [l.id, (l.error as { code: number }).code])).toEqual([
      [null, -32700],
      [null, -32600],
      [null, -32600],
      [7, -32600],
      [null, -32600],
    ]);
    expect(t.received).toEqual([{ jsonrpc: '2.0', id: 9, method: 'ping' }]);
  });

  it('turns a malformed response from the host into an error for our pending request', async () => {
    const t = await open();
    t.stdin.write('{"jsonrpc":"2.0","id":3,"result":"not an object"}\n');
    await t.settle();
    expect(t.received).toEqual([
      { jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'the host sent a malformed response' } },
    ]);
    expect(t.lines).toEqual([]);
  });

  it('ignores a cancellation of initialize', async () => {
    const t = await open();
    t.stdin.write('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}\n');
    t.stdin.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":0}}\n');
    await t.settle();
    expect(t.received).toHaveLength(1);
    await t.transport.send({ jsonrpc: '2.0', id: 0, result: {} });
    await t.settle();
    expect(t.lines).toEqual([{ jsonrpc: '2.0', id: 0, result: {} }]);
  });

  const op = fc.oneof(
    fc.record({ kind: fc.constant('request' as const), id: fc.integer({ min: 0, max: 8 }) }),
    fc.record({ kind: fc.constant('answer' as const), id: fc.integer({ min: 0, max: 8 }) }),
    fc.record({ kind: fc.constant('cancel' as const), id: fc.integer({ min: 0, max: 8 }) }),
  );

  it('sends exactly one response per request, whatever the order of answers, repeats, cancels and shutdown (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const t = await open();
        // The model: which ids the host is owed an answer for, and how many answers each request got.
        const owed = new Set<number>();
        const expected: { id: number; kind: 'result' | 'duplicate' }[] = [];
        for (const o of ops) {
          if (o.kind === 'request') {
            t.stdin.write(
              JSON.stringify({ jsonrpc: '2.0', id: o.id, method: 'tools/call', params: { name: 'x' } }) +
                '\n',
            );
            if (owed.has(o.id)) expected.push({ id: o.id, kind: 'duplicate' });
            owed.add(o.id);
          } else if (o.kind === 'cancel') {
            t.stdin.write(
              JSON.stringify({
                jsonrpc: '2.0',
                method: 'notifications/cancelled',
                params: { requestId: o.id },
              }) + '\n',
            );
            owed.delete(o.id);
          } else {
            await t.transport.send({ jsonrpc: '2.0', id: o.id, result: { content: [] } });
            if (owed.delete(o.id)) expected.push({ id: o.id, kind: 'result' });
          }
          await t.settle();
        }
        t.transport.failPending('shutting down');
        for (const id of owed) expected.push({ id, kind: 'result' });
        await t.settle();
        const got = t.lines.map((l) => ({
          id: l.id as number,
          kind: (l.error as { message?: string } | undefined)?.message?.includes('already used')
            ? 'duplicate'
            : 'result',
        }));
        expect(got.sort((a, b) => a.id - b.id || a.kind.localeCompare(b.kind))).toEqual(
          expected.sort((a, b) => a.id - b.id || a.kind.localeCompare(b.kind)),
        );
        // After shutdown nothing more goes out: late answers for any id are dropped.
        expect(t.transport.inFlight).toBe(0);
        const sent = JSON.stringify(t.lines);
        for (let id = 0; id <= 8; id++) {
          await t.transport.send({ jsonrpc: '2.0', id, result: { content: [] } });
          await t.transport.send({ jsonrpc: '2.0', id, error: { code: -32000, message: 'late' } });
        }
        await t.settle();
        expect(JSON.stringify(t.lines)).toBe(sent);
      }),
      { numRuns: 200 },
    );
  });
});
