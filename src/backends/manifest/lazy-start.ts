/**
 * Lazy start with the manifest cache: a backend whose launch spec has a cached manifest is seeded from it
 * (its lists answer at once, nothing runs) and starts on its first request; one with no entry, or set to
 * `start: "eager"`, starts at once. Every time a backend's lists are fetched live, they are recorded, so
 * the next start is lazy and a backend whose lists changed corrects the cache.
 */
import type { Backend } from '../backend.js';
import type { BackendDeps } from '../types.js';
import { VERSION } from '../../version.js';
import { isShareable } from '../cache-hints.js';
import { launchFingerprint } from './fingerprint.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestStore } from './store.js';

/** The launch fingerprint of a backend's entry as written, resolving its references; undefined if they fail. */
export async function fingerprintOf(
  backend: Pick<Backend, 'name' | 'config'>,
  deps: Pick<BackendDeps, 'resolve' | 'environment'>,
): Promise<string | undefined> {
  try {
    const resolved = await deps.resolve(backend.name, backend.config);
    return launchFingerprint(resolved, VERSION, deps.environment);
  } catch {
    return undefined; // the backend's own start reports the unresolved reference
  }
}

export function wouldStartLazily(
  backend: Pick<Backend, 'config'>,
  deps: Pick<BackendDeps, 'settings'>,
): boolean {
  return (backend.config.start ?? deps.settings.start) === 'lazy';
}

/** Starts `backend`, or seeds it from its cached manifest when it may start lazily and has one. */
export async function launch(backend: Backend, deps: BackendDeps, store: ManifestStore): Promise<void> {
  if (backend.state !== 'starting' || !wouldStartLazily(backend, deps)) return backend.start();
  const fingerprint = await fingerprintOf(backend, deps);
  const manifest = fingerprint ? await store.read(fingerprint) : undefined;
  if (!manifest) return backend.start();
  backend.seed(manifest);
  recorded.set(backend, contentOf(manifest));
}

/** What was last recorded for a backend (without its timestamp): an unchanged re-list writes nothing. */
const recorded = new WeakMap<Backend, string>();

/** Writes a ready backend's manifest when it differs from the last one recorded for it. */
export async function record(backend: Backend, deps: BackendDeps, store: ManifestStore): Promise<void> {
  const spec = backend.resolvedSpec;
  if (backend.state !== 'ready' || !spec) return;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    fingerprint: launchFingerprint(spec, VERSION, deps.environment),
    version: VERSION,
    writtenAt: new Date().toISOString(),
    serverInfo: backend.serverInfo,
    protocolVersion: backend.protocolVersion,
    capabilities: backend.serverCapabilities,
    instructions: backend.instructions,
    lists: backend.lists,
  };
  const hints = backend.listHints;
  if (!isShareable(hints)) {
    // Lists private to this session never go into the file, and an older copy of them goes too.
    recorded.delete(backend);
    return store.forget(manifest.fingerprint);
  }
  if (Object.keys(hints).length > 0) manifest.cache = hints;
  const content = contentOf(manifest);
  if (recorded.get(backend) === content) return;
  recorded.set(backend, content);
  if (!(await store.write(manifest))) recorded.delete(backend);
}

function contentOf(manifest: Manifest): string {
  const { writtenAt: _omit, ...rest } = manifest;
  return JSON.stringify(rest);
}
