/**
 * The per-request envelope of the 2026-07-28 revision: the `_meta` keys that carry the protocol version,
 * the client's capabilities, its identity and its log level on every request (there is no `initialize`).
 * Which era a host message belongs to, whether its envelope is whole, and the params as mcp-sentinel's
 * server behind the gateway takes them (forwardedParams).
 * Free of SDK imports: it runs on the host path before the SDK has loaded.
 */

export const MODERN_REVISION = '2026-07-28';
export const MODERN_REVISIONS = [MODERN_REVISION];

export const PROTOCOL_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';
export const LOG_LEVEL_KEY = 'io.modelcontextprotocol/logLevel';
export const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
export const SUBSCRIPTION_ID_KEY = 'io.modelcontextprotocol/subscriptionId';

/** The envelope keys about the host's connection to mcp-sentinel, which no backend is given. */
const HOST_KEYS = [PROTOCOL_VERSION_KEY, CLIENT_INFO_KEY];

type Params = Record<string, unknown>;

export interface Envelope {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  clientInfo?: Record<string, unknown>;
  logLevel?: string;
}

export type EnvelopeCheck =
  | { ok: true; envelope: Envelope }
  | { ok: false; code: number; message: string; data?: Record<string, unknown> };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const metaOf = (params: unknown): Record<string, unknown> | undefined => {
  const meta = isObject(params) ? params._meta : undefined;
  return isObject(meta) ? meta : undefined;
};

/**
 * Whether a host message speaks the 2026-07-28 revision: `server/discover`, or any message whose `_meta`
 * names a protocol version (even one we do not serve: that is answered in the modern era's terms).
 */
export function claimsModern(message: { method?: unknown; params?: unknown }): boolean {
  if (message.method === 'server/discover') return true;
  return metaOf(message.params)?.[PROTOCOL_VERSION_KEY] !== undefined;
}

/** The envelope of a request, or the error the revision prescribes when it is missing or unsupported. */
export function checkEnvelope(params: unknown): EnvelopeCheck {
  const meta = metaOf(params);
  const missing = [PROTOCOL_VERSION_KEY, CLIENT_CAPABILITIES_KEY].filter((key) => meta?.[key] === undefined);
  if (!meta || missing.length > 0)
    return { ok: false, code: -32602, message: `Invalid params: missing _meta keys: ${missing.join(', ')}` };
  const version = meta[PROTOCOL_VERSION_KEY];
  if (typeof version !== 'string' || !MODERN_REVISIONS.includes(version)) {
    return {
      ok: false,
      code: -32022,
      message: 'Unsupported protocol version',
      data: { supported: MODERN_REVISIONS, requested: String(version) },
    };
  }
  const capabilities = meta[CLIENT_CAPABILITIES_KEY];
  if (!isObject(capabilities))
    return {
      ok: false,
      code: -32602,
      message: `Invalid params: _meta.${CLIENT_CAPABILITIES_KEY} must be an object`,
    };
  const clientInfo = meta[CLIENT_INFO_KEY];
  const logLevel = meta[LOG_LEVEL_KEY];
  return {
    ok: true,
    envelope: {
      protocolVersion: version,
      capabilities,
      ...(isObject(clientInfo) && { clientInfo }),
      ...(typeof logLevel === 'string' && { logLevel }),
    },
  };
}

/**
 * The params as mcp-sentinel's server takes them, for the backend that answers: the envelope keys that
 * name the revision and the host (protocol version, client info) out of `_meta`, since mcp-sentinel is
 * the client of its backends. The host's own capabilities and log level stay in `_meta`, and a retry's
 * `inputResponses` / `requestState` stay in the params: a 2026-07-28 backend gets them as the host sent
 * them, so that its `input_required` rounds are the host's own; a 2025-era backend never sees them
 * (src/backends/legacy-params.ts). Progress tokens and other `_meta` keys stay.
 */
export function forwardedParams(params: unknown): Params | undefined {
  if (!isObject(params)) return undefined;
  const { _meta, ...rest } = params;
  if (!isObject(_meta)) return rest;
  const meta = { ..._meta };
  for (const key of HOST_KEYS) delete meta[key];
  return Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
}
