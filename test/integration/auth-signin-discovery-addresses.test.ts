/**
 * Sign-in discovery never lets a backend point mcp-sentinel at an address it could not reach itself: an
 * authorization server its protected-resource metadata names, and the token and registration endpoints
 * that server's metadata names, are refused at a link-local address (where cloud metadata services live)
 * before anything is sent there; the same metadata on the backend's own loopback origin is followed.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createBaseFetch, type BaseFetch } from '../../src/auth/base-fetch.js';
import { discover } from '../../src/auth/signin/metadata.js';

const servers: Server[] = [];
const bases: BaseFetch[] = [];

afterEach(async () => {
  await Promise.all(bases.splice(0).map((base) => base.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A backend origin serving its protected-resource metadata and, at the same origin, the AS metadata. */
async function metadataServer(
  authorizationServers: (origin: string) => string[],
  asMetadata: (origin: string) => Record<string, string>,
): Promise<string> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    res.setHeader('content-type', 'application/json');
    if (path.startsWith('/.well-known/oauth-protected-resource')) {
      return void res.end(
        JSON.stringify({ resource: `${origin}/mcp`, authorization_servers: authorizationServers(origin) }),
      );
    }
    if (path.startsWith('/.well-known/oauth-authorization-server')) {
      return void res.end(JSON.stringify({ issuer: origin, ...asMetadata(origin) }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A base fetch that records every URL asked for. */
function recordingEnv(requested: string[]) {
  const real = createBaseFetch({ connectTimeoutMs: 2_000 });
  bases.push(real);
  const base = Object.assign(
    (url: string | URL, init: RequestInit | undefined, what: string) => {
      requested.push(String(url));
      return real(url, init, what);
    },
    { close: () => real.close() },
  );
  return { base, backend: 'probe', timeoutMs: 5_000, maxResponseBytes: 1_000_000 };
}

const endpoints = (origin: string) => ({
  authorization_endpoint: `${origin}/authorize`,
  token_endpoint: `${origin}/token`,
  registration_endpoint: `${origin}/register`,
});

describe('sign-in discovery and the addresses a backend names', () => {
  it('follows an authorization server on the backend’s own loopback origin', async () => {
    const origin = await metadataServer((own) => [own], endpoints);
    const discovery = await discover(`${origin}/mcp`, {}, recordingEnv([]));
    expect(discovery.source).toBe('protected-resource');
    expect(discovery.as.token_endpoint).toBe(`${origin}/token`);
  });

  it('refuses an authorization server at a link-local address without asking it anything', async () => {
    const requested: string[] = [];
    const origin = await metadataServer(() => ['https://169.254.169.254/'], endpoints);
    await expect(discover(`${origin}/mcp`, {}, recordingEnv(requested))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringMatching(/link-local address \(169\.254\.169\.254\), which is never followed/),
    });
    expect(requested.filter((url) => url.includes('169.254'))).toEqual([]);
  });

  it.each(['token_endpoint', 'registration_endpoint'])(
    'refuses a %s at a link-local address',
    async (key) => {
      const requested: string[] = [];
      const origin = await metadataServer(
        (own) => [own],
        (own) => ({ ...endpoints(own), [key]: 'https://169.254.169.254/latest/meta-data/' }),
      );
      await expect(discover(`${origin}/mcp`, {}, recordingEnv(requested))).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        message: expect.stringMatching(new RegExp(`the ${key} of .* points at a link-local address`)),
      });
      expect(requested.filter((url) => url.includes('169.254'))).toEqual([]);
    },
  );
});
