/**
 * Doctor's view of the manifest cache, per backend: whether its current launch spec has a cached manifest,
 * how old it is, and whether `serve` would start it lazily (listed from the cache, started on first use)
 * or at once. Read-only: doctor never writes the cache.
 */
import { launchFingerprint } from '../backends/manifest/fingerprint.js';
import { createManifestStore } from '../backends/manifest/store.js';
import { manifestDir } from '../backends/manifest/cache-dir.js';
import type { ServerConfig, Settings } from '../config/types.js';
import { createLogger } from '../log.js';
import { VERSION } from '../version.js';

export interface CacheInfo {
  cached: boolean;
  /** When the cached lists were fetched, ISO 8601. */
  writtenAt?: string;
  ageMs?: number;
  tools?: number;
  /** Whether `serve` would list it from the cache and start it on its first request. */
  lazy: boolean;
  /** One line for people, e.g. `cached 3 h ago (51 tools); listed from the cache, starts on first use`. */
  reason: string;
}

export async function checkCache(
  server: ServerConfig,
  resolved: ServerConfig | undefined,
  settings: Settings,
  env: Record<string, string | undefined>,
  realEnv: NodeJS.ProcessEnv = process.env,
): Promise<CacheInfo> {
  const eager = (server.start ?? settings.start) === 'eager';
  if (!resolved) {
    return { cached: false, lazy: false, reason: 'not checked: its references do not resolve' };
  }
  const store = createManifestStore(manifestDir(realEnv), createLogger('cache'));
  const manifest = await store.read(launchFingerprint(resolved, VERSION, env));
  if (!manifest) {
    const reason = eager
      ? 'not cached; starts with mcp-sentinel (start: "eager")'
      : 'not cached yet; starts with mcp-sentinel, and later starts are lazy';
    return { cached: false, lazy: false, reason };
  }
  const ageMs = Math.max(0, Date.now() - Date.parse(manifest.writtenAt));
  const tools = manifest.lists.tools.length;
  const when = `cached ${formatAge(ageMs)} ago (${tools} tool${tools === 1 ? '' : 's'})`;
  return {
    cached: true,
    writtenAt: manifest.writtenAt,
    ageMs,
    tools,
    lazy: !eager,
    reason: eager
      ? `${when}; starts with mcp-sentinel (start: "eager")`
      : `${when}; listed from the cache, starts on first use`,
  };
}

export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
