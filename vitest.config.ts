import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real servers; two cores are all CI has.
    maxWorkers: 2,
    fileParallelism: true,
    globalSetup: ['test/helpers/global-setup.ts'],
    // The manifest cache of every CLI a test starts goes to a throw-away directory, never the user's own
    // (test/helpers/host.ts gives each host its own below that).
    env: { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'sentinel-test-cache-')) },
  },
});
