/**
 * The tool surface of one serving session: recognises the host (once `initialize` has named it),
 * builds its tool view once per catalog (and per change of sentinel's own listed tools), keeps one search
 * index per catalog, and registers the two meta-tools in the own-tools registry. server.ts asks it for
 * the tool list and rewrites `sentinel__call_tool` calls with `asDirectCall` before routing.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { ServerConfig, Settings } from '../../config/types.js';
import type { Catalog } from '../catalog.js';
import type { OwnRegistry } from '../own-tools.js';
import { recognizeHost, maxResultTokensFor, type ClientInfo, type HostSeen } from './hosts.js';
import { CALL_TOOL_DEFINITION, findToolsDefinition, findToolsResult } from './meta-tools.js';
import { ToolSearchIndex } from './search-index.js';
import { buildToolView, type SurfaceServer, type ToolView } from './view.js';

export { asDirectCall, MetaCallError, CALL_TOOL, FIND_TOOLS } from './meta-tools.js';
export type { ToolView } from './view.js';

/** What the surface needs of a backend. */
export interface SurfaceBackend {
  name: string;
  config: Pick<ServerConfig, 'pin'>;
  serverInfo?: { name?: string; title?: string };
  /** The server's own instructions, when it sent any. */
  instructions?: string;
}

export interface SurfaceDeps {
  own: OwnRegistry;
  settings: Settings;
  catalog(): Catalog;
  /** Resolves once backends have had their chance to start (the first lists wait for it). */
  ready(): Promise<unknown>;
  backends(): readonly SurfaceBackend[];
  /** What the host said in `initialize` (undefined before it). */
  clientInfo(): ClientInfo | undefined;
  /** Told (once per change) which surface the host gets and why, so that a switch is never silent. */
  announce?: (line: string) => void;
}

export interface ToolSurface {
  host(): HostSeen;
  /** The tool view for the current catalog and host. */
  view(): Promise<ToolView>;
  /** Tokens above which a result is kept as a resource, for the current host (undefined: no limit). */
  maxResultTokens(): number | undefined;
  index(): ToolSearchIndex;
}

export function surfaceServers(backends: readonly SurfaceBackend[]): SurfaceServer[] {
  return backends.map((b) => ({
    name: b.name,
    pin: b.config.pin,
    title: b.serverInfo?.title ?? b.serverInfo?.name,
    about: firstSentence(b.instructions),
  }));
}

/** The first sentence of a server's instructions, short enough for a list of servers. */
function firstSentence(text: string | undefined): string | undefined {
  const sentence = text
    ?.trim()
    .split(/(?<=[.!?])\s|\n/)[0]
    ?.trim();
  if (!sentence) return undefined;
  return sentence.length > 100 ? `${sentence.slice(0, 99).trimEnd()}…` : sentence;
}

export function indexCatalog(catalog: Pick<Catalog, 'tools' | 'toolRoutes'>): ToolSearchIndex {
  return new ToolSearchIndex(
    catalog.tools.map((tool) => {
      const route = catalog.toolRoutes.get(tool.name);
      return { name: tool.name, original: route?.name ?? tool.name, server: route?.backend ?? '', tool };
    }),
  );
}

export function createToolSurface(deps: SurfaceDeps): ToolSurface {
  const indexes = new WeakMap<Catalog, ToolSearchIndex>();
  let last: { catalog: Catalog; key: string; view: Promise<ToolView> } | undefined;
  let announced = '';

  const host = () => recognizeHost(deps.clientInfo(), deps.settings);
  const index = () => {
    const catalog = deps.catalog();
    let built = indexes.get(catalog);
    if (!built) indexes.set(catalog, (built = indexCatalog(catalog)));
    return built;
  };

  deps.own.defineTool({
    definition: findToolsDefinition([], 0),
    listed: () => false, // listed by the view, with a description that names the servers
    call: async (args) => {
      await deps.ready();
      return findToolsResult(index(), args);
    },
  });
  deps.own.defineTool({
    definition: CALL_TOOL_DEFINITION,
    listed: () => false,
    // Never reached: tools/call rewrites call_tool into the direct call before routing (asDirectCall).
    call: async () => {
      throw new Error(`${CALL_TOOL_DEFINITION.name} must be rewritten before routing`);
    },
  });

  const view = () => {
    const catalog = deps.catalog();
    const own: Tool[] = deps.own.listedTools();
    const seen = host().host;
    const key = `${seen}|${own.map((t) => t.name).join(',')}`;
    if (last?.catalog !== catalog || last.key !== key) {
      const servers = surfaceServers(deps.backends());
      const view = buildToolView({ catalog, servers, host: seen, settings: deps.settings, own });
      last = { catalog, key, view };
      void view.then(
        (v) => {
          const line = `${v.profile.displayName}: surface ${v.choice.surface}, ${v.tools.length} of ${v.catalogTools} tools listed (${v.choice.reason})`;
          const typos = v.unmatchedPins.length
            ? `; pin names no such tool: ${v.unmatchedPins.join(', ')}`
            : '';
          if (line + typos !== announced) deps.announce?.((announced = line + typos));
          // The first find_tools after a catalog change should not pay for building the index.
          if (v.choice.surface === 'search') setImmediate(() => deps.catalog() === catalog && index());
        },
        () => undefined,
      );
    }
    return last.view;
  };

  return {
    host,
    view,
    maxResultTokens: () => maxResultTokensFor(host().host, deps.settings),
    index,
  };
}
