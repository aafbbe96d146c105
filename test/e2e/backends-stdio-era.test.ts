/**
 * stdio backends speak the era they offer: a child is asked for `server/discover` first and spoken to in
 * 2026-07-28 when that is all it offers (or its entry asks for it), in the 2025 era (`initialize`)
 * otherwise, a server of both eras included; `"protocol": "2025-11-25"` never asks. A backend built with the v2 server in modern-only mode (`legacy: 'reject'`) is served to a 2025-era
 * host, its `input_required` elicitation bridged to the host; doctor shows each backend's era.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool, runCli, writeTempConfig } from '../helpers/host.js';
import { fixtureServerArgs, fixtureStartArgs } from '../helpers/paths.js';

const modernStdio = (env: Record<string, string> = {}, extra: object = {}) => ({
  command: process.execPath,
  args: fixtureStartArgs('modern-stdio-server.mjs'),
  env,
  ...extra,
});

describe.each([
  ['found when it refuses initialize, then asked server/discover', {}],
  ['asked for on every start (protocol: "2026-07-28")', { protocol: '2026-07-28' }],
])('a 2026-07-28-only stdio backend behind a 2025-era host, %s', (_label, extra) => {
  let host: TestHost;
  let asked: string[] = [];

  beforeAll(async () => {
    host = await TestHost.start({
      capabilities: { elicitation: {} },
      config: { mcpServers: { modern: modernStdio({}, extra) } },
      connect: false,
    });
    host.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    await host.client.connect(host.transport);
  });
  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
  });

  it('lists and calls its tools, with its instructions passed on', async () => {
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['modern__confirm', 'modern__echo', 'modern__sign']);
    expect(await callTool(host, 'modern__echo', { text: 'hi' })).toEqual({
      text: 'modern/echo: hi',
      isError: false,
    });
    expect(host.client.getInstructions()).toContain('A server that speaks 2026-07-28 only.');
  });

  it('bridges its input_required elicitation to the host and returns the answer', async () => {
    expect(await callTool(host, 'modern__confirm', { what: 'deploy' })).toEqual({
      text: 'confirmed deploy: {"confirm":true}',
      isError: false,
    });
    expect(asked).toEqual(['Really deploy?']);
    asked = [];
  });
});

describe('the era of each stdio backend', () => {
  let dir: string;
  let config: ReturnType<typeof writeTempConfig>;
  const record = (name: string) => join(dir, `${name}.log`);
  const lines = (name: string) => readFileSync(record(name), 'utf8').trim().split('\n');
  const openings = (name: string) =>
    lines(name).filter((line) => line === 'server/discover' || line === 'initialize');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-era-'));
    config = writeTempConfig({
      mcpServers: {
        // Serves both eras: asked, it is spoken to in the 2025 era, which carries everything in full.
        both: modernStdio({ MODERN_LEGACY: 'serve', MODERN_RECORD: record('both') }),
        // The same server with "protocol": "2026-07-28": asked, and spoken to in 2026-07-28.
        forced: modernStdio(
          { MODERN_LEGACY: 'serve', MODERN_RECORD: record('forced') },
          { protocol: '2026-07-28' },
        ),
        // The same server, told to speak the 2025 era: never asked.
        told: modernStdio(
          { MODERN_LEGACY: 'serve', MODERN_RECORD: record('told') },
          { protocol: '2025-11-25' },
        ),
        // A 2025-era server (v1 SDK): asked, it answers "method not found" and is initialized.
        legacy: { command: process.execPath, args: fixtureServerArgs() },
        // A 2025-era server that would exit on any request before `initialize`: never asked.
        strict: {
          command: process.execPath,
          args: fixtureServerArgs(),
          env: { FIXTURE_NAME: 'strict', FIXTURE_MODE: 'strict-opening', FIXTURE_RECORD: record('strict') },
        },
      },
    });
  });
  afterAll(() => {
    config?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is shown by doctor, each backend in the era it offers unless its entry says otherwise', async () => {
    const env = { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache') };
    const json = await runCli(['doctor', '--config', config.path, '--json'], { env });
    const report = JSON.parse(json.stdout) as {
      backends: { name: string; status: string; protocolVersion?: string }[];
    };
    const era = Object.fromEntries(report.backends.map((b) => [b.name, [b.status, b.protocolVersion]]));
    expect(era.both?.[0]).toBe('ok');
    expect(era.both?.[1]).toMatch(/^2025-/);
    expect(era.forced).toEqual(['ok', '2026-07-28']);
    expect(era.told?.[0]).toBe('ok');
    expect(era.told?.[1]).toMatch(/^2025-/);
    expect(era.legacy?.[0]).toBe('ok');
    expect(era.legacy?.[1]).toMatch(/^2025-/);
    expect(era.strict?.[0]).toBe('ok');
    expect(era.strict?.[1]).toMatch(/^2025-/);
    // A 2025-era server is never asked: `initialize` comes first and is answered.
    const strictEvents = lines('strict').map((line) => (JSON.parse(line) as { event: string }).event);
    expect(strictEvents).not.toContain('refused-opening');
    expect(strictEvents.filter((event) => event === 'start')).toHaveLength(1);
    expect(openings('both')).toEqual(['initialize']);
    expect(openings('forced')).toEqual(['server/discover']);
    expect(openings('told')).toEqual(['initialize']);

    const human = await runCli(['doctor', '--config', config.path], { env });
    expect(human.stdout).toMatch(/✔ forced\s+stdio \d+ ms\s+modern-fixture 1\.0\.0, protocol 2026-07-28;/);
    expect(human.stdout).toMatch(/✔ both\s+stdio \d+ ms\s+modern-fixture 1\.0\.0, protocol 2025-/);
    expect(human.stdout).toMatch(/✔ legacy\s+stdio \d+ ms\s+fixture 1\.0\.0, protocol 2025-/);
  });
});
