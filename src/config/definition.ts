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
import { DEFAULT_RESTART, DEFAULT_SETTINGS } from './defaults.js';

/** Marks a field whose value is a credential (JSON Schema's `writeOnly`: sent, never shown back). */
function credential<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description, writeOnly: true });
}

const text = () => z.string().min(1);
const int = (minimum: number, maximum: number) => z.int().min(minimum).max(maximum);
const stringMap = z.record(z.string(), z.string()).meta({ id: 'stringMap' });

// ---- settings ---------------------------------------------------------------------------------------

export const surfaceHostIds = [
  'claude-desktop',
  'claude-code',
  'vscode',
  'copilot-cli',
  'cursor',
  'other',
] as const;

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

// ---- auth -------------------------------------------------------------------------------------------

export const signingAlgorithm = z
  .enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])
  .meta({
    description:
      'JWS algorithm of the client assertion; defaults from the key (RS256, ES256/ES384/ES512, EdDSA).',
  });

const scopes = z.array(text());
const tokenAuthMethod = z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);

/** The fields every machine-credential grant shares: where its tokens come from, and the client. */
const grantEndpoint = {
  tokenUrl: text().optional(),
  issuer: text().optional(),
  clientId: text().optional(),
  clientSecret: credential(text(), 'Use secret:NAME and `mcp-sentinel secrets set NAME`.').optional(),
  scopes: scopes.optional(),
  audience: text().optional(),
  resource: text().optional(),
  tokenEndpointAuthMethod: tokenAuthMethod.optional(),
  privateKey: credential(
    text(),
    'PEM private key for private_key_jwt: use secret:NAME and `mcp-sentinel secrets set NAME < key.pem`.',
  ).optional(),
  signingAlgorithm: signingAlgorithm.optional(),
  allowDiscoveredIssuer: z.boolean().optional().meta({
    description:
      'Send the credentials to an authorization server found by discovery that no tokenUrl or issuer pins.',
  }),
};

/** With `private_key_jwt` the client authenticates with `privateKey`; `otherwise` is the rule without. */
function keyRule(otherwise?: object) {
  return {
    allOf: [
      {
        if: {
          required: ['tokenEndpointAuthMethod'],
          properties: { tokenEndpointAuthMethod: { const: 'private_key_jwt' } },
        },
        then: { required: ['privateKey'] },
        ...(otherwise ? { else: otherwise } : {}),
      },
    ],
  };
}

const noAuth = z.strictObject({ type: z.literal('none') });

const staticAuth = z.strictObject({
  type: z.literal('static'),
  headers: z
    .record(z.string(), credential(z.string(), 'A credential header value, normally secret:NAME.'))
    .meta({ minProperties: 1, description: 'Headers that carry the credential, e.g. X-Api-Key.' }),
});

/** Machine tokens (client credentials grant); `client-credentials` is the clearer name for `oauth2`. */
const clientCredentialsAuth = z
  .strictObject({
    type: z.enum(['oauth2', 'client-credentials']),
    ...grantEndpoint,
    clientId: text(),
  })
  .meta(keyRule({ required: ['clientSecret'] }));

/** RFC 7523 §2.1 JWT-bearer grant: a workload's JWT (workload identity federation). */
const jwtBearerAuth = z
  .strictObject({
    type: z.literal('jwt-bearer'),
    ...grantEndpoint,
    assertion: credential(
      text(),
      'The workload JWT (a reference such as ${WORKLOAD_JWT}); or assertionFile.',
    ).optional(),
    assertionFile: text().optional().meta({
      description: 'Absolute path of a file holding the workload JWT, read again for every token request.',
    }),
  })
  .meta(keyRule());

/** RFC 8693 token exchange: one exchanged token per backend. */
const tokenExchangeAuth = z
  .strictObject({
    type: z.literal('token-exchange'),
    ...grantEndpoint,
    subjectToken: z
      .union([
        credential(text(), 'The token to exchange, normally secret:NAME.'),
        z.strictObject({
          signIn: text().meta({
            description:
              'An oauth entry of this config: its signed-in access token (mcp-sentinel login <entry>).',
          }),
        }),
      ])
      .meta({
        description:
          'The token to exchange (normally secret:NAME), or {"signIn": "<entry>"} for the access token of that oauth entry\'s sign-in.',
      }),
    subjectTokenType: text().meta({
      description: 'RFC 8693 token type URI of subjectToken, e.g. urn:ietf:params:oauth:token-type:id_token.',
    }),
    actorToken: credential(text(), 'Optional RFC 8693 actor token (normally a reference).').optional(),
    actorTokenType: text().optional().meta({ description: 'Token type URI of actorToken.' }),
    requestedTokenType: text().optional().meta({
      description: 'Token type URI to ask for, e.g. urn:ietf:params:oauth:token-type:access_token.',
    }),
  })
  .meta(keyRule());

/** The identity provider of enterprise-managed authorization. */
const idp = z.strictObject({
  issuer: text().meta({ description: 'The identity provider issuer (pinned).' }),
  tokenEndpoint: text().optional().meta({
    description: 'The identity provider token endpoint; found from the issuer metadata when omitted.',
  }),
  clientId: text().meta({ description: 'This client at the identity provider.' }),
  clientSecret: credential(
    text(),
    'Optional client secret at the identity provider (client_secret_basic): use secret:NAME.',
  ).optional(),
  idToken: credential(
    text(),
    'The user ID token to exchange for an ID-JAG (normally secret:NAME); without it the user signs in to the identity provider: mcp-sentinel login NAME.',
  ).optional(),
  scopes: scopes.optional().meta({
    description:
      'Scopes asked for at sign-in besides openid (and offline_access when the identity provider lists it).',
  }),
  redirectPort: int(1024, 65535).optional().meta({
    description:
      'Fixed loopback port of the sign-in redirect URI (for a client registered with one); ephemeral otherwise.',
  }),
});

/** SEP-990 enterprise-managed authorization: ID token → ID-JAG at the IdP → access token at the AS. */
const { audience: _noAudience, ...enterpriseEndpoint } = grantEndpoint;
const enterpriseAuth = z
  .strictObject({
    type: z.literal('enterprise'),
    ...enterpriseEndpoint,
    clientId: text(),
    idp,
  })
  .meta(keyRule());

/** User sign-in (authorization code + PKCE, the MCP authorization spec); every field is optional. */
const signInAuth = z.strictObject({
  type: z.literal('oauth'),
  clientId: text()
    .optional()
    .meta({ description: 'A client registered in advance with the authorization server.' }),
  clientSecret: credential(
    text(),
    'The pre-registered client secret: use secret:NAME and `mcp-sentinel secrets set NAME`.',
  ).optional(),
  clientMetadataUrl: text().optional().meta({
    description:
      'An https URL of a Client ID Metadata Document, used as client_id where the server supports it.',
  }),
  scopes: scopes.optional(),
  issuer: text().optional().meta({ description: 'Pin the authorization server.' }),
  redirectPort: int(1024, 65535).optional().meta({
    description:
      'A fixed loopback port for the redirect (http://127.0.0.1:PORT/callback), for pre-registered redirect URIs.',
  }),
  resource: z
    .union([text(), z.literal(false)])
    .optional()
    .meta({
      description: 'The RFC 8707 resource to request; false omits the parameter for servers that reject it.',
    }),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  allowDiscoveredIssuer: z.boolean().optional().meta({
    description: 'Send the client secret to an authorization server found by discovery.',
  }),
});

export const auth = z
  .discriminatedUnion('type', [
    noAuth,
    staticAuth,
    clientCredentialsAuth,
    jwtBearerAuth,
    tokenExchangeAuth,
    enterpriseAuth,
    signInAuth,
  ])
  .meta({ id: 'auth' });

// ---- servers ----------------------------------------------------------------------------------------

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
