/** Locations the tests use: the built CLI, fixtures, and the published reference server. */
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
