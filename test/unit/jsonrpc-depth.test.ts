/** The non-recursive depth check and the never-throwing encoder shared by both sides of the relay. */
import { describe, expect, it } from 'vitest';
import { encodeLine, encodeMessage, exceedsDepth, MAX_JSON_DEPTH } from '../../src/jsonrpc.js';

const nest = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;

describe('exceedsDepth', () => {
  it.each([
    ['exactly the limit', nest(MAX_JSON_DEPTH), false],
    ['one past the limit', nest(MAX_JSON_DEPTH + 1), true],
    ['objects past the limit', `${'{"a":'.repeat(1200)}1${'}'.repeat(1200)}`, true],
    ['brackets inside a string', JSON.stringify({ s: '['.repeat(5000) }), false],
    ['escaped quotes before brackets', JSON.stringify({ s: `\\"${'['.repeat(3000)}` }), false],
    ['many shallow containers', JSON.stringify(Array.from({ length: 5000 }, (_, i) => [i])), false],
    ['a short line', '[[[]]]', false],
    ['multi-byte text around brackets past the limit', `["é${'['.repeat(1200)}€${']'.repeat(1200)}"]`, false],
    [
      'multi-byte strings between containers past the limit',
      `${'[{"k":"ü"},'.repeat(1)}${'['.repeat(1001)}${']'.repeat(1001)}]`,
      true,
    ],
  ])('%s', (_what, text, expected) => {
    expect(exceedsDepth(text)).toBe(expected);
    // The same answer from the UTF-8 bytes, which is how an encoded line is checked.
    expect(exceedsDepth(Buffer.from(`${text}\n`))).toBe(expected);
  });
});

describe('encodeMessage', () => {
  it('reports a value too deep to encode instead of throwing', () => {
    let value: unknown = 1;
    for (let i = 0; i < 20_000; i++) value = [value];
    expect(encodeMessage({ jsonrpc: '2.0', id: 1, result: { value } })).toEqual({
      problem: expect.stringMatching(/deeper than 1000 levels/),
    });
    expect(encodeLine({ jsonrpc: '2.0', id: 1, result: { value } })).toEqual({
      problem: expect.stringMatching(/deeper than 1000 levels/),
    });
  });

  it('reports a cyclic value instead of throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect('problem' in encodeMessage(cyclic)).toBe(true);
  });
});
