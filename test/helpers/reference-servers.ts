/** The published reference servers the project installs, as config entries (no network, no credentials). */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EVERYTHING } from './paths.js';

const require = createRequire(import.meta.url);
const entry = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'index.js');

/** everything, files (a temp directory), memory (a temp file) and thinking; `cleanup` removes the temp dir. */
export function referenceServers(): { servers: Record<string, object>; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-reference-'));
  const node = process.execPath;
  return {
    servers: {
      everything: { command: node, args: [EVERYTHING, 'stdio'] },
      files: { command: node, args: [entry('@modelcontextprotocol/server-filesystem'), dir] },
      memory: {
        command: node,
        args: [entry('@modelcontextprotocol/server-memory')],
        env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') },
      },
      thinking: { command: node, args: [entry('@modelcontextprotocol/server-sequential-thinking')] },
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
