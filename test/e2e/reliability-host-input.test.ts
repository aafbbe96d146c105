/**
 * Bad input from the host: every malformed line gets the JSON-RPC error the spec names, nothing hangs, and
 * the session keeps working afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import {
  behaviourServer,
  responsesTo,
  sendRaw,
  sendRawCall,
  sendRawCancel,
  waitForResponse,
  stdoutMessages,
} from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

describe('malformed input from the host', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await TestHost.start({ config: { mcpServers: { fx: behaviourServer('fx') } } });
    await host.client.listTools();
  });

  afterAll(async () => {
    const closed = await host?.close();
    expect(closed?.leftovers).toEqual([]);
  });

  const errorsWithNullId = () =>
    responsesTo(host, null).map((r) => r.error as { code: number; message: string });
  /** How many id-less errors with `code` the sentinel has written so far; each test counts from its own start. */
  const nullIdErrors = (code: number) => errorsWithNullId().filter((e) => e.code === code).length;

  it('answers a line that is not JSON with -32700 and keeps running', async () => {
    const before = nullIdErrors(-32700);
    sendRaw(host, '{"jsonrpc": "2.0", "id": 1, "method": \n');
    await waitFor('a parse error', () => nullIdErrors(-32700) === before + 1);
    expect((await callTool(host, 'fx__echo', { after: 'parse error' })).text).toBe(
      'fx/echo: {"after":"parse error"}',
    );
  });

  it('rejects a batch array with -32600', async () => {
    const before = nullIdErrors(-32600);
    sendRaw(host, JSON.stringify([{ jsonrpc: '2.0', id: 'b1', method: 'ping' }]) + '\n');
    await waitFor('a batch rejection', () => nullIdErrors(-32600) === before + 1);
    expect(responsesTo(host, 'b1')).toEqual([]);
  });

  it('rejects an object that is not a JSON-RPC message, with its id when it has one', async () => {
    const before = nullIdErrors(-32600);
    sendRaw(host, '{"jsonrpc":"2.0"}\n');
    sendRaw(host, '{"jsonrpc":"1.0","id":"old","method":"ping"}\n');
    const response = await waitForResponse(host, 'old');
    expect((response.error as { code: number }).code).toBe(-32600);
    await waitFor('the id-less rejection', () => nullIdErrors(-32600) === before + 1);
  });

  it('answers an unknown method with -32601', async () => {
    sendRaw(host, '{"jsonrpc":"2.0","id":"u1","method":"no/such/method"}\n');
    expect(((await waitForResponse(host, 'u1')).error as { code: number }).code).toBe(-32601);
  });

  it('rejects a request id that is still in use, and answers the first request once', async () => {
    sendRawCall(host, 'dup', 'fx__slow', { ms: 300 });
    sendRawCall(host, 'dup', 'fx__echo', { second: true });
    await waitFor('both answers', () => responsesTo(host, 'dup').length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answers = responsesTo(host, 'dup');
    expect(answers).toHaveLength(2);
    expect((answers[0]!.error as { code: number; message: string }).message).toMatch(
      /already used by a request in progress/,
    );
    expect(JSON.stringify(answers[1]!.result)).toContain('fx/slow');
  });

  it('answers an over-size line (over 10 MiB) with an error and keeps the session', async () => {
    const before = errorsWithNullId().length;
    sendRawCall(host, 'big', 'fx__echo', { x: 'z'.repeat(11 * 1024 * 1024) });
    await waitFor('an over-size rejection', () => errorsWithNullId().length > before);
    // Exactly one new id-less error, and it is the over-size rejection.
    expect(errorsWithNullId().slice(before)).toEqual([
      { code: -32600, message: expect.stringMatching(/a message larger than \d+ bytes was discarded/) },
    ]);
    expect(responsesTo(host, 'big')).toEqual([]);
    expect((await callTool(host, 'fx__echo', { after: 'huge' })).text).toBe('fx/echo: {"after":"huge"}');
  });

  it('answers an unknown tool and invalid arguments with clear errors', async () => {
    await expect(callTool(host, 'fx__nope')).rejects.toThrow(/Unknown tool: fx__nope/);
    sendRawCall(host, 'args', 'fx__echo', 'not an object');
    const response = await waitForResponse(host, 'args');
    expect(response.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/"arguments" must be an object/),
    });
    sendRaw(host, JSON.stringify({ jsonrpc: '2.0', id: 'noname', method: 'tools/call', params: {} }) + '\n');
    expect(((await waitForResponse(host, 'noname')).error as { code: number }).code).toBe(-32602);
  });

  it('ignores a cancellation of initialize or of an unknown id, and answers ping', async () => {
    sendRawCancel(host, 'never-sent');
    sendRawCancel(host, 0);
    await host.client.ping();
    expect((await callTool(host, 'fx__echo', { still: 'alive' })).text).toBe('fx/echo: {"still":"alive"}');
  });

  it('wrote nothing but JSON-RPC, and exactly one response per answered id', () => {
    expect(host.nonProtocolStdout()).toEqual([]);
    const counts = new Map<string, number>();
    for (const message of stdoutMessages(host)) {
      if (!('id' in message) || 'method' in message || message.id === null || message.id === 'dup') continue;
      const key = JSON.stringify(message.id);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
  });
});
