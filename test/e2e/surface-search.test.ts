/**
 * The search surface with real published servers behind the built CLI: find_tools puts the right tool
 * first or in its top 5 for tasks written as a user gives them; a 150+ tool catalog costs at most 2,000
 * tokens of tool list (against the full list's cost); and every tool called through call_tool gives what
 * the direct call gives.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { referenceServers } from '../helpers/reference-servers.js';

const { queries } = JSON.parse(
  readFileSync(new URL('../fixtures/tool-search-queries.json', import.meta.url), 'utf8'),
) as { queries: [string, string][] };

const fixtureTools = (name: string, count: number) => ({
  command: process.execPath,
  args: fixtureServerArgs(),
  env: {
    FIXTURE_NAME: name,
    FIXTURE_TOOLS: Array.from({ length: count }, (_, i) => `${name}_record_${i + 1}`).join(','),
  },
});

/** Arguments that keep a call local and quick (the rest get {}: a validation error is a result too). */
const ARGUMENTS: Record<string, Record<string, unknown>> = {
  everything__echo: { message: 'hello' },
  'everything__get-sum': { a: 2, b: 3 },
  'everything__trigger-long-running-operation': { duration: 0.1, steps: 1 },
  'everything__gzip-file-as-resource': { name: 5 },
};

async function outcome(host: TestHost, name: string, args: Record<string, unknown>) {
  try {
    return await host.client.request(
      { method: 'tools/call', params: { name, arguments: args } },
      CallToolResultSchema,
    );
  } catch (error) {
    return { error: { code: (error as { code?: number }).code, message: (error as Error).message } };
  }
}

describe('the search surface over real servers', () => {
  const reference = referenceServers();
  const mcpServers = {
    ...reference.servers,
    ledger: fixtureTools('ledger', 60),
    tickets: fixtureTools('tickets', 60),
  };
  let search: TestHost;
  let all: TestHost;

  beforeAll(async () => {
    [search, all] = await Promise.all([
      TestHost.start({ config: { settings: { surface: 'search' }, mcpServers } }),
      TestHost.start({ config: { settings: { surface: 'all' }, mcpServers } }),
    ]);
  });
  afterAll(async () => {
    const closed = await Promise.all([search?.close(), all?.close()]);
    reference.cleanup();
    for (const c of closed) expect(c?.leftovers).toEqual([]);
  });

  it(`puts the right tool in the top 5 for ≥ 90% of ${queries.length} tasks, first for ≥ 70%`, async () => {
    let first = 0;
    let top5 = 0;
    const misses: string[] = [];
    for (const [query, expected] of queries) {
      const result = await search.client.request(
        { method: 'tools/call', params: { name: 'sentinel__find_tools', arguments: { query } } },
        CallToolResultSchema,
      );
      const text = (result.content[0] as { text: string }).text;
      const found = (JSON.parse(text) as { tools: { name: string }[] }).tools.map((t) => t.name);
      if (found[0] === expected) first++;
      if (found.includes(expected)) top5++;
      else misses.push(`"${query}" → ${expected} (got ${found.slice(0, 3).join(', ')})`);
    }
    const pct = (n: number) => `${((100 * n) / queries.length).toFixed(0)}%`;
    process.stderr.write(
      `find_tools over ${queries.length} tasks: first ${first} (${pct(first)}), top 5 ${top5} (${pct(top5)})\n` +
        misses.map((m) => `  missed ${m}\n`).join(''),
    );
    expect(top5 / queries.length).toBeGreaterThanOrEqual(0.9);
    expect(first / queries.length).toBeGreaterThanOrEqual(0.7);
  });

  it('lists a 150+ tool catalog in at most 2,000 tokens', async () => {
    const [{ tools: listed }, { tools: full }] = await Promise.all([
      search.client.listTools(),
      all.client.listTools(),
    ]);
    expect(full.length).toBeGreaterThanOrEqual(150);
    const searchTokens = countTokens(JSON.stringify(listed));
    const allTokens = countTokens(JSON.stringify(full));
    process.stderr.write(
      `tool list of ${full.length} tools: search ${searchTokens} tokens (${listed.length} tools), all ${allTokens} tokens\n`,
    );
    expect(searchTokens).toBeLessThanOrEqual(2_000);
    expect(listed.map((t) => t.name)).toEqual(['sentinel__find_tools', 'sentinel__call_tool']);
  });

  it('calls every tool through call_tool with the result of the direct call', async () => {
    const { tools } = await all.client.listTools();
    for (const { name } of tools) {
      const args = ARGUMENTS[name] ?? {};
      // Two direct calls, then one through call_tool: a tool that toggles state is back where it was.
      const direct = await outcome(search, name, args);
      await outcome(search, name, args);
      const through = await outcome(search, 'sentinel__call_tool', { name, arguments: args });
      expect({ name, ...through }).toEqual({ name, ...direct });
    }
  });
});
