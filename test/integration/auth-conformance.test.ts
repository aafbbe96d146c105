/**
 * The official MCP conformance scenario auth/client-credentials-basic, run by scripts/conformance.sh
 * against the auth strategy alone (`--direct`). The run through `mcp-sentinel serve` happens once, in
 * .ci/run, not again here. The suite and the Node 22 it needs are installed into .cache/ on first use; when
 * that install fails (no registry), the test is skipped with the reason locally and fails under CI=1.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function withExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = env.SENTINEL_TEST_EXTRA_CA_CERTS;
  return kept ? { ...env, NODE_EXTRA_CA_CERTS: kept } : env;
}

describe('MCP conformance: auth/client-credentials-basic', () => {
  it('passes with the auth strategy alone', (ctx) => {
    const install = spawnSync('sh', ['scripts/conformance.sh', '--install'], {
      cwd: root,
      // The install may go through a proxy whose certificate `npm test` keeps aside (scripts/test.sh).
      env: withExtraCaCerts(process.env),
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (install.status !== 0) {
      const why = `the conformance suite or its Node 22 could not be installed into .cache/ (sh scripts/conformance.sh --install: ${
        install.error?.message ?? (install.stderr.trim().split('\n').at(-1) || `exit ${install.status}`)
      })`;
      if (process.env.CI) throw new Error(why);
      process.stderr.write(`auth-conformance skipped: ${why}\n`);
      ctx.skip(why);
    }
    const run = spawnSync('sh', ['scripts/conformance.sh', '--direct'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    // On success the script prints the suite's summary line on stderr; on failure its whole output on stdout.
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toMatch(/0 warnings.*OVERALL: PASSED/);
    // The suite itself prints the context it hands out; nothing else may show the secret.
    const ours = (run.stdout + run.stderr).split('\n').filter((line) => !line.startsWith('With context:'));
    expect(ours.join('\n')).not.toContain('conformance-test-secret');
  }, 330_000);
});
