/**
 * Who mcp-sentinel is to the host: the server info, capabilities and instructions of the `initialize`
 * answer, and the protocol versions it speaks. Kept free of SDK imports so that `serve` can answer
 * `initialize` before the SDK (about 100 ms of imports) has loaded; the SDK server is built from the same
 * values, and a test checks the versions against the SDK's own lists. What is advertised to the host
 * (capabilities, instructions) comes from the backends (advertised.ts).
 */
import { VERSION } from '../version.js';

export const SERVER_INFO = { name: 'mcp-sentinel', version: VERSION };

export const SERVER_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
};

export const INSTRUCTIONS =
  'Tools, resources and prompts of several MCP servers, each name prefixed with its server.';

/** The SDK's LATEST_PROTOCOL_VERSION and SUPPORTED_PROTOCOL_VERSIONS (test/unit/aggregator-identity.test.ts). */
export const LATEST_PROTOCOL_VERSION = '2025-11-25';
export const SUPPORTED_PROTOCOL_VERSIONS = [
  LATEST_PROTOCOL_VERSION,
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
];

/** The `initialize` result, negotiated exactly as the SDK's Server does. */
export function initializeResult(
  requestedVersion: unknown,
  advertised: { capabilities: Record<string, unknown>; instructions: string } = {
    capabilities: SERVER_CAPABILITIES,
    instructions: INSTRUCTIONS,
  },
): Record<string, unknown> {
  const protocolVersion =
    typeof requestedVersion === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requestedVersion)
      ? requestedVersion
      : LATEST_PROTOCOL_VERSION;
  return {
    protocolVersion,
    capabilities: advertised.capabilities,
    serverInfo: SERVER_INFO,
    instructions: advertised.instructions,
  };
}
