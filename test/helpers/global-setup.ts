/**
 * Runs once before the suite: the tests spawn the built CLI, so dist/ must exist. `npm test` builds first;
 * this catches a direct `vitest` call on a stale or missing build. It also bundles the SDK parts of the
 * fixture server (test/fixtures/fixture-sdk.mjs), once per SDK version, and makes the start snapshots of the
 * stdio test servers (test/fixtures/fixture-snapshot.mjs), once per version of their sources.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleFixtureSdk } from '../fixtures/fixture-sdk.mjs';
import { buildFixtureSnapshots } from '../fixtures/fixture-snapshot.mjs';

export default async function setup(): Promise<void> {
  await bundleFixtureSdk();
  await buildFixtureSnapshots();
  const entry = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  if (!existsSync(entry))
    throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first)');
}
