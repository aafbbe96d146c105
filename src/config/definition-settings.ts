/** The `settings` block of the config definition (definition.ts): limits, timeouts, surface, restarts. */
import { z } from 'zod';
import { DEFAULT_RESTART, DEFAULT_SETTINGS, SURFACE_HOST_IDS } from './defaults.js';
import { int, text } from './definition-parts.js';

export const surfaceHostIds = SURFACE_HOST_IDS;

export const startMode = z.enum(['lazy', 'eager']).meta({
  id: 'startMode',
  description:
    'lazy: a backend whose tools are in the manifest cache starts on its first request (one with no cache entry starts at once); eager: it starts with mcp-sentinel.',
});

export const idleTimeoutMs = int(0, 86_400_000).meta({
  id: 'idleTimeoutMs',
  description:
    'Stop the backend after this many milliseconds without traffic; it starts again on the next request. 0 (the default) never stops it.',
});

// The default is documentation for editors: an absent surface is read as `auto` where it is used, so that
// a per-host `surface` can tell "not set" from "auto".
export const surfaceMode = z.enum(['auto', 'all', 'search']).meta({
  id: 'surfaceMode',
  default: 'auto',
  description:
    "all: every tool listed; search: sentinel__find_tools and sentinel__call_tool plus pinned tools; auto: all while the catalog fits the host's tool cap and token budget (Claude Code: always all), search otherwise.",
});

export const hostSurface = z
  .strictObject({
    surface: surfaceMode.optional(),
    maxTools: int(1, 10_000)
      .optional()
      .meta({ description: 'Most tools this host takes; auto switches to search above it.' }),
    toolTokenBudget: int(100, 10_000_000).optional().meta({
      description:
        'Most tokens the tool list may cost; auto switches to search above it (default 20000: 10% of a 200k context).',
    }),
    maxResultTokens: int(100, 10_000_000)
      .optional()
      .meta({ description: 'As settings.maxResultTokens, for this host.' }),
  })
  .meta({ id: 'hostSurface' });

export const restart = z
  .strictObject({
    initialDelayMs: int(10, 600_000).default(DEFAULT_RESTART.initialDelayMs),
    maxDelayMs: int(10, 3_600_000).default(DEFAULT_RESTART.maxDelayMs),
    maxRestarts: int(0, 1_000).default(DEFAULT_RESTART.maxRestarts),
    windowMs: int(1_000, 86_400_000).default(DEFAULT_RESTART.windowMs),
  })
  .meta({ description: 'How backends that exit or drop their connection are restarted.' });

export const settings = z
  .strictObject({
    separator: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,4}$/)
      .default(DEFAULT_SETTINGS.separator)
      .meta({ description: "Between a backend's prefix and its tool or prompt name." }),
    maxToolNameLength: int(16, 128).default(DEFAULT_SETTINGS.maxToolNameLength).meta({
      description:
        'Longest public tool name. Claude rejects names over 64 characters; Cursor caps server plus tool at 60.',
    }),
    startupTimeoutMs: int(100, 600_000).default(DEFAULT_SETTINGS.startupTimeoutMs).meta({
      description: 'How long the first list request waits for backends before answering with what is ready.',
    }),
    requestTimeoutMs: int(100, 3_600_000).default(DEFAULT_SETTINGS.requestTimeoutMs).meta({
      description: 'Default per-request timeout toward a backend; progress notifications reset it.',
    }),
    maxResponseBytes: int(1024, 1_073_741_824).default(DEFAULT_SETTINGS.maxResponseBytes).meta({
      description:
        'Largest response body read from a remote backend (32 MiB by default); a longer one is cut off and its request fails.',
    }),
    hostStallTimeoutMs: int(1_000, 3_600_000).default(DEFAULT_SETTINGS.hostStallTimeoutMs).meta({
      description:
        "How long the host may leave mcp-sentinel's output unread before it counts as gone and mcp-sentinel shuts down.",
    }),
    stopGraceMs: int(100, 60_000).default(DEFAULT_SETTINGS.stopGraceMs).meta({
      description:
        'How long a stdio backend gets to exit once its stdin is closed, and again after SIGTERM, before it and its child processes are killed.',
    }),
    restart: restart.optional(),
    start: startMode.default(DEFAULT_SETTINGS.start),
    idleTimeoutMs: idleTimeoutMs.default(DEFAULT_SETTINGS.idleTimeoutMs),
    host: z.enum(surfaceHostIds).optional().meta({
      description: 'Fit the tool surface to this host instead of the one that initialize names (clientInfo).',
    }),
    surface: surfaceMode.optional(),
    maxResultTokens: int(100, 10_000_000).optional().meta({
      description:
        "A tool result over this many tokens is kept whole as the resource sentinel://results/<id> and returned as its head plus a resource_link. Default: the host's own limit (Claude Code: 25000), none for other hosts.",
    }),
    hosts: z
      .strictObject(
        Object.fromEntries(surfaceHostIds.map((id) => [id, hostSurface.optional()])) as Record<
          (typeof surfaceHostIds)[number],
          z.ZodOptional<typeof hostSurface>
        >,
      )
      .optional()
      .meta({ description: 'The surface and its limits per host.' }),
    clientMetadataUrl: text().optional().meta({
      description:
        'An https URL of a Client ID Metadata Document to use as client_id when signing in to servers that support it (for every oauth backend without its own).',
    }),
  })
  .meta({ id: 'settings' });
