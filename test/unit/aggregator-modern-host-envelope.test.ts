/**
 * The 2026-07-28 envelope and result shapes the modern-host gateway works with: which messages claim the
 * revision, what an incomplete or unsupported envelope is answered with, the params a 2025-era server gets,
 * and the fields every result gains (resultType; caching hints on lists and reads).
 */
import { describe, expect, it } from 'vitest';
import { checkEnvelope, claimsModern, forwardedParams } from '../../src/aggregator/modern-host/envelope.js';
import { discoverResult, modernResult } from '../../src/aggregator/modern-host/results.js';
import { readFilter } from '../../src/aggregator/modern-host/listen.js';

const V = 'io.modelcontextprotocol/protocolVersion';
const C = 'io.modelcontextprotocol/clientCapabilities';
const server = { name: 'mcp-sentinel', version: '1' };

describe('which host messages claim the 2026-07-28 revision', () => {
  it.each([
    [{ method: 'server/discover' }, true],
    [{ method: 'tools/list', params: { _meta: { [V]: '2026-07-28' } } }, true],
    [{ method: 'tools/list', params: { _meta: { [V]: '1999-01-01' } } }, true],
    [{ method: 'initialize', params: { protocolVersion: '2025-11-25' } }, false],
    [{ method: 'tools/list', params: { _meta: { progressToken: 1 } } }, false],
  ])('%j → %s', (message, expected) => expect(claimsModern(message)).toBe(expected));
});

describe('the envelope of a request', () => {
  it('names the missing keys (-32602)', () => {
    expect(checkEnvelope({ _meta: { [V]: '2026-07-28' } })).toMatchObject({ ok: false, code: -32602 });
    expect(checkEnvelope({})).toMatchObject({ ok: false, code: -32602, message: expect.stringContaining(C) });
  });
  it('answers a version it does not serve with the versions it does (-32022)', () => {
    expect(checkEnvelope({ _meta: { [V]: '2099-01-01', [C]: {} } })).toEqual({
      ok: false,
      code: -32022,
      message: 'Unsupported protocol version',
      data: { supported: ['2026-07-28'], requested: '2099-01-01' },
    });
  });
  it('reads capabilities and the log level', () => {
    const check = checkEnvelope({
      _meta: { [V]: '2026-07-28', [C]: { elicitation: {} }, 'io.modelcontextprotocol/logLevel': 'info' },
    });
    expect(check).toEqual({
      ok: true,
      envelope: { protocolVersion: '2026-07-28', capabilities: { elicitation: {} }, logLevel: 'info' },
    });
  });
});

describe('params for mcp-sentinel\u2019s server', () => {
  it('drop the envelope keys about the host\u2019s connection, keeping what a 2026-07-28 backend judges', () => {
    const L = 'io.modelcontextprotocol/logLevel';
    expect(
      forwardedParams({
        name: 't',
        inputResponses: { a: {} },
        requestState: 's',
        _meta: {
          [V]: '2026-07-28',
          [C]: {},
          [L]: 'info',
          'io.modelcontextprotocol/clientInfo': {},
          progressToken: 7,
        },
      }),
    ).toEqual({
      name: 't',
      inputResponses: { a: {} },
      requestState: 's',
      _meta: { [C]: {}, [L]: 'info', progressToken: 7 },
    });
    expect(forwardedParams({ name: 't', _meta: { [V]: '2026-07-28' } })).toEqual({ name: 't' });
  });
});

describe('results for a 2026-07-28 host', () => {
  it('say their resultType; lists and reads carry caching hints, results their own hints kept', () => {
    expect(modernResult('tools/call', { content: [] }, server)).toEqual({
      content: [],
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': server },
    });
    expect(
      modernResult('tools/list', { tools: [], ttlMs: 5000, cacheScope: 'public' }, server),
    ).toMatchObject({
      resultType: 'complete',
      ttlMs: 5000,
      cacheScope: 'public',
    });
    expect(modernResult('resources/read', { contents: [] }, server)).toMatchObject({
      ttlMs: 0,
      cacheScope: 'private',
    });
    expect(modernResult('resources/read', { resultType: 'input_required' }, server)).not.toHaveProperty(
      'ttlMs',
    );
  });
  it('server/discover carries the revision, the capabilities (tasks left out) and the instructions', () => {
    const result = discoverResult(
      { capabilities: { tools: {}, tasks: { list: {} } }, instructions: 'hi' },
      server,
    );
    expect(result).toMatchObject({
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: {} },
      instructions: 'hi',
      serverInfo: server,
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
    });
    expect(result.capabilities).not.toHaveProperty('tasks');
  });
});

describe('subscription filters', () => {
  it('keep the known fields only, and refuse a malformed resource list', () => {
    expect(readFilter({ toolsListChanged: true, promptsListChanged: false, other: 1 })).toEqual({
      toolsListChanged: true,
    });
    expect(readFilter({ resourceSubscriptions: ['a', 'a', 'b'] })).toEqual({
      resourceSubscriptions: ['a', 'b'],
    });
    expect(readFilter({ resourceSubscriptions: [1] })).toBeUndefined();
    expect(readFilter(null)).toBeUndefined();
  });
});
