/** The hand-written envelope check on the host path agrees with the SDK's JSON-RPC schema. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../../src/aggregator/host-transport.js';

const id = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.boolean());
const loose = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue());
const envelope = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.integer()),
    id,
    method: fc.oneof(fc.string(), fc.integer()),
    params: loose,
    result: loose,
    error: fc.oneof(
      fc.record(
        {
          code: fc.oneof(fc.integer(), fc.double(), fc.string()),
          message: fc.oneof(fc.string(), fc.integer()),
        },
        { requiredKeys: [] },
      ),
      loose,
    ),
  },
  { requiredKeys: [] },
);

describe('isJsonRpcMessage', () => {
  it('accepts exactly what the SDK schema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(envelope, fc.jsonValue()), (value) => {
        expect(isJsonRpcMessage(value)).toBe(JSONRPCMessageSchema.safeParse(value).success);
      }),
      { numRuns: 1_000 },
    );
  });

  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }, true],
    [{ jsonrpc: '2.0', method: 'notifications/initialized' }, true],
    [{ jsonrpc: '2.0', id: 'a', result: {} }, true],
    [{ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no' } }, true],
    [{ jsonrpc: '2.0', id: 1.5, method: 'ping' }, false],
    [{ jsonrpc: '2.0', id: 1, method: 'x', params: [1] }, false],
    [{ jsonrpc: '2.0', id: 1 }, false],
    [{ id: 1, method: 'ping' }, false],
  ])('%j → %s', (value, expected) => {
    expect(isJsonRpcMessage(value)).toBe(expected);
  });
});
