/**
 * The manifest cache on disk: what the host needs to see of a backend (its lists, server info,
 * capabilities, instructions), one JSON file per launch fingerprint, in the user's cache directory. The
 * directory is 0700 and every file 0600, written to a temporary name and renamed, so a reader never sees
 * half a file. A manifest that holds any value registered with the redactor (a resolved secret, a token)
 * is refused rather than written: the cache never holds a credential, whatever a backend echoes back.
 * A 2026-07-28 backend's caching hints are honoured (cache-hints.ts): a list it says is private to the
 * session is never written here, and a manifest whose lists' `ttlMs` has passed is read as a miss, so the
 * backend starts and lists afresh before anything is served.
 *
 * Every failure here is a cache miss, never an error: the backend then simply starts.
 */
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Implementation, ServerCapabilities } from '@modelcontextprotocol/client';
import { redact, type Logger } from '../../log.js';
import { allFresh, isShareable, type ListHints } from '../cache-hints.js';
import type { BackendLists } from '../types.js';

export const MANIFEST_FORMAT = 1;
/** Manifests not written for this long are removed (a spec that changed leaves its old file behind). */
const MAX_AGE_MS = 30 * 24 * 3600_000;

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** The launch fingerprint (fingerprint.ts); also the file's name. */
  fingerprint: string;
  /** The mcp-sentinel version that wrote it (also part of the fingerprint). */
  version: string;
  /** When the lists were fetched, ISO 8601. */
  writtenAt: string;
  serverInfo?: Implementation;
  protocolVersion?: string;
  capabilities?: ServerCapabilities;
  instructions?: string;
  lists: BackendLists;
  /** The caching hints the lists came with, per kind; absent for a 2025-era backend (no hints). */
  cache?: ListHints;
}

export interface ManifestStore {
  readonly dir: string;
  read(fingerprint: string): Promise<Manifest | undefined>;
  /** True when written; false when refused (a secret or a private list in it) or the write failed. */
  write(manifest: Manifest): Promise<boolean>;
  /** Removes the manifest of a fingerprint, if there is one (its backend's lists became private). */
  forget(fingerprint: string): Promise<void>;
}

export function createManifestStore(dir: string, log: Logger): ManifestStore {
  let pruned = false;
  const fileOf = (fingerprint: string) => join(dir, `${fingerprint}.json`);
  return {
    dir,
    async read(fingerprint) {
      if (!/^[0-9a-f]{64}$/.test(fingerprint)) return undefined;
      let text: string;
      try {
        text = await readFile(fileOf(fingerprint), 'utf8');
      } catch {
        return undefined;
      }
      try {
        const manifest = JSON.parse(text) as Manifest;
        if (!isManifest(manifest, fingerprint)) return undefined;
        // Lists past their ttlMs are fetched again before they are served: the backend starts instead.
        return isShareable(manifest.cache) && allFresh(manifest.cache, Date.now()) ? manifest : undefined;
      } catch {
        log.debug(`ignored an unreadable manifest ${fileOf(fingerprint)}`);
        return undefined;
      }
    },
    async write(manifest) {
      if (!isShareable(manifest.cache)) return false;
      const text = JSON.stringify(manifest);
      if (redact(text) !== text) {
        log.warn('its lists were not cached: they contain a value registered as a secret');
        return false;
      }
      try {
        await ensurePrivateDir(dir);
        const file = fileOf(manifest.fingerprint);
        const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(temporary, text, { mode: 0o600 });
        await rename(temporary, file);
        if (!pruned) {
          pruned = true;
          void prune(dir);
        }
        return true;
      } catch (error) {
        log.debug(`could not write the manifest cache in ${dir}: ${(error as Error).message}`);
        return false;
      }
    },
    async forget(fingerprint) {
      if (!/^[0-9a-f]{64}$/.test(fingerprint)) return;
      await rm(fileOf(fingerprint), { force: true }).catch(() => undefined);
    },
  };
}

function isManifest(value: Manifest, fingerprint: string): boolean {
  const lists = value?.lists as Partial<BackendLists> | undefined;
  return (
    value?.format === MANIFEST_FORMAT &&
    value.fingerprint === fingerprint &&
    typeof value.writtenAt === 'string' &&
    !!lists &&
    Array.isArray(lists.tools) &&
    Array.isArray(lists.prompts) &&
    Array.isArray(lists.resources) &&
    Array.isArray(lists.resourceTemplates)
  );
}

/** Creates the directory (and its parent, the mcp-sentinel cache dir) readable by the user only. */
async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') {
    await chmod(join(dir, '..'), 0o700);
    await chmod(dir, 0o700);
  }
}

async function prune(dir: string): Promise<void> {
  try {
    const now = Date.now();
    for (const name of await readdir(dir)) {
      const file = join(dir, name);
      const info = await stat(file);
      const stale = name.endsWith('.tmp') ? now - info.mtimeMs > 3600_000 : now - info.mtimeMs > MAX_AGE_MS;
      if (stale) await rm(file, { force: true });
    }
  } catch {
    // A cache that cannot be tidied is still a cache.
  }
}
