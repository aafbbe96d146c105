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
  },
});
