#!/usr/bin/env node
/**
 * Client adapter for the official MCP conformance suite's machine-credential scenarios
 * (`conformance client --command ...`), driving `mcp-sentinel serve` over stdio with an SDK Client.
 *
 * The suite appends the scenario's server URL to the command and describes the credentials in
 * MCP_CONFORMANCE_CONTEXT; the adapter writes one backend whose auth takes them as they are:
 * - `private_key_pem` + `signing_algorithm` (auth/client-credentials-jwt): oauth2, private_key_jwt;
 * - `valid_jwt` (auth/wif-jwt-bearer): jwt-bearer with the workload JWT as the assertion;
 * - `idp_issuer`, `idp_token_endpoint`, `idp_client_id`, `idp_id_token` (auth/enterprise-managed-
 *   authorization): enterprise, the client authenticated with `client_id` / `client_secret`;
 * - `client_id` + `client_secret` (auth/client-credentials-basic): oauth2 with client_secret_basic.
 * Every credential reaches the config as an environment reference, never as a literal. The servers'
 * authorization servers are found by discovery (`allowDiscoveredIssuer`); the identity provider is pinned.
 * It then lists the aggregated tools and calls the scenario's tool through sentinel.
 *
 * Needs a build (`npm run build`). Exit code 0 on success; errors go to stderr.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const serverUrl = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .at(-1);
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

/** The backend's auth for the context, and the environment its references read. */
function authFor(ctx) {
  if (ctx.idp_id_token) {
    return {
      auth: {
        type: 'enterprise',
        clientId: ctx.client_id,
        clientSecret: '${CONFORMANCE_CLIENT_SECRET}',
        allowDiscoveredIssuer: true,
        idp: {
          issuer: ctx.idp_issuer,
          tokenEndpoint: ctx.idp_token_endpoint,
          clientId: ctx.idp_client_id,
          idToken: '${CONFORMANCE_ID_TOKEN}',
        },
      },
      env: { CONFORMANCE_CLIENT_SECRET: ctx.client_secret, CONFORMANCE_ID_TOKEN: ctx.idp_id_token },
    };
  }
  if (ctx.valid_jwt) {
    return {
      auth: {
        type: 'jwt-bearer',
        clientId: ctx.client_id,
        assertion: '${CONFORMANCE_WORKLOAD_JWT}',
        allowDiscoveredIssuer: true,
      },
      env: { CONFORMANCE_WORKLOAD_JWT: ctx.valid_jwt },
    };
  }
  if (ctx.private_key_pem) {
    return {
      auth: {
        type: 'oauth2',
        clientId: ctx.client_id,
        tokenEndpointAuthMethod: 'private_key_jwt',
        privateKey: '${CONFORMANCE_PRIVATE_KEY}',
        signingAlgorithm: ctx.signing_algorithm,
        allowDiscoveredIssuer: true,
      },
      env: { CONFORMANCE_PRIVATE_KEY: ctx.private_key_pem },
    };
  }
  if (ctx.client_id && ctx.client_secret) {
    return {
      auth: {
        type: 'oauth2',
        clientId: ctx.client_id,
        clientSecret: '${CONFORMANCE_CLIENT_SECRET}',
        allowDiscoveredIssuer: true,
      },
      env: { CONFORMANCE_CLIENT_SECRET: ctx.client_secret },
    };
  }
  return undefined;
}

const backend = authFor(context);
if (!serverUrl || !backend) {
  console.error(
    'usage: enterprise-adapter.mjs <server-url>, with MCP_CONFORMANCE_CONTEXT holding a client secret, a private key, a workload JWT or an identity provider',
  );
  process.exit(2);
}

/** Lists tools, then calls the one whose (public) name ends with `test-tool`. */
async function exercise(client) {
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === 'test-tool' || t.name.endsWith('__test-tool'));
  if (!tool) throw new Error(`no test-tool among ${tools.map((t) => t.name).join(', ') || 'no tools'}`);
  const result = await client.callTool({ name: tool.name, arguments: {} });
  if (result.isError) throw new Error(`tool ${tool.name} returned an error`);
  console.error(`called ${tool.name} with ${backend.auth.type} auth: ok`);
}

async function viaSentinel() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conformance-'));
  const config = join(dir, 'mcp-sentinel.json');
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: { conformance: { type: 'streamable-http', url: serverUrl, auth: backend.auth } },
    }),
  );
  const transport = new StdioClientTransport({
    // The suite runs on Node 22; mcp-sentinel runs on the project's own Node (SENTINEL_NODE).
    command: process.env.SENTINEL_NODE || process.execPath,
    args: [join(root, 'bin', 'mcp-sentinel.js'), 'serve', '--config', config],
    env: { ...getDefaultEnvironment(), ...backend.env },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'conformance-enterprise-adapter', version: '1.0.0' });
  try {
    await client.connect(transport);
    await exercise(client);
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await viaSentinel();
  process.exit(0);
} catch (error) {
  console.error(`conformance adapter failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
