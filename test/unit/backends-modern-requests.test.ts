/**
 * What a 2026-07-28 session does to a request before the v2 client sends it, in-process: a 2026-07-28
 * host's request keeps its own parts and takes its `input_required` back as it is (with the tool's
 * definition minus its output schema), a 2025-era host's request gets the level of `logging/setLevel`,
 * and subscriptions become one `subscriptions/listen` stream for the subscribed URIs, opened anew when
 * they change.
 */
import { describe, expect, it } from 'vitest';
import { ModernRequests } from '../../src/backends/modern-requests.js';

const CAPS = 'io.modelcontextprotocol/clientCapabilities';
const LEVEL = 'io.modelcontextprotocol/logLevel';

function setUp() {
  const streams: { filter: unknown; closed: boolean }[] = [];
  const client = {
    listen: async (filter: unknown) => {
      const stream = { filter, closed: false };
      streams.push(stream);
      return { close: async () => void (stream.closed = true) };
    },
  };
  const requests = new ModernRequests(client as never, (message) => new Error(message));
  return { requests, streams };
}

describe('a request of a 2026-07-28 host', () => {
  it('goes as it is, and takes its input_required back, without the tool’s output schema', () => {
    const { requests } = setUp();
    requests.listed(
      { tools: [{ name: 'ask', inputSchema: {}, outputSchema: { type: 'object' } }] },
      undefined,
    );
    // A later page of the same listing adds to it.
    requests.listed({ tools: [{ name: 'other', inputSchema: {} }] }, 'page-2');
    const params = { name: 'ask', requestState: 's', _meta: { [CAPS]: { elicitation: {} } } };
    const prepared = requests.prepare('tools/call', params, { signal: 'x' });
    expect(prepared.params).toBe(params);
    expect(prepared.options).toEqual({
      signal: 'x',
      allowInputRequired: true,
      toolDefinition: { name: 'ask', inputSchema: {}, outputSchema: undefined },
    });
    expect(requests.prepare('prompts/get', params, {}).options).toEqual({ allowInputRequired: true });
    expect(requests.prepare('completion/complete', params, {}).options).toEqual({});
  });
});

describe('a request of a 2025-era host', () => {
  it('carries the level the host set, unless it names its own', async () => {
    const { requests } = setUp();
    expect(requests.prepare('tools/call', { name: 'a' }, undefined).params).toEqual({ name: 'a' });
    await requests.answer('logging/setLevel', { level: 'info' });
    expect(requests.prepare('tools/call', { name: 'a' }, undefined).params).toEqual({
      name: 'a',
      _meta: { [LEVEL]: 'info' },
    });
    const own = { name: 'a', _meta: { [LEVEL]: 'error' } };
    expect(requests.prepare('tools/call', own, undefined).params).toBe(own);
    expect(requests.prepare('tools/call', own, undefined).options).toBeUndefined();
    await expect(requests.answer('logging/setLevel', {})).rejects.toThrow(/level/);
  });

  it('subscribes through one listen stream for the subscribed URIs', async () => {
    const { requests, streams } = setUp();
    await requests.answer('resources/subscribe', { uri: 'a://1' });
    await requests.answer('resources/subscribe', { uri: 'a://1' }); // already: no new stream
    await requests.answer('resources/subscribe', { uri: 'a://2' });
    await requests.answer('resources/unsubscribe', { uri: 'a://1' });
    await requests.answer('resources/unsubscribe', { uri: 'a://2' });
    expect(streams).toEqual([
      { filter: { resourceSubscriptions: ['a://1'] }, closed: true },
      { filter: { resourceSubscriptions: ['a://1', 'a://2'] }, closed: true },
      { filter: { resourceSubscriptions: ['a://2'] }, closed: true },
    ]);
    expect(requests.answer('tools/call', {})).toBeUndefined();
  });
});
