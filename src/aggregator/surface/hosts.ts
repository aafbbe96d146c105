/**
 * The hosts whose tool surface mcp-sentinel fits, recognised from what `initialize` says (clientInfo, and
 * the capabilities kept for the record), and what each takes: how many tools, how many tokens of tool list,
 * how large a result. `settings.host` overrides the recognition; `settings.hosts.<host>` the limits.
 *
 * Limits (see the links): Cursor sent only the first 40 tools (docs.cursor.com "tool-quantity"; later a
 * warning at 80); VS Code / Copilot and the OpenAI API take 128 per request (microsoft/vscode#248021);
 * Claude Code defers tools past 10% of the context with its own tool search, pins tools marked
 * `_meta["anthropic/alwaysLoad"]`, caps descriptions and instructions at 2 KB, warns on results over 10,000
 * tokens and stops at 25,000 (MAX_MCP_OUTPUT_TOKENS).
 */
import { SURFACE_HOST_IDS as HOST_IDS } from '../../config/defaults.js';
import type { HostSurfaceSettings, Settings, SurfaceHostId } from '../../config/types.js';

export const SURFACE_HOST_IDS: readonly SurfaceHostId[] = HOST_IDS;

/** 10% of a 200k context: the share of the context a tool list may take before `auto` searches. */
export const DEFAULT_TOOL_TOKEN_BUDGET = 20_000;

export interface HostProfile {
  id: SurfaceHostId;
  displayName: string;
  /** Most tools the host uses; undefined: no known cap. */
  maxTools?: number;
  toolTokenBudget: number;
  /** Largest result the host takes whole, in tokens; undefined: no known limit. */
  maxResultTokens?: number;
  /** `auto` always lists everything: the host defers what does not fit itself (Claude Code). */
  defersTools: boolean;
}

export const HOST_PROFILES: Record<SurfaceHostId, HostProfile> = {
  'claude-desktop': {
    id: 'claude-desktop',
    displayName: 'Claude Desktop',
    toolTokenBudget: DEFAULT_TOOL_TOKEN_BUDGET,
    defersTools: false,
  },
  'claude-code': {
    id: 'claude-code',
    displayName: 'Claude Code',
    toolTokenBudget: DEFAULT_TOOL_TOKEN_BUDGET,
    maxResultTokens: 25_000,
    defersTools: true,
  },
  vscode: {
    id: 'vscode',
    displayName: 'VS Code',
    maxTools: 128,
    toolTokenBudget: DEFAULT_TOOL_TOKEN_BUDGET,
    defersTools: false,
  },
  'copilot-cli': {
    id: 'copilot-cli',
    displayName: 'Copilot CLI',
    maxTools: 128,
    toolTokenBudget: DEFAULT_TOOL_TOKEN_BUDGET,
    defersTools: false,
  },
  cursor: {
    id: 'cursor',
    displayName: 'Cursor',
    maxTools: 40,
    toolTokenBudget: DEFAULT_TOOL_TOKEN_BUDGET,
    defersTools: false,
  },
  other: {
    id: 'other',
    displayName: 'an unrecognised host',
    // The OpenAI API's cap: the strictest one most clients inherit.
    maxTools: 128,
    toolTokenBudget: DEFAULT_TOOL_TOKEN_BUDGET,
    defersTools: false,
  },
};

export interface ClientInfo {
  name?: unknown;
  title?: unknown;
  version?: unknown;
}

export interface HostSeen {
  host: SurfaceHostId;
  /** How it was decided, for doctor and the status resource. */
  because: string;
  clientInfo?: { name?: string; version?: string };
}

/** clientInfo names as hosts send them (lower-cased), to host ids. */
const CLIENT_NAMES: [RegExp, SurfaceHostId][] = [
  [/^claude-code$/, 'claude-code'],
  [/^claude-ai$|^claude desktop$/, 'claude-desktop'],
  [/^cursor/, 'cursor'],
  [/^github-copilot-developer$|^copilot[- ]cli$/, 'copilot-cli'],
  [/^visual studio code|^vscode/, 'vscode'],
];

export function isSurfaceHostId(value: unknown): value is SurfaceHostId {
  return typeof value === 'string' && (SURFACE_HOST_IDS as readonly string[]).includes(value);
}

/** The host in front of us: `settings.host` if set, else what clientInfo names, else "other". */
export function recognizeHost(
  clientInfo: ClientInfo | undefined,
  settings: Pick<Settings, 'host'>,
): HostSeen {
  const name = typeof clientInfo?.name === 'string' ? clientInfo.name : undefined;
  const version = typeof clientInfo?.version === 'string' ? clientInfo.version : undefined;
  const seen = name === undefined ? undefined : { name, version };
  if (settings.host) return { host: settings.host, because: 'settings.host', clientInfo: seen };
  for (const candidate of [name, clientInfo?.title]) {
    if (typeof candidate !== 'string') continue;
    const found = CLIENT_NAMES.find(([pattern]) => pattern.test(candidate.trim().toLowerCase()));
    if (found) return { host: found[1], because: `clientInfo "${candidate}"`, clientInfo: seen };
  }
  return {
    host: 'other',
    because: name === undefined ? 'no clientInfo' : `clientInfo "${name}" is not a known host`,
    clientInfo: seen,
  };
}

/** The host's profile with `settings.hosts.<host>` applied. */
export function profileFor(host: SurfaceHostId, settings: Pick<Settings, 'hosts'>): HostProfile {
  const base = HOST_PROFILES[host];
  const own: HostSurfaceSettings = settings.hosts?.[host] ?? {};
  return {
    ...base,
    ...(own.maxTools !== undefined && { maxTools: own.maxTools }),
    ...(own.toolTokenBudget !== undefined && { toolTokenBudget: own.toolTokenBudget }),
  };
}

/** The result limit for a host: its settings, then the global setting, then the host's own default. */
export function maxResultTokensFor(
  host: SurfaceHostId,
  settings: Pick<Settings, 'hosts' | 'maxResultTokens'>,
): number | undefined {
  return (
    settings.hosts?.[host]?.maxResultTokens ?? settings.maxResultTokens ?? HOST_PROFILES[host].maxResultTokens
  );
}
