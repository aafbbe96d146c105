/**
 * The key under which a request's init carries its own sender (see base-fetch.ts). A module of its own,
 * without imports, so that the backend layer can name it without loading the HTTP client at startup.
 */
export const DIRECT_SEND = Symbol.for('mcp-sentinel.direct-send');
export type DirectSend = (url: string | URL, init: RequestInit) => Promise<Response>;
