/**
 * How the HTTP channel reads a forwarded request's reply body (src/backends/http-channel/reply-reader.ts):
 * every JSON-RPC message is handed over as soon as it is complete, whatever the chunking and line endings,
 * events that carry nothing are skipped, and a body past the cap is cut off with RESPONSE_TOO_LARGE.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readReply } from '../../src/backends/http-channel/reply-reader.js';
import { ReplyBudget } from '../../src/backends/http-channel/reply-budget.js';
import { SentinelError } from '../../src/errors.js';
import { vouch } from '../../src/json-splice.js';
import { encodeLine } from '../../src/jsonrpc.js';

class Body extends EventEmitter {
  destroyed = false;
  pause() {}
  resume() {}
  destroy() {
    this.destroyed = true;
  }
}

function read(chunks: (string | Buffer)[], eventStream: boolean, maxBytes = 1 << 20) {
  const body = new Body();
  const messages: unknown[] = [];
  let ended: { error?: Error } | undefined;
  readReply(body, eventStream, new ReplyBudget('web', maxBytes), {
    message: (m) => messages.push(m),
    end: (error) => {
      ended = { error };
    },
  });
  for (const chunk of chunks) {
    if (ended) break;
    body.emit('data', typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  if (!ended) body.emit('end');
  return { messages, ended, body };
}

const reply = (id: number, text = 'ok') => ({ jsonrpc: '2.0', id, result: { text } });
const json = (value: unknown) => JSON.stringify(value);
const progress = {
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 't', progress: 1 },
};

describe('an event-stream reply', () => {
  const cases: [string, string[], unknown[]][] = [
    ['LF line endings', [`data: ${json(progress)}\n\ndata: ${json(reply(1))}\n\n`], [progress, reply(1)]],
    ['CRLF line endings', [`data: ${json(reply(1))}\r\n\r\n`], [reply(1)]],
    ['CR line endings', [`data: ${json(reply(1))}\r\r`], [reply(1)]],
    ['a CRLF split between chunks', [`data: ${json(reply(1))}\r`, `\n\r`, `\n`], [reply(1)]],
    [
      'an event split mid-line over many chunks',
      json(reply(2, 'x'.repeat(50)))
        .match(/.{1,7}/g)!
        .map((p, i) => (i === 0 ? `data: ${p}` : p))
        .concat(['\n\n']),
      [reply(2, 'x'.repeat(50))],
    ],
    [
      'data over several lines, joined by newlines',
      ['data: {"jsonrpc":"2.0",\ndata: "id":3,"result":{}}\n\n'],
      [{ jsonrpc: '2.0', id: 3, result: {} }],
    ],
    [
      'comments, ids and retry fields',
      [`: keep-alive\nid: 7\nretry: 100\ndata: ${json(reply(1))}\n\n`],
      [reply(1)],
    ],
    ['a priming event with empty data', [`id: abc\ndata: \n\ndata: ${json(reply(1))}\n\n`], [reply(1)]],
    [
      'an event of another type',
      [`event: ping\ndata: {"x":1}\n\nevent: message\ndata: ${json(reply(1))}\n\n`],
      [reply(1)],
    ],
    [
      'an event cut off by the end of the stream',
      [`data: ${json(reply(1))}\n\ndata: {"jsonrpc"`],
      [reply(1)],
    ],
  ];
  it.each(cases)('%s', (_name, chunks, expected) => {
    const { messages, ended } = read(chunks, true);
    expect(messages).toEqual(expected);
    expect(ended).toEqual({ error: undefined });
  });

  it('hands over a message before the rest of the body has arrived', () => {
    const body = new Body();
    const messages: unknown[] = [];
    readReply(body, true, new ReplyBudget('web', 1 << 20), {
      message: (m) => messages.push(m),
      end: () => undefined,
    });
    body.emit('data', Buffer.from(`data: ${json(progress)}\n\n`));
    expect(messages).toEqual([progress]);
  });
});

describe('a JSON reply', () => {
  it('is one message, or each of a batch', () => {
    expect(read([json(reply(1))], false).messages).toEqual([reply(1)]);
    expect(read([json([reply(1), reply(2)])], false).messages).toEqual([reply(1), reply(2)]);
  });

  it('survives a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from(json(reply(1, 'größe €')));
    const at = bytes.indexOf(0xe2) + 1;
    expect(read([bytes.subarray(0, at), bytes.subarray(at)], false).messages).toEqual([reply(1, 'größe €')]);
  });

  it('that is not JSON ends with the parse error', () => {
    expect(read(['<html>oops</html>'], false).ended?.error).toBeInstanceOf(SyntaxError);
  });
});

describe('the size cap', () => {
  it.each([true, false])('cuts the body past maxResponseBytes (event stream: %s)', (eventStream) => {
    const big = eventStream
      ? `data: ${json(reply(1, 'x'.repeat(5_000)))}\n\n`
      : json(reply(1, 'x'.repeat(5_000)));
    const { messages, ended, body } = read([big.slice(0, 3_000), big.slice(3_000)], eventStream, 4_096);
    expect(messages).toEqual([]);
    expect(ended?.error).toBeInstanceOf(SentinelError);
    expect((ended?.error as SentinelError).code).toBe('RESPONSE_TOO_LARGE');
    expect(ended?.error?.message).toMatch(/larger than 4096 bytes \(settings\.maxResponseBytes\)/);
    expect(body.destroyed).toBe(true);
  });
});

describe('a large result nested too deep', () => {
  it.each([true, false])(
    'is not written on as it came, so the encoder refuses it (event stream: %s)',
    (eventStream) => {
      const deep = `${'['.repeat(5_000)}${'"x",'.repeat(3_000)}"x"${']'.repeat(5_000)}`;
      const text = `{"jsonrpc":"2.0","id":"s-1","result":{"content":${deep}}}`;
      const { messages } = read([eventStream ? `data: ${text}\n\n` : text], eventStream);
      const message = messages[0] as { result: object };
      // What the fast path does with a backend's result: vouch for it and encode the line to the host.
      const outgoing = vouch({ jsonrpc: '2.0', id: 7, result: message.result }, message.result);
      expect(encodeLine(outgoing)).toEqual({ problem: expect.stringMatching(/deeper than 1000 levels/) });
    },
  );
});
