/**
 * The one definition of the config's shape, in zod. Everything else is derived from it: the TypeScript
 * types (types.ts, type-only imports), and schemas/config.schema.json (`npm run schema`, json-schema.ts),
 * which editors complete from and the build precompiles into the validator that loading runs
 * (scripts/build-validator.mjs). A test fails when the committed schema file drifts from this one.
 *
 * Runtime code never imports this module (zod costs ~30 ms to load, before `initialize` could be
 * answered): it imports the types, and validates with the precompiled validator.
 *
 * Rules a JSON Schema cannot say with a plain keyword (which keys make an entry stdio or remote; which
 * auth fields go with which `type`) are written as zod unions and rendered as `if`/`then` by
 * json-schema.ts, so that the validator names the wrong key of the branch the user meant. A field that
 * holds a credential is made with `credential()`: the reference resolver redacts what it resolves to.
 */
import { z } from 'zod';
import { auth } from './definition-auth.js';
import { credential, int, text, stringMap } from './definition-parts.js';
import { idleTimeoutMs, settings, startMode } from './definition-settings.js';

export { auth, signingAlgorithm } from './definition-auth.js';
export {
  hostSurface,
  restart,
  settings,
  startMode,
  surfaceHostIds,
  surfaceMode,
} from './definition-settings.js';

const toolFilter = z
  .strictObject({ include: z.array(text()).optional(), exclude: z.array(text()).optional() })
  .meta({
    id: 'toolFilter',
    description: "Globs on the backend's own tool names; a call to a filtered tool is refused.",
  });

const pin = z.union([z.literal(true), z.array(text())]).meta({
  id: 'pin',
  description:
    "Tools always listed directly, also with the search surface (and marked alwaysLoad for Claude Code): the backend's own tool names, or true for all of this server's tools.",
});

/** The keys every entry has, stdio or remote. */
const commonServer = {
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,64}$/)
    .meta({
      id: 'prefix',
      description:
        'Public names become <prefix><separator><name>. Defaults to the server\'s key; "" exports names as they are.',
    })
    .optional(),
  tools: toolFilter.optional(),
  prompts: toolFilter
    .meta({ description: "Globs on the backend's prompt names: filtered prompts are not listed." })
    .optional(),
  resources: toolFilter
    .meta({
      description:
        "Globs on the backend's resource URIs and URI templates (** crosses /): filtered ones are not listed.",
    })
    .optional(),
  timeoutMs: int(100, 3_600_000)
    .meta({ id: 'timeoutMs' })
    .meta({ description: 'Per-request timeout for this backend.' })
    .optional(),
  disabled: z.boolean().optional().meta({ description: 'Keep the entry but do not start it.' }),
  description: z.string().optional().meta({ description: 'A note for people; not sent anywhere.' }),
  start: startMode.optional(),
  idleTimeoutMs: idleTimeoutMs.optional(),
  pin: pin.optional(),
};

export const stdioServer = z
  .strictObject({
    type: z.literal('stdio').optional(),
    command: text().meta({ description: 'Program to start; references allowed.' }),
    args: z.array(z.string()).optional(),
    env: stringMap
      .meta({ description: 'Variables for the child, on top of a minimal safe environment.' })
      .optional(),
    cwd: text().optional(),
    inheritEnv: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
      .optional()
      .meta({
        description: "Names of mcp-sentinel's own environment variables to pass through to the child.",
      }),
    allowSecretsInArgs: z.boolean().optional().meta({
      description:
        "Allow secret: references in args. Other local users can read a process's arguments; prefer env.",
    }),
    protocol: z.enum(['2026-07-28', '2025-11-25']).optional().meta({
      description:
        'The protocol revision to speak. Absent: each start asks the child for `server/discover` and speaks 2026-07-28 when it offers it, the 2025 era (`initialize`) otherwise (a server found to speak the 2025 era is not asked again); `2026-07-28` asks on every start; `2025-11-25` never asks.',
    }),
    ...commonServer,
  })
  .meta({ id: 'stdioServer' });

export const httpServer = z
  .strictObject({
    type: z.enum(['sse', 'streamable-http', 'http']).meta({
      description: 'Transport of a remote server; `http` is an alias of `streamable-http`.',
    }),
    url: text(),
    headers: z
      .record(z.string(), credential(z.string(), 'A header value; references allowed.'))
      .optional()
      .meta({ description: 'Static headers on every request; references allowed.' }),
    auth: auth.optional(),
    protocol: z.enum(['2026-07-28', '2025-11-25']).optional().meta({
      description:
        'The protocol revision to speak first: `2026-07-28` asks the server for it (`server/discover`) and falls back to the 2025 era when it does not offer it; `2025-11-25` never tries the 2026-07-28 revision. Absent: `initialize` first, and the 2026-07-28 revision when the server refuses it (Streamable HTTP only).',
    }),
    ...commonServer,
  })
  .meta({ id: 'httpServer' });

/** An entry with `command` is stdio; any other is remote (json-schema.ts renders it as if/then/else). */
export const server = z.union([stdioServer, httpServer]).meta({
  id: 'server',
  description:
    'An entry with `command` is a stdio child process; an entry with `url` needs `type`: sse or streamable-http.',
  selectBy: 'command',
});

export const config = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'Lets editors validate and complete this file.' }),
    settings: settings.optional(),
    mcpServers: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), server).meta({
      description: 'Backends by name. The name is the default prefix of their tools (github__create_issue).',
    }),
  })
  .meta({
    title: 'mcp-sentinel configuration',
    description:
      'Backends that mcp-sentinel connects to and re-exports to the desktop host as one MCP server.',
  });
