/**
 * Authorization endpoints that hang or that a backend points at places it should not: a token endpoint
 * that never answers is named in the error (not "the operation was aborted"), and OAuth discovery never
 * follows a backend's 401 to another origin or to a link-local address such as a cloud metadata service.
 */
import { createServer, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { listenOnLoopback, type LoopbackListener } from '../helpers/servers.js';

type Handler = (path: string, res: ServerResponse, origin: string) => void;

const servers: LoopbackListener[] = [];

async function rawServer(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req.url ?? '/', res, origin));
  });
  const listening = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${listening.port}`;
  servers.push(listening);
  return origin;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const SECRET_ENV = { MCP_SENTINEL_SECRET_CLIENT: 'client-secret-value-1234' };

describe('authorization endpoints', () => {
  it('names the token endpoint that did not answer before the startup timeout', async () => {
    const origin = await rawServer(() => undefined); // accepts every request, answers none
    const host = await TestHost.start({
      config: {
        settings: { startupTimeoutMs: 1_000 },
        mcpServers: {
          hang: {
            type: 'streamable-http',
            url: `${origin}/mcp`,
            auth: {
              type: 'oauth2',
              tokenUrl: `${origin}/token`,
              clientId: 'c',
              clientSecret: 'secret:client',
            },
          },
        },
      },
      env: SECRET_ENV,
    });
    try {
      await host.client.listTools();
      await host.waitForStderr(
        new RegExp(`backend "hang": token endpoint ${origin}/token did not answer within \\d+(\\.\\d)? s`),
      );
      expect(host.stderr).not.toMatch(/aborted due to timeout/);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('refuses to follow a resource_metadata URL on another origin, such as a link-local address', async () => {
    const origin = await rawServer((_path, res) => {
      res.writeHead(401, {
        'www-authenticate': 'Bearer resource_metadata="https://169.254.169.254/latest/meta-data/iam"',
      });
      res.end();
    });
    const host = await TestHost.start({
      config: {
        mcpServers: {
          probe: {
            type: 'streamable-http',
            url: `${origin}/mcp`,
            auth: { type: 'oauth2', clientId: 'c', clientSecret: 'secret:client' },
          },
        },
      },
      env: SECRET_ENV,
    });
    try {
      await host.client.listTools();
      await host.waitForStderr(
        /protected-resource metadata URL https:\/\/169\.254\.169\.254 is not on the backend's origin/,
      );
      expect(host.stderr).not.toMatch(/could not reach protected-resource metadata|did not answer/);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('refuses an authorization server at a link-local address even when discovered issuers are allowed', async () => {
    const origin = await rawServer((path, res, own) => {
      if (path.startsWith('/.well-known/oauth-protected-resource')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ resource: `${own}/mcp`, authorization_servers: ['https://169.254.169.254/'] }),
        );
      }
      res.writeHead(401, {
        'www-authenticate': `Bearer resource_metadata="${own}/.well-known/oauth-protected-resource/mcp"`,
      });
      res.end();
    });
    const host = await TestHost.start({
      config: {
        mcpServers: {
          probe: {
            type: 'streamable-http',
            url: `${origin}/mcp`,
            auth: {
              type: 'oauth2',
              clientId: 'c',
              clientSecret: 'secret:client',
              allowDiscoveredIssuer: true,
            },
          },
        },
      },
      env: SECRET_ENV,
    });
    try {
      await host.client.listTools();
      await host.waitForStderr(/link-local address \(169\.254\.169\.254\), which is never followed/);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});
