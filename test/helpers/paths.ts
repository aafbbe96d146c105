/** Locations the tests use: the built CLI, fixtures, and the published reference server. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fixtureSnapshotPath } from '../fixtures/fixture-snapshot.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'mcp-sentinel.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

const require = createRequire(import.meta.url);
/** server-everything's entry script (`node EVERYTHING stdio|sse|streamableHttp`). */
export const EVERYTHING = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist',
  'index.js',
);

/** The compiled fixture server (fixtures are plain .mjs so that they run without a build step). */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const snapshots = new Map<string, string | null>();
/**
 * The arguments that start the test server `server` (a file of test/fixtures; after `process.execPath`),
 * then `extra`: from its start snapshot when the global setup made one (test/fixtures/fixture-snapshot.mjs),
 * which starts it in less than half the CPU; else the file as it is. The file's path is in both, so a
 * process list shows which server it is.
 */
export function fixtureStartArgs(server: string, ...extra: string[]): string[] {
  if (!snapshots.has(server)) {
    const snapshot = fixtureSnapshotPath(server);
    snapshots.set(server, existsSync(snapshot) ? snapshot : null);
  }
  const snapshot = snapshots.get(server);
  return snapshot ? ['--snapshot-blob', snapshot, fixture(server), ...extra] : [fixture(server), ...extra];
}

/** fixtureStartArgs for fixture-server.mjs. */
export function fixtureServerArgs(...extra: string[]): string[] {
  return fixtureStartArgs('fixture-server.mjs', ...extra);
}
