/**
 * Budgets visible through the built CLI: doctor's host section says, per host, the surface it would get
 * and why, the tools listed and their estimated tokens, and the pinned tools; `tools --host NAME` prints
 * what that host would see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeTempConfig } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';

const tools = Array.from({ length: 59 }, (_, i) => `fetch_record_${i + 1}`).join(',');

describe('doctor and tools --host show each host its surface', () => {
  let config: ReturnType<typeof writeTempConfig>;
  beforeAll(() => {
    config = writeTempConfig({
      mcpServers: {
        crm: {
          command: process.execPath,
          args: fixtureServerArgs(),
          env: { FIXTURE_NAME: 'crm', FIXTURE_TOOLS: tools },
          pin: ['fetch_record_3', 'fetch_recrod_4'],
        },
      },
    });
  });
  afterAll(() => config.cleanup());

  it('doctor --json: Cursor gets the search surface for 60 tools, Claude Code all of them', async () => {
    const { code, stdout } = await runCli(['doctor', '--config', config.path, '--json', '--timeout', '8000']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      hosts: { host: string; surface?: Record<string, unknown>; checks: { id: string; status: string }[] }[];
    };
    const host = (id: string) => report.hosts.find((h) => h.host === id)!;
    expect(host('cursor').surface).toMatchObject({
      surface: 'search',
      reason: "60 tools exceed Cursor's cap of 40",
      listedTools: 3,
      catalogTools: 60,
      pinned: ['crm__fetch_record_3'],
      unmatchedPins: ['crm.fetch_recrod_4'],
    });
    expect(host('cursor').surface!.tokens).toBeLessThan(1_000);
    expect(host('cursor').checks.find((c) => c.id === 'tool-count')?.status).toBe('ok');
    expect(host('claude-code').surface).toMatchObject({ surface: 'all', listedTools: 60 });
    expect(host('claude-code').surface!.tokens).toBeGreaterThan(1_000);
  });

  it('doctor prints the surface line under each host', async () => {
    const { stdout } = await runCli([
      'doctor',
      '--config',
      config.path,
      '--host',
      'cursor',
      '--timeout',
      '8000',
    ]);
    expect(stdout).toMatch(
      /surface search: 3 listed, all 60 tools reachable through sentinel__find_tools, ~\d+ tokens \(60 tools exceed Cursor's cap of 40\); pinned: crm__fetch_record_3; pin names no such tool: crm.fetch_recrod_4/,
    );
  });

  it('tools --host cursor prints what Cursor would see', async () => {
    const { code, stdout } = await runCli(['tools', '--config', config.path, '--host', 'cursor']);
    expect(code).toBe(0);
    const names = stdout
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    expect(names.slice(0, 3)).toEqual(['sentinel__find_tools', 'sentinel__call_tool', 'crm__fetch_record_3']);
    expect(stdout).toMatch(/Cursor: surface search: 3 listed/);
    const json = await runCli(['tools', '--config', config.path, '--host', 'claude-code', '--json']);
    const parsed = JSON.parse(json.stdout) as { host: { surface: string }; tools: unknown[] };
    expect(parsed.host.surface).toBe('all');
    expect(parsed.tools).toHaveLength(60);
  });
});
