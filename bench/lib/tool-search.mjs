/**
 * The search surface: how often `sentinel__find_tools` puts the right tool first and in its top 5 for the
 * tasks of test/fixtures/tool-search-queries.json, over the published reference servers started through
 * mcp-sentinel; what the tool list costs in tokens with the search surface and with every tool listed, for
 * those servers plus two 60-tool backends; and the time of one query in a 1,000-tool index (in process,
 * from the build). Light: one pass, no rounds (`--only search`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { rawSession } from './hosts.mjs';
import { spawnTracked, stopTree } from './proc.mjs';
import { percentile } from './stats.mjs';

async function open(command, args) {
  const child = spawnTracked(command, args, { env: process.env });
  child.stderr.resume();
  const session = rawSession(child);
  await session.initialize();
  session.notify('notifications/initialized');
  return { child, session };
}

function referenceServers(root, dir) {
  const pkg = (name) => join(root, 'node_modules/@modelcontextprotocol', name, 'dist/index.js');
  const node = process.execPath;
  return {
    everything: { command: node, args: [pkg('server-everything'), 'stdio'] },
    files: { command: node, args: [pkg('server-filesystem'), dir] },
    memory: {
      command: node,
      args: [pkg('server-memory')],
      env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') },
    },
    thinking: { command: node, args: [pkg('server-sequential-thinking')] },
  };
}

/** find_tools over every task: how many had the expected tool first, and in the top 5. */
async function quality(session, queries) {
  let first = 0;
  let top5 = 0;
  for (const [query, expected] of queries) {
    const { result } = await session.request('tools/call', {
      name: 'sentinel__find_tools',
      arguments: { query },
    });
    const found = JSON.parse(result.content[0].text).tools.map((t) => t.name);
    if (found[0] === expected) first++;
    if (found.includes(expected)) top5++;
  }
  return { tasks: queries.length, first, top5 };
}

/** p50 of one query against a 1,000-tool index, and the time to build it. */
async function queryTimes(root) {
  const { ToolSearchIndex } = await import(join(root, 'dist/aggregator/surface/search-index.js'));
  const verbs = ['list', 'get', 'create', 'update', 'delete', 'search', 'export', 'archive'];
  const nouns = [
    'issue',
    'invoice',
    'customer',
    'ticket',
    'file',
    'event',
    'note',
    'branch',
    'order',
    'user',
  ];
  const tools = Array.from({ length: 1000 }, (_, i) => {
    const name = `${verbs[i % 8]}_${nouns[Math.floor(i / 8) % 10]}_${i}`;
    const description = `${verbs[i % 8]} a ${nouns[Math.floor(i / 8) % 10]} record number ${i}`;
    return {
      name: `s${i % 25}__${name}`,
      original: name,
      server: `s${i % 25}`,
      tool: { name, description, inputSchema: { type: 'object' } },
    };
  });
  const started = performance.now();
  const index = new ToolSearchIndex(tools);
  const buildMs = performance.now() - started;
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    index.find(
      ['archive the old invoices', 'find a customer by email', 'show open tickets', 'update user 42'][i % 4],
    );
    times.push(performance.now() - t);
  }
  return { buildMs, queryP50Ms: percentile(times, 50) };
}

export async function measureToolSearch({ root, sentinel, toolsServer, writeConfig }) {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-sentinel-bench-search-'));
  const { queries } = JSON.parse(readFileSync(join(root, 'test/fixtures/tool-search-queries.json'), 'utf8'));
  const servers = {
    ...referenceServers(root, dir),
    b1: { command: process.execPath, args: [toolsServer], env: { TOOLS: '60' } },
    b2: { command: process.execPath, args: [toolsServer], env: { TOOLS: '60' } },
  };
  const hosts = [];
  try {
    for (const surface of ['search', 'all']) {
      const config = writeConfig(`search-${surface}`, servers, { surface, startupTimeoutMs: 60_000 });
      hosts.push(await open(sentinel.command, [...sentinel.args, 'serve', '--config', config]));
    }
    const [search, all] = hosts.map((h) => h.session);
    const [{ result: listed }, { result: full }] = await Promise.all([
      search.request('tools/list'),
      all.request('tools/list'),
    ]);
    return {
      quality: await quality(search, queries),
      tokens: {
        tools: full.tools.length,
        search: countTokens(JSON.stringify(listed.tools)),
        all: countTokens(JSON.stringify(full.tools)),
      },
      ...(await queryTimes(root)),
    };
  } finally {
    await Promise.all(hosts.map(({ child }) => stopTree(child.pid, () => child.stdin.end())));
    rmSync(dir, { recursive: true, force: true });
  }
}
