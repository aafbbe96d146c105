/**
 * Doctor's view of each host's tool surface: which surface the host would get and why, how many tools it
 * would list and what they cost in tokens, and which tools are pinned; computed by the same code that
 * serves the host (src/aggregator/surface/), with sentinel's own listed tools left out (they depend on
 * the running session).
 */
import type { Catalog } from '../aggregator/catalog.js';
import { summarizeSurface, type SurfaceSummary } from '../aggregator/surface/summary.js';
import type { ServerConfig, Settings } from '../config/types.js';
import type { HostId } from '../hosts.js';

export async function hostSurfaces(
  hosts: readonly HostId[],
  catalog: Pick<Catalog, 'tools' | 'toolRoutes'>,
  servers: Record<string, ServerConfig>,
  titles: Map<string, string | undefined>,
  settings: Settings,
): Promise<Map<HostId, SurfaceSummary>> {
  const list = Object.entries(servers).map(([name, server]) => ({
    name,
    pin: server.pin,
    title: titles.get(name),
  }));
  const entries = await Promise.all(
    hosts.map(
      async (host) =>
        [host, (await summarizeSurface({ catalog, servers: list, host, settings })).summary] as const,
    ),
  );
  return new Map(entries);
}
