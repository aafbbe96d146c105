/**
 * How an SSE session's event stream is read before the SDK transport (event-stream-tap.ts): every
 * well-formed message is delivered in order, and everything else reaches the SDK as it came, whatever the
 * chunking; a taken message's `retry:` still reaches it, every `retry:` is taken up to 30 s, and the next
 * request of the event source resumes from the last event id received.
 */
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { EventStreamTap } from '../../src/backends/http-channel/event-stream-tap.js';

/** What the SDK side reads, and what was delivered, for a stream sent in `chunks`. */
async function tapped(chunks: (string | Uint8Array)[]) {
  const taken: JSONRPCMessage[] = [];
  const tap = new EventStreamTap();
  tap.deliver = (message) => void taken.push(message);
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks)
        controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
      controller.close();
    },
  });
  const fetch = tap.wrap(
    async () => new Response(source, { headers: { 'content-type': 'text/event-stream' } }),
  );
  const response = await fetch('http://127.0.0.1/sse', {});
  return { passed: await response.text(), taken };
}

const reply = (id: string | number, text: string) =>
  JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } });

describe('EventStreamTap', () => {
  it('delivers every message in order and passes the endpoint and comments on unchanged', async () => {
    const stream =
      'event: endpoint\ndata: /messages?sessionId=1\n\n' +
      `event: message\ndata: ${reply('sentinel-1', 'a')}\n\n` +
      ': a comment\n\n' +
      `id: 7\ndata: ${reply(3, 'sdk')}\n\n` +
      `data: ${reply('sentinel-2', 'x'.repeat(40_000))}\r\n\r\n`;
    // Cut every 997 characters, through lines and line ends.
    const chunks = stream.match(/[\s\S]{1,997}/g)!;
    const { passed, taken } = await tapped(chunks);
    expect(taken.map((m) => 'id' in m && m.id)).toEqual(['sentinel-1', 3, 'sentinel-2']);
    expect(passed).toBe('event: endpoint\ndata: /messages?sessionId=1\n\n: a comment\n\n');
  });

  it('passes on what it cannot vouch for: unparsable data, a batch, a bad envelope, other event types', async () => {
    const events = [
      'data: {"jsonrpc":"2.0","id":"sentinel-1",\n\n',
      `data: [${reply('sentinel-2', 'b')}]\n\n`,
      'data: {"jsonrpc":"2.0","id":"sentinel-3","result":{},"extra":1}\n\n',
      `event: other\ndata: ${reply('sentinel-4', 'o')}\n\n`,
    ];
    const { passed, taken } = await tapped([events.join('')]);
    expect(taken).toEqual([]);
    expect(passed).toBe(events.join(''));
  });

  it('keeps a multi-line data field and multi-byte text intact', async () => {
    const text = 'é€😀'.repeat(1000);
    const bytes = new TextEncoder().encode(
      `data: {"jsonrpc":"2.0",\ndata: "id":"sentinel-9","result":{"t":"${text}"}}\n\n`,
    );
    // Cut every 7 bytes: through the bytes of multi-byte characters.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.slice(i * 7, i * 7 + 7),
    );
    const { passed, taken } = await tapped(chunks);
    expect(passed).toBe('');
    expect(taken).toEqual([{ jsonrpc: '2.0', id: 'sentinel-9', result: { t: text } }]);
  });

  it("passes a taken message's retry: on, and takes every retry: up to 30 s", async () => {
    const stream =
      `retry: 3600000\ndata: ${reply('sentinel-1', 'a')}\n\n` +
      `retry: 250\ndata: ${reply('sentinel-2', 'b')}\n\n` +
      'retry: 99999999\ndata: not json\n\n' +
      `retry: soon\ndata: ${reply('sentinel-3', 'c')}\n\n`;
    const { passed, taken } = await tapped([stream]);
    expect(taken).toHaveLength(3);
    expect(passed).toBe('retry: 30000\n\nretry: 250\n\nretry: 30000\ndata: not json\n\n');
  });

  it('asks to resume from the last event id received, a taken message included', async () => {
    const tap = new EventStreamTap();
    tap.deliver = () => undefined;
    const asked: (string | null)[] = [];
    const streams = [
      `id: 1\ndata: ${reply(1, 'passed on')}\n\nid: 2\ndata: ${reply('sentinel-1', 'taken')}\n\n`,
      'id: 3\n\nid: bad\0id\ndata: {}\n\n',
      'id:\n\n',
      '',
    ];
    const fetch = tap.wrap(async (_url, init) => {
      asked.push(new Headers(init?.headers).get('last-event-id'));
      return new Response(streams[asked.length - 1], { headers: { 'content-type': 'text/event-stream' } });
    });
    for (let i = 0; i < streams.length; i++) await (await fetch('http://127.0.0.1/sse', {})).text();
    // An id with NUL is ignored, and an empty one means none, as the event-stream format says.
    expect(asked).toEqual([null, '2', '3', null]);
  });
});
