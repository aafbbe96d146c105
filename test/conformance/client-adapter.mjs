#!/usr/bin/env node
/**
 * Client adapter for the official MCP conformance suite (`conformance client --command ...`).
 *
 * The suite appends the scenario's server URL to the command and puts the client credentials in
 * MCP_CONFORMANCE_CONTEXT (JSON: client_id, client_secret). The adapter then acts as an MCP client:
 *
 * - default: drives mcp-sentinel itself. It writes a config with one oauth2 backend (no tokenUrl, so the
 *   token endpoint is found by discovery; the client secret comes from an environment reference), starts
 *   `mcp-sentinel serve --config FILE` over stdio with an SDK Client, lists the aggregated tools and calls
 *   the scenario's tool through sentinel.
 * - `--direct`: drives the built auth strategy (dist/auth) with an SDK Client over Streamable HTTP, without
 *   the rest of sentinel, to tell an auth problem from an aggregation problem.
 *
 * Needs a build (`npm run build`). Exit code 0 on success; errors go to stderr.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const direct = args.includes('--direct');
const serverUrl = args.filter((a) => !a.startsWith('--')).at(-1);
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

if (!serverUrl || !context.client_id || !context.client_secret) {
  console.error(
    'usage: client-adapter.mjs [--direct] <server-url>, with MCP_CONFORMANCE_CONTEXT holding client_id and client_secret',
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
  console.error(`called ${tool.name}: ok`);
}

async function viaSentinel() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conformance-'));
  const config = join(dir, 'mcp-sentinel.json');
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: {
        conformance: {
          type: 'streamable-http',
          url: serverUrl,
          auth: {
            type: 'oauth2',
            clientId: context.client_id,
            clientSecret: '${CONFORMANCE_CLIENT_SECRET}',
            tokenEndpointAuthMethod: 'client_secret_basic',
            allowDiscoveredIssuer: true,
          },
        },
      },
    }),
  );
  const transport = new StdioClientTransport({
    // The suite runs on Node 22; mcp-sentinel runs on the project's own Node (SENTINEL_NODE).
    command: process.env.SENTINEL_NODE || process.execPath,
    args: [join(root, 'bin', 'mcp-sentinel.js'), 'serve', '--config', config],
    env: { ...getDefaultEnvironment(), CONFORMANCE_CLIENT_SECRET: context.client_secret },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'conformance-adapter', version: '1.0.0' });
  try {
    await client.connect(transport);
    await exercise(client);
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function viaStrategy() {
  const { createAuthStrategy } = await import(join(root, 'dist', 'auth', 'index.js'));
  const { createLogger } = await import(join(root, 'dist', 'log.js'));
  const strategy = createAuthStrategy(
    {
      type: 'streamable-http',
      url: serverUrl,
      auth: {
        type: 'oauth2',
        clientId: context.client_id,
        clientSecret: context.client_secret,
        allowDiscoveredIssuer: true,
      },
    },
    { backend: 'conformance', log: createLogger('conformance') },
  );
  await strategy.prepare();
  const client = new Client({ name: 'conformance-adapter', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { fetch: strategy.fetch }));
    await exercise(client);
  } finally {
    await client.close().catch(() => undefined);
    strategy.close();
  }
}

try {
  await (direct ? viaStrategy() : viaSentinel());
  process.exit(0);
} catch (error) {
  console.error(`conformance adapter failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
