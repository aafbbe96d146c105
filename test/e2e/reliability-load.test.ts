/**
 * Large messages and many calls at once: a 10 MB result passes intact, 200 concurrent calls over three
 * backends each get their own answer, and a backend flooding stderr neither blocks nor floods our log.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { behaviourServer } from '../helpers/reliability.js';

describe('large messages and concurrency', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await TestHost.start({
      config: { mcpServers: { a: behaviourServer('a'), b: behaviourServer('b'), c: behaviourServer('c') } },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
  });

  it('passes a 10 MB tool result through intact', async () => {
    const bytes = 10_000_000;
    const result = await host.client.request(
      { method: 'tools/call', params: { name: 'a__huge', arguments: { bytes } } },
      CallToolResultSchema,
      { timeout: 30_000 },
    );
    const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
    expect(text.length).toBe(bytes);
    expect(createHash('sha256').update(text).digest('hex')).toBe(
      createHash('sha256').update('x'.repeat(bytes)).digest('hex'),
    );
    expect((await callTool(host, 'b__echo', { after: 'huge' })).text).toBe('b/echo: {"after":"huge"}');
  });

  it('correlates 200 concurrent calls across three backends', async () => {
    const calls = Array.from({ length: 200 }, (_, i) => {
      const backend = ['a', 'b', 'c'][i % 3]!;
      const nonce = `${i}-${Math.random().toString(36).slice(2)}`;
      const tool = i % 2 === 0 ? 'echo' : 'slow';
      const args = tool === 'slow' ? { ms: (i * 7) % 50, nonce } : { nonce };
      return callTool(host, `${backend}__${tool}`, args).then((r) => ({
        r,
        expected: `${backend}/${tool}: ${JSON.stringify(args)}`,
      }));
    });
    for (const { r, expected } of await Promise.all(calls)) expect(r.text).toBe(expected);
  });

  it('drains a backend that writes 20 MB to stderr, truncating and rate-limiting what it forwards', async () => {
    expect((await callTool(host, 'c__stderr', { bytes: 20_000_000 }, { timeout: 30_000 })).text).toBe(
      'c/stderr: done',
    );
    // stderr and stdout are separate pipes: the forwarded stderr may trail the result a little.
    await host.waitForStderr(/\[c\] e{100,}… \(over-long line truncated\)/);
    expect(host.stderr.length).toBeLessThan(1_000_000);
  });

  it('wrote nothing but JSON-RPC to stdout', () => {
    expect(host.nonProtocolStdout()).toEqual([]);
  });
});
