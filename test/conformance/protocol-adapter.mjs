#!/usr/bin/env node
/**
 * Client adapter for the conformance suite's protocol client scenarios (`conformance client --command`):
 * mcp-sentinel is the client under test. The suite appends its test server's URL; the adapter writes a
 * config with that server as the one Streamable HTTP backend (`prefix: ""`, so names are the server's
 * own), starts `mcp-sentinel serve` over stdio with an SDK Client as the host, and does what a host does:
 * lists the tools and calls each one (arguments from the schema's defaults, or a placeholder of the right
 * type for a required property). The host declares elicitation and accepts every elicitation with the
 * defaults of its requested schema, which is what the elicitation scenario checks mcp-sentinel carries.
 *
 * MCP_CONFORMANCE_SCENARIO names the scenario (the suite sets it). Needs a build. Exit code 0 on success.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const serverUrl = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .at(-1);
if (!serverUrl) {
  console.error('usage: protocol-adapter.mjs <server-url>');
  process.exit(2);
}

/** A value for a property: its default, else something of its type. */
function sample(schema = {}) {
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      // Non-ASCII on purpose: a value mirrored into an Mcp-Param-* header must then be base64-encoded.
      return 'conformance \u2713';
  }
}

/**
 * The arguments of a call. A tool that asks for a `schema` (the JSON Schema scenarios' echo tool) gets the
 * inputSchema the host saw for the other tool: what the scenario checks is that it arrived unchanged.
 */
function argumentsFor(tool, tools) {
  const properties = tool.inputSchema?.properties ?? {};
  const required = new Set(tool.inputSchema?.required ?? []);
  const focal = tools.find((t) => t !== tool);
  if (required.has('schema') && focal) return { schema: focal.inputSchema };
  const args = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (required.has(name) || 'default' in (schema ?? {})) args[name] = sample(schema);
  }
  return args;
}

/** What a host that shows the form and lets the user accept it unchanged answers. */
function acceptDefaults(request) {
  const content = {};
  for (const [name, schema] of Object.entries(request.params.requestedSchema?.properties ?? {})) {
    if (schema && 'default' in schema) content[name] = schema.default;
  }
  return { action: 'accept', content };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-protocol-conformance-'));
  const config = join(dir, 'mcp-sentinel.json');
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: {
        conformance: {
          type: 'streamable-http',
          url: serverUrl,
          prefix: '',
          // --modern: the 2026-07-28 scenarios, whose servers also answer initialize.
          ...(process.argv.includes('--modern') && { protocol: '2026-07-28' }),
        },
      },
    }),
  );
  const transport = new StdioClientTransport({
    // The suite runs on Node 22; mcp-sentinel runs on the project's own Node (SENTINEL_NODE).
    command: process.env.SENTINEL_NODE || process.execPath,
    args: [join(root, 'bin', 'mcp-sentinel.js'), 'serve', '--config', config],
    env: { ...getDefaultEnvironment(), XDG_CACHE_HOME: join(dir, 'cache') },
    stderr: 'inherit',
  });
  const client = new Client(
    { name: 'conformance-host', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => acceptDefaults(request));
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    for (const tool of tools) {
      // A host shows a failed call and goes on; the scenario's checks say whether that was right.
      const outcome = await client.callTool({ name: tool.name, arguments: argumentsFor(tool, tools) }).then(
        (result) => (result.isError ? 'error result' : 'ok'),
        (error) => `error ${error?.code}: ${error?.message}`,
      );
      console.error(`called ${tool.name}: ${outcome}`);
    }
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`protocol-adapter: ${error?.stack ?? error}`);
  process.exit(1);
});
