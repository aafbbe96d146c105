/**
 * serve answers `initialize` itself before the SDK has loaded: the answer must be exactly what the SDK's
 * Server would give, for every protocol version a host may ask for.
 */
import { describe, expect, it } from 'vitest';
import {
  InMemoryTransport,
  LATEST_PROTOCOL_VERSION as SDK_LATEST,
  Server,
  SUPPORTED_PROTOCOL_VERSIONS as SDK_SUPPORTED,
  type JSONRPCMessage,
} from '@modelcontextprotocol/server';
import {
  INSTRUCTIONS,
  LATEST_PROTOCOL_VERSION,
  SERVER_CAPABILITIES,
  SERVER_INFO,
  SUPPORTED_PROTOCOL_VERSIONS,
  initializeResult,
} from '../../src/aggregator/identity.js';

async function sdkAnswer(protocolVersion: unknown): Promise<unknown> {
  const server = new Server(SERVER_INFO, { capabilities: SERVER_CAPABILITIES, instructions: INSTRUCTIONS });
  const [host, side] = InMemoryTransport.createLinkedPair();
  const answer = new Promise<unknown>((resolve) => {
    host.onmessage = (message: JSONRPCMessage) => resolve('result' in message ? message.result : message);
  });
  await server.connect(side);
  await host.start();
  await host.send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'host', version: '1' } },
  } as JSONRPCMessage);
  const result = await answer;
  await server.close();
  return result;
}

describe('the early initialize answer', () => {
  it('knows the same protocol versions as the SDK', () => {
    expect(LATEST_PROTOCOL_VERSION).toBe(SDK_LATEST);
    expect(SUPPORTED_PROTOCOL_VERSIONS).toEqual(SDK_SUPPORTED);
  });

  it.each([...SDK_SUPPORTED, '1999-01-01', 'not-a-version'])(
    'matches the SDK server for %s',
    async (version) => {
      expect(initializeResult(version)).toEqual(await sdkAnswer(version));
    },
  );
});
