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
 * - `--login`: user sign-in. The config names the server with no `auth` (sign-in is found from the 401), or
 *   with `auth: {type: "oauth", clientId, clientSecret}` when the suite gives a pre-registered client. Runs
 *   `mcp-sentinel login` with BROWSER set to fetch-browser.mjs (the suite's authorization endpoint approves
 *   at once), then `serve`, lists and calls the tool. A call refused with "needs sign-in" (step-up, a new
 *   authorization server) is answered like a user would: `login` again, then the call again (twice at most).
 *
 * - `--elicit`: `serve` alone, with a host that declares URL-mode elicitation and answers it like a user:
 *   it opens the URL with fetch-browser.mjs, then accepts. The tools appear once the sign-in is done.
 *
 * The sign-in modes need a keychain (run under scripts/with-keyring.sh).
 * Needs a build (`npm run build`). Exit code 0 on success; errors go to stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
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
const loginMode = args.includes('--login');
const elicitMode = args.includes('--elicit');
const serverUrl = args.filter((a) => !a.startsWith('--')).at(-1);
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

if (!serverUrl || (!loginMode && !elicitMode && (!context.client_id || !context.client_secret))) {
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
    // A manifest cache of its own: every scenario sees a first start (a cached one would start lazily).
    env: {
      ...getDefaultEnvironment(),
      CONFORMANCE_CLIENT_SECRET: context.client_secret,
      XDG_CACHE_HOME: join(dir, 'cache'),
    },
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

const cli = join(root, 'bin', 'mcp-sentinel.js');
const sentinelNode = process.env.SENTINEL_NODE || process.execPath;

/** Runs the built CLI to completion; resolves with its exit code. */
function runCli(cliArgs, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(sentinelNode, [cli, ...cliArgs], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * Each scenario starts signed out. The suite's servers listen on ephemeral ports of localhost, so a later
 * scenario can get the URL (issuer and resource) of an earlier one and, with it, that scenario's sign-in
 * from the keychain: serve would then call without signing in and the scenario's checks would not run.
 * The adapter runs inside the throwaway keyring of scripts/with-keyring.sh, so clearing every sign-in
 * record there touches nothing of the user's.
 */
function forgetEarlierSignIns() {
  const run = spawnSync('secret-tool', ['clear', 'service', 'mcp-sentinel-oauth'], { stdio: 'inherit' });
  if (run.error) throw new Error(`could not clear earlier sign-ins with secret-tool: ${run.error.message}`);
}

async function viaLogin() {
  forgetEarlierSignIns();
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conformance-'));
  const config = join(dir, 'mcp-sentinel.json');
  const preRegistered = Boolean(context.client_id);
  writeFileSync(
    config,
    JSON.stringify({
      // The suite's CIMD scenarios expect this URL as client_id.
      settings: { clientMetadataUrl: 'https://conformance-test.local/client-metadata.json' },
      mcpServers: {
        conformance: {
          type: 'streamable-http',
          url: serverUrl,
          ...(preRegistered
            ? {
                auth: {
                  type: 'oauth',
                  clientId: context.client_id,
                  ...(context.client_secret ? { clientSecret: '${CONFORMANCE_CLIENT_SECRET}' } : {}),
                  allowDiscoveredIssuer: true,
                },
              }
            : {}),
        },
      },
    }),
  );
  const env = {
    ...process.env,
    XDG_CACHE_HOME: join(dir, 'cache'),
    CONFORMANCE_CLIENT_SECRET: context.client_secret ?? '',
    BROWSER: `${sentinelNode} ${join(root, 'test', 'conformance', 'fetch-browser.mjs')}`,
  };
  try {
    for (let attempt = 0; ; attempt++) {
      const code = await runCli(['login', 'conformance', '--config', config], env);
      if (code !== 0) throw new Error(`mcp-sentinel login exited with ${code}`);
      try {
        await serveAndCall(config, env);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= 2 || !/needs sign-in/.test(message)) throw error;
        console.error(`${message}: signing in again`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serveAndCall(config, env) {
  const transport = new StdioClientTransport({
    command: sentinelNode,
    args: [cli, 'serve', '--config', config],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'conformance-adapter', version: '1.0.0' });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'test-tool' || t.name.endsWith('__test-tool'));
    if (!tool) throw new Error(`no test-tool among ${tools.map((t) => t.name).join(', ') || 'no tools'}`);
    const result = await client.callTool({ name: tool.name, arguments: {} });
    const text = result.content?.map((c) => c.text ?? '').join(' ') ?? '';
    if (result.isError) throw new Error(`tool ${tool.name} returned an error: ${text}`);
    console.error(`called ${tool.name}: ok`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Writes the sign-in config; returns its path and the environment for the CLI. */
function signInConfig(dir) {
  const config = join(dir, 'mcp-sentinel.json');
  const preRegistered = Boolean(context.client_id);
  writeFileSync(
    config,
    JSON.stringify({
      settings: { clientMetadataUrl: 'https://conformance-test.local/client-metadata.json' },
      mcpServers: {
        conformance: {
          type: 'streamable-http',
          url: serverUrl,
          ...(preRegistered
            ? {
                auth: {
                  type: 'oauth',
                  clientId: context.client_id,
                  ...(context.client_secret ? { clientSecret: '${CONFORMANCE_CLIENT_SECRET}' } : {}),
                  allowDiscoveredIssuer: true,
                },
              }
            : {}),
        },
      },
    }),
  );
  return config;
}

async function viaElicitation() {
  forgetEarlierSignIns();
  const { ElicitRequestSchema, ToolListChangedNotificationSchema } =
    await import('@modelcontextprotocol/sdk/types.js');
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conformance-'));
  const config = signInConfig(dir);
  const transport = new StdioClientTransport({
    command: sentinelNode,
    args: [cli, 'serve', '--config', config],
    env: {
      ...getDefaultEnvironment(),
      ...process.env,
      CONFORMANCE_CLIENT_SECRET: context.client_secret ?? '',
    },
    stderr: 'inherit',
  });
  const client = new Client(
    { name: 'conformance-adapter', version: '1.0.0' },
    { capabilities: { elicitation: { form: {}, url: {} } } },
  );
  let changed = () => undefined;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
  let elicitations = 0;
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations++;
    const url = request.params.url;
    await new Promise((resolve, reject) => {
      const child = spawn(sentinelNode, [join(root, 'test', 'conformance', 'fetch-browser.mjs'), url], {
        stdio: 'inherit',
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    return { action: 'accept' };
  });
  try {
    await client.connect(transport);
    const deadline = Date.now() + 20_000;
    for (let round = 0; ; round++) {
      const { tools } = await client.listTools();
      const tool = tools.find((t) => t.name === 'test-tool' || t.name.endsWith('__test-tool'));
      if (tool) {
        let result = await client.callTool({ name: tool.name, arguments: {} });
        // A step-up or a new authorization server: the host is asked again; call once more after it.
        for (let again = 0; result.isError && again < 2; again++) {
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          result = await client.callTool({ name: tool.name, arguments: {} });
        }
        const text = result.content?.map((c) => c.text ?? '').join(' ') ?? '';
        if (result.isError) throw new Error(`tool ${tool.name} returned an error: ${text}`);
        console.error(`called ${tool.name}: ok (${elicitations} elicitation(s))`);
        return;
      }
      if (Date.now() > deadline) throw new Error(`no test-tool appeared (${elicitations} elicitation(s))`);
      await new Promise((resolve) => {
        changed = resolve;
        setTimeout(resolve, 500);
      });
    }
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await (elicitMode ? viaElicitation() : loginMode ? viaLogin() : direct ? viaStrategy() : viaSentinel());
  process.exit(0);
} catch (error) {
  console.error(`conformance adapter failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
