/**
 * The tool list one host sees, decided from the catalog, the host and the settings: the surface (`all`
 * or `search`) and why, the pinned tools, and the tools themselves in the shape the host wants (for
 * Claude Code: a stable order, alwaysLoad marks, descriptions within 2 KB). Pure apart from the lazy
 * tokenizer; the same function serves `serve`, `tools --host` and doctor, so what they show is what a
 * host gets. Every tool stays reachable: listed, or found by find_tools and called by call_tool.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { ServerConfig, Settings, SurfaceHostId } from '../../config/types.js';
import type { Catalog } from '../catalog.js';
import { chooseSurface, type SurfaceChoice } from './choose.js';
import { markAlwaysLoad, withFittingDescription } from './claude-code.js';
import { profileFor, type HostProfile } from './hosts.js';
import { CALL_TOOL_DEFINITION, findToolsDefinition, type ServerSummary } from './meta-tools.js';
import { countToolListTokens, surelyWithin } from './tokens.js';

export interface SurfaceServer {
  name: string;
  pin?: ServerConfig['pin'];
  title?: string;
  about?: string;
}

export interface ViewInput {
  catalog: Pick<Catalog, 'tools' | 'toolRoutes'>;
  /** In config order. */
  servers: readonly SurfaceServer[];
  host: SurfaceHostId;
  settings: Pick<Settings, 'surface' | 'hosts'>;
  /** mcp-sentinel's own tools that are always listed (sign-in, status, ...), meta-tools excluded. */
  own?: readonly Tool[];
}

export interface ToolView {
  profile: HostProfile;
  choice: SurfaceChoice;
  /** What tools/list answers. */
  tools: Tool[];
  /** Public names of the pinned tools. */
  pinned: string[];
  /** `pin` entries naming no tool of their (listed) server, as `server.tool`: likely typos. */
  unmatchedPins: string[];
  /** Tools in the catalog (every one reachable). */
  catalogTools: number;
}

export async function buildToolView(input: ViewInput): Promise<ToolView> {
  const { catalog, host } = input;
  const profile = profileFor(host, input.settings);
  const own = input.own ?? [];
  const pinned = pinnedTools(catalog, input.servers);
  const everything = [...own, ...catalog.tools];
  const choice = await chooseSurface(profile, input.settings, {
    tools: everything.length,
    tokens: () => countToolListTokens(everything),
    surelyWithin: (budget) => surelyWithin(JSON.stringify(everything), budget),
  });
  let tools: Tool[];
  if (choice.surface === 'all') {
    tools = everything;
  } else {
    const pinnedSet = new Set(pinned);
    const unlisted = catalog.tools.filter((t) => !pinnedSet.has(t.name)).length;
    const find = findToolsDefinition(summaries(catalog, input.servers), unlisted);
    tools = [find, CALL_TOOL_DEFINITION, ...own, ...catalog.tools.filter((t) => pinnedSet.has(t.name))];
  }
  if (host === 'claude-code') tools = forClaudeCode(tools, catalog, input.servers, new Set(pinned), choice);
  const unmatchedPins = unmatched(catalog, input.servers);
  return { profile, choice, tools, pinned, unmatchedPins, catalogTools: catalog.tools.length };
}

/** Public names of the tools that `pin` lists (by the backend's own names) or whose server says `true`. */
export function pinnedTools(catalog: ViewInput['catalog'], servers: readonly SurfaceServer[]): string[] {
  const pins = new Map(servers.filter((s) => s.pin).map((s) => [s.name, s.pin!]));
  if (pins.size === 0) return [];
  return catalog.tools
    .filter((tool) => {
      const route = catalog.toolRoutes.get(tool.name);
      const pin = route && pins.get(route.backend);
      return pin === true || (Array.isArray(pin) && pin.includes(route!.name));
    })
    .map((tool) => tool.name);
}

/** Pin names of servers that have tools in the catalog, that none of those tools has. */
function unmatched(catalog: ViewInput['catalog'], servers: readonly SurfaceServer[]): string[] {
  const names = new Map<string, Set<string>>();
  for (const route of catalog.toolRoutes.values()) {
    if (!names.has(route.backend)) names.set(route.backend, new Set());
    names.get(route.backend)!.add(route.name);
  }
  return servers.flatMap((s) => {
    const have = names.get(s.name);
    if (!have || !Array.isArray(s.pin)) return [];
    return s.pin.filter((name) => !have.has(name)).map((name) => `${s.name}.${name}`);
  });
}

function summaries(catalog: ViewInput['catalog'], servers: readonly SurfaceServer[]): ServerSummary[] {
  const byServer = new Map<string, string[]>(servers.map((s) => [s.name, []]));
  for (const tool of catalog.tools) {
    const route = catalog.toolRoutes.get(tool.name);
    if (route) byServer.get(route.backend)?.push(tool.name);
  }
  return servers.map((s) => ({
    name: s.name,
    title: s.title && s.title !== s.name ? s.title : undefined,
    about: s.about,
    tools: byServer.get(s.name) ?? [],
  }));
}

/**
 * Claude Code: own tools first, then servers in config order, each server's tools by name (stable
 * whatever order a backend lists them in); pinned tools and the meta-tools marked alwaysLoad.
 */
function forClaudeCode(
  tools: Tool[],
  catalog: ViewInput['catalog'],
  servers: readonly SurfaceServer[],
  pinned: Set<string>,
  choice: SurfaceChoice,
): Tool[] {
  const order = new Map(servers.map((s, i) => [s.name, i]));
  const rank = (tool: Tool) => {
    const route = catalog.toolRoutes.get(tool.name);
    return route ? (order.get(route.backend) ?? servers.length) : -1;
  };
  const sorted = tools
    .map((tool, i) => ({ tool, i, rank: rank(tool) }))
    .sort((a, b) =>
      a.rank !== b.rank ? a.rank - b.rank : a.rank === -1 ? a.i - b.i : a.tool.name < b.tool.name ? -1 : 1,
    )
    .map((entry) => entry.tool);
  return sorted.map((tool) => {
    const fitted = withFittingDescription(tool);
    const always =
      pinned.has(tool.name) || (choice.surface === 'search' && !catalog.toolRoutes.has(tool.name));
    return always ? markAlwaysLoad(fitted) : fitted;
  });
}
