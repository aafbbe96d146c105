/**
 * `mcp-sentinel login [NAME...]`: signing in to remote servers (OAuth authorization code with PKCE, the
 * MCP authorization spec); `logout NAME` is logout.ts.
 *
 * `login` runs a normal session start against each server (initialize, then the lists), so it signs in
 * whenever the server asks, at any point of it; the authorization URL is printed and opened in the browser
 * (`--no-browser`: printed only). Tokens go to the OS keychain; nothing is written to a file.
 * Exit code: 0 when every named server is signed in or needs no sign-in, 1 otherwise.
 */
import { createAuthStrategy, type SignInHandler, type SignInStrategy } from '../../auth/index.js';
import type { SignInSession } from '../../auth/signin/session.js';
import type { HttpServerConfig, ResolvedHttpServerConfig, ServerConfig } from '../../config/types.js';
import { isStdioServer } from '../../config/types.js';
import { SentinelError, describeError } from '../../errors.js';
import { log, redact } from '../../log.js';
import { NO_HOST } from '../../backends/deps.js';
import { BackendManager } from '../../backends/manager.js';
import { resolveServerRefs } from '../../refs/resolve.js';
import { openBrowser } from '../../auth/signin/browser.js';
import { loginIdp, signsInToIdp } from './login-idp.js';
import { backendDeps, loadRuntime, type CommonOptions, type Runtime } from '../runtime.js';

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
  return server.auth === undefined || server.auth.type === 'oauth' || signsInToIdp(server);
}

/** Long enough for a user in a browser (the loopback listener gives up after 5 minutes). */
const LOGIN_WAIT_MS = 6 * 60_000;

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
  if (signsInToIdp(raw)) return loginIdp(name, raw, runtime, options.browser, { resolve, show, failed });
  if (raw.auth && raw.auth.type !== 'oauth') {
    const kind = raw.auth.type === 'oauth2' ? 'client-credentials' : raw.auth.type;
    out(`${name} uses ${kind} credentials from the config: it needs no sign-in`);
    return 'not-needed';
  }
  let signedIn = false;
  const onSignIn: SignInHandler = async (need, session) => {
    const token = await session.signIn((url) => show(name, url, options.browser), need);
    signedIn = true;
    return token;
  };
  // A step-up that `serve` could not complete asks for more scope: sign in for it before connecting.
  try {
    const pending = await pendingSignIn(name, raw, runtime);
    if (pending) await onSignIn({ reason: 'insufficient-scope', scopes: pending.scopes }, pending.session);
  } catch (error) {
    return failed(name, error, false);
  }
  // The normal session start of the backend layer (initialize or discover, then the lists), patient.
  const settings = {
    ...runtime.loaded.settings,
    startupTimeoutMs: LOGIN_WAIT_MS,
    requestTimeoutMs: LOGIN_WAIT_MS,
  };
  const patient: Runtime = { ...runtime, loaded: { ...runtime.loaded, settings } };
  const manager = new BackendManager(runtime.loaded.config, backendDeps(patient, NO_HOST, { onSignIn }), [
    name,
  ]);
  try {
    await manager.startAll();
    const backend = manager.get(name);
    if (!backend || backend.state !== 'ready') return failed(name, backend?.error, signedIn);
    const info = backend.authDescription?.signIn as Record<string, unknown> | undefined;
    if (!info) {
      out(`${name} needs no sign-in`);
      return 'not-needed';
    }
    out(`${signedIn ? 'signed in to' : 'already signed in to'} ${name} (${summary(info)})`);
    return signedIn ? 'signed-in' : 'already';
  } finally {
    await manager.stopAll();
  }
}

function failed(name: string, error: unknown, signedIn: boolean): 'failed' {
  const message = redact(error ? describeError(error) : 'the server could not be reached');
  err(`${name}: ${signedIn ? 'signed in, but the session start failed' : 'sign-in failed'}: ${message}`);
  if (error instanceof SentinelError && error.hint) err(`  hint: ${redact(error.hint)}`);
  return 'failed';
}

/** The scopes a refused step-up left for `login`, with the session to sign in with; undefined when none. */
async function pendingSignIn(
  name: string,
  raw: HttpServerConfig,
  runtime: Runtime,
): Promise<{ scopes: string[]; session: SignInSession } | undefined> {
  const server = await resolve(name, raw, runtime);
  const strategy = createAuthStrategy(server, {
    backend: name,
    log: log.child(name),
    clientMetadataUrl: runtime.loaded.settings.clientMetadataUrl,
  }) as Partial<SignInStrategy>;
  if (!strategy.session) return undefined;
  await strategy.session.load().catch(() => undefined);
  const scopes = strategy.session.record?.pendingScopes;
  return scopes?.length ? { scopes, session: strategy.session } : undefined;
}

/** `raw` with its references resolved, or the first problem as an error (login and logout). */
export async function resolve(
  name: string,
  raw: HttpServerConfig,
  runtime: Runtime,
): Promise<ResolvedHttpServerConfig> {
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
  return result.server as ResolvedHttpServerConfig;
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

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function err(line: string): void {
  process.stderr.write(`${line}\n`);
}
