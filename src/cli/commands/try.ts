/**
 * Trying the config from a shell, the way the host would: `call TOOL --args JSON`, `resources` and
 * `prompts`. Each connects to every backend (like `tools`), puts an SDK client in front of the very server
 * a host talks to (in memory, so names, routing, filters and errors are the host's), prints the answer and
 * exits. `--json` prints the protocol's own result.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import chalk from 'chalk';
import { SentinelError } from '../../errors.js';
import { redact } from '../../log.js';
import { VERSION } from '../../version.js';
import { localAggregator } from '../local-aggregator.js';
import type { CommonOptions } from '../runtime.js';

export interface TryOptions extends CommonOptions {
  json?: boolean;
}

function out(text: string): void {
  process.stdout.write(redact(text) + '\n');
}

/** Runs `use` against a client connected to the aggregator, then takes every backend down. */
async function withClient<T>(options: TryOptions, use: (client: Client) => Promise<T>): Promise<T> {
  const { manager, aggregator } = await localAggregator(options);
  const client = new Client({ name: 'mcp-sentinel-cli', version: VERSION });
  try {
    await aggregator.ready();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await aggregator.server.connect(serverSide);
    await client.connect(clientSide);
    return await use(client);
  } finally {
    await client.close().catch(() => undefined);
    await manager.stopAll();
  }
}

function parseArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SentinelError('USAGE', '--args is not valid JSON', {
      hint: `write the arguments as a JSON object, e.g. --args '{"message": "hi"}'`,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SentinelError('USAGE', '--args must be a JSON object', {
      hint: `e.g. --args '{"message": "hi"}'`,
    });
  }
  return value as Record<string, unknown>;
}

export async function callTool(name: string, options: TryOptions & { args?: string }): Promise<number> {
  const args = parseArgs(options.args);
  return withClient(options, async (client) => {
    const result = (await client.callTool({ name, arguments: args })) as {
      content?: { type: string; text?: string }[];
      isError?: boolean;
    };
    if (options.json) out(JSON.stringify(result, null, 2));
    else
      for (const item of result.content ?? [])
        out(item.type === 'text' ? (item.text ?? '') : chalk.dim(`[${item.type} content]`));
    return result.isError ? 1 : 0;
  });
}

export async function listResources(options: TryOptions): Promise<number> {
  return withClient(options, async (client) => {
    const [{ resources }, { resourceTemplates }] = await Promise.all([
      client.listResources(),
      client.listResourceTemplates(),
    ]);
    if (options.json) {
      out(JSON.stringify({ resources, resourceTemplates }, null, 2));
      return 0;
    }
    for (const r of resources) out(`${r.uri}  ${chalk.dim(r.name)}`);
    for (const t of resourceTemplates) out(`${t.uriTemplate}  ${chalk.dim(`${t.name} (template)`)}`);
    out(chalk.dim(`${resources.length} resources, ${resourceTemplates.length} templates`));
    return 0;
  });
}

export async function listPrompts(options: TryOptions): Promise<number> {
  return withClient(options, async (client) => {
    const { prompts } = await client.listPrompts();
    if (options.json) {
      out(JSON.stringify({ prompts }, null, 2));
      return 0;
    }
    for (const p of prompts) {
      const args = (p.arguments ?? []).map((a) => (a.required ? a.name : `[${a.name}]`)).join(' ');
      out(`${p.name}${args ? ` ${args}` : ''}  ${chalk.dim((p.description ?? '').split('\n')[0]!)}`);
    }
    out(chalk.dim(`${prompts.length} prompts`));
    return 0;
  });
}
