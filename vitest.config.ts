import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Integration files that must not share a worker with other files (see their project below). */
const ISOLATED = [
  'test/integration/auth-oauth2.test.ts',
  'test/integration/auth-discovery.test.ts',
  'test/integration/auth-oauth2-tokens-discovery.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // More workers than CI's two cores: most end-to-end files spend their time waiting on the processes and
    // servers they start (a start, a timeout, a grace period), not computing.
    maxWorkers: 4,
    fileParallelism: true,
    globalSetup: ['test/helpers/global-setup.ts'],
    // Transformed test files and helpers are kept on disk (node_modules/.experimental-vitest-cache) and
    // reused while their source is unchanged: a run no longer transforms all of them again.
    experimental: { fsModuleCache: true },
    // The manifest cache of every CLI a test starts goes to a throw-away directory, never the user's own
    // (test/helpers/host.ts gives each host its own below that).
    env: {
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'sentinel-test-cache-')),
      // ... except the compiled code of the CLI (src/cli/compile-cache.ts), which every CLI a test starts
      // shares, as a user's starts do: without it each of those ~300 starts would compile the bundle again.
      NODE_COMPILE_CACHE: fileURLToPath(
        new URL('node_modules/.cache/sentinel-compile-cache', import.meta.url),
      ),
    },
    projects: [
      {
        // Pure logic, end-to-end tests whose state lives in the processes they start, in-process auth
        // strategies against real servers (each file starting and closing its own) and the keychain binding,
        // as one project: a worker runs file after file of any of them without loading vitest, the SDK and
        // the helpers again. (A project per folder had a pool of workers each: some 8 more worker starts and
        // about a tenth more CPU for the whole suite on 2 cores.)
        extends: true,
        test: {
          name: 'suite',
          include: [
            'test/unit/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/keychain/**/*.test.ts',
          ],
          exclude: ISOLATED,
          isolate: false,
        },
      },
      {
        // Files that assert on process-wide state (the token cache, the redactor's registrations, discovery
        // results) or count every request a server gets: each runs in a fresh worker, so that nothing another
        // file left (a registration, a client still reconnecting to a port now reused) reaches them.
        extends: true,
        test: { name: 'integration-isolated', include: ISOLATED },
      },
    ],
  },
});
