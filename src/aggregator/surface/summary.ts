/**
 * A tool view in a few numbers and words, for people: doctor's host section and `tools --host`. Tokens
 * are counted with the real tokenizer here (these commands are not on the serving path).
 */
import type { SurfaceHostId } from '../../config/types.js';
import type { Catalog } from '../catalog.js';
import { countToolListTokens } from './tokens.js';
import { format } from './choose.js';
import { buildToolView, type SurfaceServer, type ToolView } from './view.js';
import type { Settings } from '../../config/types.js';
import type { Tool } from '@modelcontextprotocol/server';

export interface SurfaceSummary {
  host: SurfaceHostId;
  displayName: string;
  surface: 'all' | 'search';
  /** Why this surface (the setting, or what `auto` saw). */
  reason: string;
  /** Tools the host's tools/list gets. */
  listedTools: number;
  /** Tools of the catalog, every one reachable. */
  catalogTools: number;
  /** Estimated tokens of the listed tools (o200k_base). */
  tokens: number;
  /** Public names of the pinned tools. */
  pinned: string[];
  /** `pin` entries that name no tool of their server (`server.tool`). */
  unmatchedPins: string[];
}

export async function summarizeSurface(input: {
  catalog: Pick<Catalog, 'tools' | 'toolRoutes'>;
  servers: readonly SurfaceServer[];
  host: SurfaceHostId;
  settings: Pick<Settings, 'surface' | 'hosts'>;
  own?: readonly Tool[];
}): Promise<{ view: ToolView; summary: SurfaceSummary }> {
  const view = await buildToolView(input);
  return {
    view,
    summary: {
      host: input.host,
      displayName: view.profile.displayName,
      surface: view.choice.surface,
      reason: view.choice.reason,
      listedTools: view.tools.length,
      catalogTools: view.catalogTools,
      tokens: await countToolListTokens(view.tools),
      pinned: view.pinned,
      unmatchedPins: view.unmatchedPins,
    },
  };
}

/** One line: "search: 4 of 100 tools listed, ~620 tokens (100 tools exceed Cursor's cap of 40); pinned: a, b". */
export function describeSurface(s: SurfaceSummary): string {
  const listed =
    s.listedTools === s.catalogTools && s.surface === 'all'
      ? `${s.listedTools} tools listed`
      : `${s.listedTools} listed, all ${s.catalogTools} tools reachable through sentinel__find_tools`;
  const pinned = s.pinned.length > 0 ? `; pinned: ${s.pinned.join(', ')}` : '';
  const typos = s.unmatchedPins.length > 0 ? `; pin names no such tool: ${s.unmatchedPins.join(', ')}` : '';
  return `surface ${s.surface}: ${listed}, ~${format(s.tokens)} tokens (${s.reason})${pinned}${typos}`;
}
