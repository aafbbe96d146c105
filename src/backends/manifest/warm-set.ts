/**
 * The warm start of `serve`: when every backend of the config would start lazily and has a cached
 * manifest, the host's `initialize` and lists can be answered from those manifests before the backend
 * layer (the SDK, transports, auth) has loaded. This finds them with the decisions `launch` makes
 * (lazy-start.ts), and hands the backend layer the manifests it read, so that the backends are seeded
 * with exactly what was answered early.
 */
import type { ServerConfig } from '../../config/types.js';
import type { BackendDeps } from '../types.js';
import { fingerprintOf, wouldStartLazily } from './lazy-start.js';
import type { Manifest, ManifestStore } from './store.js';

export interface WarmBackend {
  name: string;
  config: ServerConfig;
  /** Undefined for a disabled backend: it lists nothing and never starts. */
  manifest?: Manifest;
}

/** Every backend with its manifest, in config order; undefined when any of them would start at once. */
export async function findWarmSet(
  servers: Record<string, ServerConfig>,
  deps: Pick<BackendDeps, 'settings' | 'resolve' | 'environment'>,
  store: ManifestStore,
): Promise<WarmBackend[] | undefined> {
  const found = await Promise.all(
    Object.entries(servers).map(async ([name, config]): Promise<WarmBackend | undefined> => {
      if (config.disabled) return { name, config };
      if (!wouldStartLazily({ config }, deps)) return undefined;
      const fingerprint = await fingerprintOf({ name, config }, deps);
      const manifest = fingerprint ? await store.read(fingerprint) : undefined;
      return manifest ? { name, config, manifest } : undefined;
    }),
  );
  return found.every((b) => b !== undefined) ? found : undefined;
}

/**
 * `store`, answering the first read of each manifest of the warm start with the copy read then: the
 * backends are seeded with what the host was already told, even if the file changed in between. Later
 * reads (a reload, a backend added) go to the files.
 */
export function primedStore(store: ManifestStore, warm: readonly WarmBackend[] | undefined): ManifestStore {
  const primed = new Map<string, { manifest: Manifest; reads: number }>();
  for (const { manifest } of warm ?? []) {
    if (!manifest) continue;
    const entry = primed.get(manifest.fingerprint);
    if (entry) entry.reads++;
    else primed.set(manifest.fingerprint, { manifest, reads: 1 });
  }
  return {
    dir: store.dir,
    read(fingerprint) {
      const entry = primed.get(fingerprint);
      if (!entry) return store.read(fingerprint);
      if (--entry.reads === 0) primed.delete(fingerprint);
      return Promise.resolve(entry.manifest);
    },
    write: (manifest) => store.write(manifest),
    forget: (fingerprint) => store.forget(fingerprint),
  };
}
