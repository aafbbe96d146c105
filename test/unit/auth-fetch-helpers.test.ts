/** The per-request helpers of the auth fetch: one origin check, one Headers object. */
import { describe, expect, it } from 'vitest';
import { mergeHeaders, sameOrigin } from '../../src/auth/strategy.js';

describe('sameOrigin', () => {
  it.each([
    ['https://a.example/mcp', true],
    ['https://a.example/', true],
    ['https://A.EXAMPLE/mcp', true],
    ['https://a.example:443/mcp', true],
    [new URL('https://a.example/x'), true],
    ['https://a.example.evil/mcp', false],
    ['https://a.example@evil.example/mcp', false],
    ['https://a.example:8443/mcp', false],
    ['http://a.example/mcp', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(sameOrigin(url, 'https://a.example')).toBe(expected);
  });
});

describe('mergeHeaders', () => {
  it('drops credential headers the request brought and adds the configured ones only when given', () => {
    const init = {
      headers: { Authorization: 'Bearer passthrough', Cookie: 'c', Accept: 'text/event-stream' },
    };
    const own = mergeHeaders(init, [['X-Api-Key', 'k']]);
    expect([...own.entries()]).toEqual([
      ['accept', 'text/event-stream'],
      ['x-api-key', 'k'],
    ]);
    expect([...mergeHeaders(init, undefined).entries()]).toEqual([['accept', 'text/event-stream']]);
  });
});
