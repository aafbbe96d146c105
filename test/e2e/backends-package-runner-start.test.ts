/**
 * The first start of a command run through a package runner (npx, uvx, pipx run...) may download the
 * package for longer than settings.startupTimeoutMs: it is given a longer first start instead of being
 * killed mid-download on every retry.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRunner, startTimeoutMs } from '../../src/backends/package-runner.js';
import { TestHost } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

describe('packageRunner', () => {
  it.each([
    ['npx', ['-y', 'x'], 'npx'],
    ['/usr/local/bin/npx', [], 'npx'],
    ['C:\\Program Files\\nodejs\\npx.cmd', [], 'npx'],
    ['uvx', ['mcp-server-fetch'], 'uvx'],
    ['pipx', ['run', 'x'], 'pipx'],
    ['pipx', ['install', 'x'], undefined],
    ['pnpm', ['dlx', 'x'], 'pnpm dlx'],
    ['npm', ['exec', 'x'], 'npm exec'],
    ['node', ['server.js'], undefined],
  ])('%s %j → %s', (command, args, expected) => {
    expect(packageRunner(command, args)).toBe(expected);
  });

  it('gives only the first start of a runner more time', () => {
    expect(startTimeoutMs(10_000, 'npx', [], false)).toBe(120_000);
    expect(startTimeoutMs(10_000, 'npx', [], true)).toBe(10_000);
    expect(startTimeoutMs(300_000, 'npx', [], false)).toBe(300_000);
    expect(startTimeoutMs(10_000, 'node', [], false)).toBe(10_000);
  });
});

describe('a slow first start through npx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-npx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is waited for past startupTimeoutMs instead of being killed', async () => {
    // Stands in for npx downloading a package: silent for a while, then the server.
    const npx = join(dir, 'npx');
    writeFileSync(
      npx,
      `#!/bin/sh\nsleep 2\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(fixture('fixture-server.mjs'))}\n`,
    );
    chmodSync(npx, 0o755);
    const host = await TestHost.start({
      config: {
        settings: { startupTimeoutMs: 500, restart: { maxRestarts: 0 } },
        mcpServers: {
          slow: { command: npx, args: ['-y', 'some-mcp-server'], env: { FIXTURE_NAME: 'slow' } },
        },
      },
    });
    try {
      await waitFor(
        'the backend up after its slow first start',
        async () => (await host.client.listTools()).tools.some((t) => t.name === 'slow__echo'),
        20_000,
        200,
      );
      const result = (await host.client.callTool({ name: 'slow__echo', arguments: { a: 1 } })) as {
        content: { text: string }[];
      };
      expect(result.content[0]!.text).toBe('slow/echo: {"a":1}');
      expect(host.stderr).not.toMatch(/did not answer within 500 ms/);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  }, 60_000);
});
