/**
 * Which surface a host gets: `all` (every tool) or `search` (meta-tools plus pinned tools), from
 * `settings.hosts.<host>.surface`, then `settings.surface`, then `auto`: `all` for a host that defers tools
 * itself (Claude Code), else `all` while the catalog fits the host's tool cap and token budget. Every
 * choice carries its reason, for doctor, `tools --host` and the status resource.
 */
import type { Settings, SurfaceMode } from '../../config/types.js';
import type { HostProfile } from './hosts.js';

export type Surface = 'all' | 'search';

export interface SurfaceChoice {
  surface: Surface;
  /** The mode as configured (and where), before `auto` was decided. */
  mode: SurfaceMode;
  reason: string;
  /** Tokens of the full tool list, when they were counted. */
  allTokens?: number;
}

export interface CatalogMeasure {
  tools: number;
  /** Tokens of the full tool list; only called when the decision needs it. */
  tokens: () => Promise<number>;
  /** Whether the full list surely fits the budget without counting (see tokens.ts surelyWithin). */
  surelyWithin: (budget: number) => boolean;
}

export async function chooseSurface(
  profile: HostProfile,
  settings: Pick<Settings, 'surface' | 'hosts'>,
  catalog: CatalogMeasure,
): Promise<SurfaceChoice> {
  const perHost = settings.hosts?.[profile.id]?.surface;
  const mode = perHost ?? settings.surface ?? 'auto';
  const where = perHost ? `settings.hosts.${profile.id}.surface` : 'settings.surface';
  if (mode !== 'auto') return { surface: mode, mode, reason: `${where} is "${mode}"` };
  if (profile.defersTools)
    return { surface: 'all', mode, reason: `${profile.displayName} defers tools with its own tool search` };
  const count = `${catalog.tools} tool${catalog.tools === 1 ? '' : 's'}`;
  if (profile.maxTools !== undefined && catalog.tools > profile.maxTools)
    return {
      surface: 'search',
      mode,
      reason: `${count} exceed ${profile.displayName}'s cap of ${profile.maxTools}`,
    };
  const budget = profile.toolTokenBudget;
  if (catalog.surelyWithin(budget))
    return { surface: 'all', mode, reason: `${count}, within ${withinText(profile)}` };
  const tokens = await catalog.tokens();
  if (tokens > budget)
    return {
      surface: 'search',
      mode,
      allTokens: tokens,
      reason: `the tool list (~${format(tokens)} tokens) exceeds the budget of ${format(budget)} tokens`,
    };
  return {
    surface: 'all',
    mode,
    allTokens: tokens,
    reason: `${count} of ~${format(tokens)} tokens, within ${withinText(profile)}`,
  };
}

function withinText(profile: HostProfile): string {
  const budget = `${format(profile.toolTokenBudget)} tokens`;
  return profile.maxTools === undefined
    ? `the budget of ${budget}`
    : `${profile.displayName}'s cap of ${profile.maxTools} tools and the budget of ${budget}`;
}

/**
 * A count the way `toLocaleString('en-US')` writes it ("20,000"). Whole numbers are grouped here: the first
 * `toLocaleString` of a process sets up ICU's number formatting (~10 ms), and `serve` writes these reasons
 * on every start.
 */
export function format(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}
