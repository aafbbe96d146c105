/**
 * `mcp-sentinel login [NAME...]` and `logout NAME`: signing in to remote servers (OAuth authorization code
 * with PKCE, the MCP authorization spec) and forgetting a sign-in.
 *
 * `login` runs a normal session start against each server (initialize, then the lists), so it signs in
 * whenever the server asks, at any point of it; the authorization URL is printed and opened in the browser
 * (`--no-browser`: printed only). Tokens go to the OS keychain; nothing is written to a file.
 * Exit code: 0 when every named server is signed in or needs no sign-in, 1 otherwise.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createAuthStrategy, type SignInStrategy } from '../../auth/index.js';
import type { SignInSession, SignInNeed } from '../../auth/signin/session.js';
import type { HttpServerConfig, ServerConfig } from '../../config/types.js';
import { isStdioServer } from '../../config/types.js';
import { SentinelError, describeError } from '../../errors.js';
import { log, redact } from '../../log.js';
import { loadRemoteSdk } from '../../backends/remote-sdk.js';
import { resolveServerRefs } from '../../refs/resolve.js';
import { VERSION } from '../../version.js';
import { openBrowser } from '../browser.js';
import { loadRuntime, type CommonOptions, type Runtime } from '../runtime.js';

export interface LoginOptions extends CommonOptions {
  names: string[];
  browser: boolean;
}

type Outcome = 'signed-in' | 'already' | 'not-needed' | 'failed';

export async function login(options: LoginOptions): Promise<number> {
  const runtime = await loadRuntime(options);
  const servers = runtime.loaded.config.mcpServers;
  const names =
    options.names.length > 0 ? options.names : Object.keys(servers).filter((n) => wantsLogin(servers[n]));
  for (const name of options.names) {
    if (!servers[name]) {
      throw new SentinelError('USAGE', `no server named "${name}" in ${runtime.loaded.path}`, {
        hint: `servers: ${Object.keys(servers).join(', ') || '(none)'}`,
      });
    }
  }
  if (names.length === 0) {
    out('no remote server in the config can sign in');
    return 0;
  }
  let failed = 0;
  // One after the other: each may open a browser and wait for the user.
  for (const name of names) {
    const outcome = await loginOne(name, servers[name] as ServerConfig, runtime, options);
    if (outcome === 'failed') failed++;
  }
  return failed > 0 ? 1 : 0;
}

function wantsLogin(server: ServerConfig | undefined): boolean {
  if (!server || isStdioServer(server) || server.disabled) return false;
  return server.auth === undefined || server.auth.type === 'oauth';
}

async function loginOne(
  name: string,
  raw: ServerConfig,
  runtime: Runtime,
  options: LoginOptions,
): Promise<Outcome> {
  if (isStdioServer(raw)) {
    out(`${name} is a local (stdio) server: it needs no sign-in`);
    return 'not-needed';
  }
  let strategy: SignInStrategy | undefined;
  let signedIn = false;
  try {
    const server = await resolve(name, raw, runtime);
    const auth = server.auth;
    if (auth && auth.type !== 'oauth') {
      out(
        `${name} uses ${auth.type === 'oauth2' ? 'client-credentials' : auth.type} credentials from the config: it needs no sign-in`,
      );
      return 'not-needed';
    }
    const onSignIn = async (need: SignInNeed, session: SignInSession) => {
      const token = await session.signIn((url) => show(name, url, options.browser), need);
      signedIn = true;
      return token;
    };
    strategy = createAuthStrategy(server, {
      backend: name,
      log: log.child(name),
      clientMetadataUrl: runtime.loaded.settings.clientMetadataUrl,
      onSignIn,
    }) as SignInStrategy;
    await strategy.session.load().catch(() => undefined);
    const pending = strategy.session.record?.pendingScopes;
    if (pending?.length) await onSignIn({ reason: 'insufficient-scope', scopes: pending }, strategy.session);
    await sessionStart(server, strategy);
  } catch (error) {
    const message = redact(describeError(error));
    err(`${name}: ${signedIn ? 'signed in, but the session start failed' : 'sign-in failed'}: ${message}`);
    if (error instanceof SentinelError && error.hint) err(`  hint: ${redact(error.hint)}`);
    return 'failed';
  }
  if (!strategy.engaged) {
    out(`${name} needs no sign-in`);
    return 'not-needed';
  }
  out(
    `${signedIn ? 'signed in to' : 'already signed in to'} ${name} (${summary(strategy.session.describe())})`,
  );
  return signedIn ? 'signed-in' : 'already';
}

async function resolve(name: string, raw: HttpServerConfig, runtime: Runtime): Promise<HttpServerConfig> {
  const result = await resolveServerRefs(raw, `mcpServers.${name}`, {
    env: runtime.env,
    secrets: runtime.secrets,
  });
  const first = result.issues[0];
  if (!result.server || first) {
    throw new SentinelError(
      'REF_UNRESOLVED',
      first ? `${first.path}: ${first.message}` : 'references could not be resolved',
      {
        hint: first?.hint,
        issues: result.issues,
      },
    );
  }
  return result.server as HttpServerConfig;
}

/** initialize, then every list the server offers: where a server may ask for authorization. */
async function sessionStart(server: HttpServerConfig, strategy: SignInStrategy): Promise<void> {
  const sdk = await loadRemoteSdk();
  const url = new URL(server.url);
  const fetch = strategy.fetch;
  const transport: Transport =
    server.type === 'sse'
      ? new sdk.SSEClientTransport(url, { fetch, eventSourceInit: { fetch } })
      : new sdk.StreamableHTTPClientTransport(url, { fetch });
  const client = new Client({ name: 'mcp-sentinel-login', version: VERSION });
  try {
    await client.connect(transport);
    const capabilities = client.getServerCapabilities() ?? {};
    if (capabilities.tools) await client.listTools();
    if (capabilities.prompts) await client.listPrompts();
    if (capabilities.resources) await client.listResources();
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function show(name: string, url: string, browser: boolean): Promise<void> {
  err(`To sign in to ${name}, open this URL in a browser:\n\n  ${url}\n`);
  if (!browser) return;
  if (!(await openBrowser(url))) err('(no browser could be started: open the URL above yourself)');
}

function summary(info: Record<string, unknown>): string {
  const scopes =
    Array.isArray(info.scopes) && info.scopes.length > 0 ? `scopes ${info.scopes.join(' ')}` : 'no scopes';
  const refresh = info.refreshAvailable ? 'refresh available' : 'no refresh token';
  const expiry = typeof info.expiresAt === 'string' ? `, expires ${info.expiresAt}` : '';
  return `${scopes}, ${refresh}${expiry}`;
}

export async function logout(options: CommonOptions & { name: string }): Promise<number> {
  const runtime = await loadRuntime(options);
  const raw = runtime.loaded.config.mcpServers[options.name];
  if (!raw) {
    throw new SentinelError('USAGE', `no server named "${options.name}" in ${runtime.loaded.path}`);
  }
  if (isStdioServer(raw)) {
    out(`${options.name} is a local (stdio) server: there is no sign-in to forget`);
    return 0;
  }
  const server = await resolve(options.name, raw, runtime);
  const strategy = createAuthStrategy(
    server.auth?.type === 'oauth' ? server : { ...server, auth: undefined },
    {
      backend: options.name,
      log: log.child(options.name),
      clientMetadataUrl: runtime.loaded.settings.clientMetadataUrl,
    },
  ) as Partial<SignInStrategy>;
  if (!strategy.session) {
    out(`${options.name} uses credentials from the config: there is no sign-in to forget`);
    return 0;
  }
  const { removed, revoked } = await strategy.session.signOut();
  out(
    removed
      ? `signed out of ${options.name}${revoked ? ' (tokens revoked at the authorization server)' : ''}`
      : `${options.name} was not signed in`,
  );
  return 0;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function err(line: string): void {
  process.stderr.write(`${line}\n`);
}
