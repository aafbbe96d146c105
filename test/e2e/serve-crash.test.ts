/**
 * An internal error (an exception nobody caught) in `serve` still shuts down cleanly: a line on stderr,
 * every backend taken down, exit code 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { waitGone } from '../helpers/processes.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an uncaught exception in serve', () => {
  it('is logged, takes every backend down and exits 1', async () => {
    // Stands in for a bug: SIGUSR2 makes the sentinel throw from an event handler.
    const bug = join(dir, 'bug.mjs');
    writeFileSync(bug, "process.on('SIGUSR2', () => { throw new Error('planted bug'); });\n");
    const host = await TestHost.start({
      config: {
        // The stubborn backend is killed after two grace periods: short ones, the test need not wait 4 s.
        settings: { stopGraceMs: 500 },
        mcpServers: {
          stubborn: {
            command: process.execPath,
            args: fixtureServerArgs(),
            env: { FIXTURE_NAME: 'stubborn', FIXTURE_MODE: 'ignore-term' },
          },
        },
      },
      env: { NODE_OPTIONS: `--import ${bug}` },
    });
    await host.client.listTools();
    const tree = host.processTree();
    expect(tree.length).toBeGreaterThanOrEqual(2);
    const exited = new Promise<number | null>((resolve) => host.child.once('exit', (code) => resolve(code)));
    host.child.kill('SIGUSR2');
    expect(await exited).toBe(1);
    expect(host.stderr).toMatch(/internal error: Error: planted bug/);
    expect(host.nonProtocolStdout()).toEqual([]);
    const leftovers = await waitGone(tree, 3_000);
    for (const pid of leftovers) process.kill(pid, 'SIGKILL');
    expect(leftovers).toEqual([]);
    await host.close();
  }, 20_000);
});
