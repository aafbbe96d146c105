/** Large values written out again from the text they arrived in: the same JSON as re-encoding, or none. */
import { describe, expect, it } from 'vitest';
import { forgetSpan, rememberSpan, splicedLine, valueAt, VERBATIM } from '../../src/json-splice.js';
import { encodeLine } from '../../src/jsonrpc.js';

const big = 'x'.repeat(20_000);

/** What goes out for `text` parsed and passed on as the fast path does, with the host's id `id`. */
function relayedResult(text: string, id: number | string = 7): string | undefined {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const ascii = Buffer.byteLength(text) === text.length ? Buffer.from(text) : undefined;
  rememberSpan(parsed, text, ascii, ['result']);
  const parts = splicedLine({ jsonrpc: '2.0', id, result: parsed.result, [VERBATIM]: parsed.result });
  return parts && Buffer.concat(parts).toString('utf8');
}

describe('valueAt', () => {
  it.each([
    ['a plain member', '{"a":1,"result":{"b":2}}', ['result'], '{"b":2}'],
    ['whitespace everywhere', ' { "result" :\n\t[ 1 , 2 ] ,"id":3 } ', ['result'], '[ 1 , 2 ]'],
    [
      'the last of a repeated key, as JSON.parse keeps',
      '{"result":{"old":1},"result":{"new":2}}',
      ['result'],
      '{"new":2}',
    ],
    ['an escaped key', '{"res\\u0075lt":{"k":1}}', ['result'], '{"k":1}'],
    ['a nested key, not the top-level one', '{"x":{"result":1},"result":"top"}', ['result'], '"top"'],
    [
      'brackets and escaped quotes inside strings',
      '{"s":"}]\\"{","result":{"t":"\\\\"}}',
      ['result'],
      '{"t":"\\\\"}',
    ],
    [
      'a path two deep',
      '{"params":{"name":"n","arguments":{"m":"v"}},"id":1}',
      ['params', 'arguments'],
      '{"m":"v"}',
    ],
    ['a number before the end', '{"result":-1.5e3}', ['result'], '-1.5e3'],
  ])('%s', (_what, text, path, expected) => {
    const at = valueAt(text, path);
    expect(at && text.slice(at[0], at[1])).toBe(expected);
  });

  it('finds nothing where the key is missing or not inside an object', () => {
    expect(valueAt('{"a":1}', ['result'])).toBeUndefined();
    expect(valueAt('[{"result":1}]', ['result'])).toBeUndefined();
    expect(valueAt('{"params":[1]}', ['params', 'arguments'])).toBeUndefined();
  });
});

describe('splicedLine', () => {
  it.each([
    [
      'pure ASCII',
      `{"result":{"content":[{"type":"text","text":"${big}"}]},"jsonrpc":"2.0","id":"sentinel-4"}`,
    ],
    ['multi-byte text', `{"jsonrpc":"2.0","id":"sentinel-4","result":{"text":"é€😀${big}"}}`],
    [
      'escapes and odd spacing',
      `{ "id" : "s-1" , "result" : { "a" : "\\u00e9\\"\\n" , "b" : [ 1e2 , null ] , "c" : "${big}" } }`,
    ],
  ])('writes the same message as re-encoding would: %s', (_what, text) => {
    const line = relayedResult(text);
    expect(line?.endsWith('\n')).toBe(true);
    const expected = { jsonrpc: '2.0', id: 7, result: (JSON.parse(text) as { result: unknown }).result };
    expect(JSON.parse(line!)).toEqual(expected);
    expect(Object.keys(JSON.parse(line!) as object)).toEqual(['jsonrpc', 'id', 'result']);
  });

  it('writes the arguments of a request from the host text, with the changed name and id', () => {
    const text = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"e__echo","arguments":{"message":"${big}"},"_meta":{"progressToken":9}}}`;
    const parsed = JSON.parse(text) as { params: Record<string, unknown> };
    rememberSpan(parsed, text, Buffer.from(text), ['params', 'arguments']);
    const params = { ...parsed.params, name: 'echo', [VERBATIM]: parsed.params.arguments };
    const message = {
      jsonrpc: '2.0',
      id: 'sentinel-1',
      method: 'tools/call',
      params: { ...params, _meta: {} },
    };
    const parts = splicedLine(message);
    expect(parts).toBeDefined();
    expect(JSON.parse(Buffer.concat(parts!).toString())).toEqual(JSON.parse(JSON.stringify(message)));
  });

  it('re-encodes a value that is not vouched for, was replaced, or has no span', () => {
    const text = `{"result":{"t":"${big}"},"jsonrpc":"2.0","id":"s-1"}`;
    const parsed = JSON.parse(text) as { result: Record<string, unknown> };
    rememberSpan(parsed, text, Buffer.from(text), ['result']);
    expect(splicedLine({ jsonrpc: '2.0', id: 1, result: parsed.result })).toBeUndefined();
    expect(
      splicedLine({ jsonrpc: '2.0', id: 1, result: { ...parsed.result }, [VERBATIM]: parsed.result }),
    ).toBeUndefined();
    const fresh = { t: 'new' };
    expect(splicedLine({ jsonrpc: '2.0', id: 1, result: fresh, [VERBATIM]: fresh })).toBeUndefined();
  });

  it('writes a value from its text once, and not at all once forgotten (the line is let go)', () => {
    const text = `{"result":{"t":"${big}"},"jsonrpc":"2.0","id":"s-1"}`;
    const [first, second] = [1, 2].map(() => JSON.parse(text) as { result: Record<string, unknown> });
    rememberSpan(first, text, Buffer.from(text), ['result']);
    rememberSpan(second, text, Buffer.from(text), ['result']);
    const message = (result: object) => ({ jsonrpc: '2.0', id: 1, result, [VERBATIM]: result });
    expect(splicedLine(message(first!.result))).toBeDefined();
    expect(splicedLine(message(first!.result))).toBeUndefined();
    forgetSpan(second!.result);
    expect(splicedLine(message(second!.result))).toBeUndefined();
  });

  it('leaves a message whose envelope cannot be encoded to the usual encoder, which names the problem', () => {
    const text = `{"result":{"t":"${big}"},"jsonrpc":"2.0","id":"s-1"}`;
    const parsed = JSON.parse(text) as { result: Record<string, unknown> };
    rememberSpan(parsed, text, Buffer.from(text), ['result']);
    const message = { jsonrpc: '2.0', id: 1, result: parsed.result, extra: 10n, [VERBATIM]: parsed.result };
    expect(splicedLine(message)).toBeUndefined();
    expect(encodeLine(message)).toEqual({ problem: expect.stringMatching(/cannot be encoded/) });
  });

  it('checks the depth of what surrounds the spliced value', () => {
    const text = `{"result":{"t":"${big}"},"jsonrpc":"2.0","id":"s-1"}`;
    const parsed = JSON.parse(text) as { result: Record<string, unknown> };
    rememberSpan(parsed, text, Buffer.from(text), ['result']);
    let deep: unknown = 1;
    for (let i = 0; i < 1_200; i++) deep = [deep];
    const message = { jsonrpc: '2.0', id: 1, result: parsed.result, deep, [VERBATIM]: parsed.result };
    expect(encodeLine(message)).toEqual({ problem: expect.stringMatching(/deeper than 1000 levels/) });
  });
});
