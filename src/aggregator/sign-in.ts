/**
 * Signing in from inside `serve`, where a backend needs it (no token, a refused refresh, more scope): never
 * a browser that opens unattended, never a silent absence.
 * - The backend's requests fail at once with AUTH_SIGNIN_REQUIRED, whose hint names what to do.
 * - A host that declared URL-mode elicitation is asked (`elicitation/create`, `mode: "url"`) once per
 *   backend and kind of need; after a decline it is not asked again for that need this session.
 * - Otherwise the tool `sentinel__sign_in` (listed only while some backend needs sign-in, `server` an
 *   enum of those backends) opens the browser the way `login` does and returns the URL.
 * A completed sign-in reconnects the backend: its tools appear (tools/list_changed); a host asked by URL
 * elicitation then gets `notifications/elicitation/complete` with that elicitation's id. A sign-in made
 * elsewhere (`mcp-sentinel login` in another terminal, another serve) counts as well: its notice
 * (auth/sign-in-notices.ts) is watched while the backend waits, and looked at on tools/list and on a
 * `sentinel__sign_in` call. A config reload that removes a backend, or replaces it, takes its need away (a
 * replaced one that still needs sign-in asks again).
 */
import { randomUUID } from 'node:crypto';
import type { SignInHandler } from '../auth/signin/strategy.js';
import type { SignInNeed, SignInSession } from '../auth/signin/session.js';
import type { NoticeWatch } from '../auth/sign-in-notices.js';
import type { BackendManager } from '../backends/manager.js';
import type { HostBridge } from '../backends/types.js';
import { openBrowser } from '../auth/signin/browser.js';
import { SentinelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { OwnTool } from './own-tools.js';
import type { Aggregator } from './server.js';

export const SIGN_IN_TOOL = 'sentinel__sign_in';

interface Need {
  session: SignInSession;
  need: SignInNeed;
  running?: Promise<void>;
  /** The authorization URL of the sign-in in progress. */
  url?: string;
  /** The notice of a sign-in to this backend's server made elsewhere, watched while it waits. */
  elsewhere?: NoticeWatch;
  /** The keychain looks after such notices, one after the other. */
  rechecking?: Promise<void>;
}

export interface SignInCoordinator {
  onSignIn: SignInHandler;
  attach(aggregator: Aggregator, manager: BackendManager): void;
}

export function createSignInCoordinator(options: { log: Logger; host: HostBridge }): SignInCoordinator {
  const signIns = new SignIns(options);
  return {
    onSignIn: (need, session) => signIns.onSignIn(need, session),
    attach: (aggregator, manager) => signIns.attach(aggregator, manager),
  };
}

/** The backends that need sign-in now, and the sign-ins in progress. */
class SignIns {
  readonly needs = new Map<string, Need>();
  private readonly declined = new Set<string>();
  private aggregator?: Aggregator;
  private manager?: BackendManager;

  constructor(private readonly options: { log: Logger; host: HostBridge }) {}

  private listChanged(): void {
    void this.aggregator?.server.sendToolListChanged().catch(() => undefined);
  }

  /** A need is gone: its notice is no longer watched. */
  private drop(name: string): void {
    this.needs.get(name)?.elsewhere?.close();
    this.needs.delete(name);
  }

  /**
   * Runs one sign-in for `name` with `open` showing the URL; reconnects the backend when it succeeds, then
   * calls `done`.
   */
  run(name: string, entry: Need, open: (url: string) => Promise<void>, done?: () => void): Promise<void> {
    entry.running ??= entry.session
      .signIn((url) => {
        entry.url = url;
        return open(url);
      }, entry.need)
      .then(async () => {
        this.drop(name);
        this.listChanged();
        this.options.log.info(`signed in to ${name}`);
        await this.manager?.get(name)?.reconnect();
        done?.();
      })
      .catch((error: unknown) => {
        this.options.log.warn(
          `sign-in to ${name} did not complete: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        entry.running = undefined;
        entry.url = undefined;
      });
    return entry.running;
  }

  private elicit(name: string, entry: Need): void {
    // After a decline the same need is not asked again; a new one (step-up, another server) may be.
    const key = `${name}:${entry.need.reason}`;
    const url = this.options.host.capabilities()?.elicitation as Record<string, unknown> | undefined;
    if (!url?.url || this.declined.has(key) || entry.running) return;
    const elicitationId = randomUUID();
    const ask = async (authorizationUrl: string) => {
      const result = await this.options.host.request(
        'elicitation/create',
        {
          mode: 'url',
          message: `Sign in to ${name} to use its tools.`,
          url: authorizationUrl,
          elicitationId,
        },
        AbortSignal.timeout(5 * 60_000),
      );
      if (result.action !== 'accept') {
        this.declined.add(key);
        throw new Error(`the sign-in to ${name} was ${String(result.action ?? 'declined')}`);
      }
    };
    // Only after a sign-in that succeeded (so the host accepted), once the tools are there: the host ends
    // its "waiting for the browser" (MCP 2025-11-25).
    const completed = () =>
      this.aggregator?.host.notify('notifications/elicitation/complete', { elicitationId });
    void this.run(name, entry, ask, completed);
  }

  /** Looks at the sign-in notices of the backends that wait (the watch may not have fired yet). */
  look(name?: string): Promise<void> {
    const entries = name ? [this.needs.get(name)] : [...this.needs.values()];
    return Promise.all(
      entries.map(async (entry) => {
        await entry?.elsewhere?.check();
        await entry?.rechecking;
      }),
    ).then(() => undefined);
  }

  /** A notice changed: the user may have signed in elsewhere. Looks, after any look still running. */
  private recheck(name: string, entry: Need): void {
    const previous = entry.rechecking ?? Promise.resolve();
    const next = previous
      .then(() => this.adopt(name, entry))
      .catch((error: unknown) => {
        this.options.log.warn(
          `could not use the sign-in to ${name} made elsewhere: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    entry.rechecking = next;
    void next.finally(() => {
      if (entry.rechecking === next) entry.rechecking = undefined;
    });
  }

  /** A token in the keychain now is a sign-in made elsewhere: the backend is tried again with it. */
  private async adopt(name: string, entry: Need): Promise<void> {
    if (entry.running || this.needs.get(name) !== entry) return;
    const token = await entry.session.load(true).catch(() => undefined);
    if (!token || entry.running || this.needs.get(name) !== entry) return;
    this.drop(name);
    this.listChanged();
    this.options.log.info(`signed in to ${name} elsewhere: connecting with the new sign-in`);
    await this.manager?.get(name)?.reconnect();
  }

  async onSignIn(need: SignInNeed, session: SignInSession): Promise<never> {
    const name = session.target.backend;
    const fresh = !this.needs.has(name);
    const entry: Need = this.needs.get(name) ?? { session, need };
    entry.need = need;
    entry.session = session;
    this.needs.set(name, entry);
    if (fresh) {
      entry.elsewhere = session.watchSignIns(() => this.recheck(name, entry));
      this.listChanged();
    }
    this.elicit(name, entry);
    const why =
      need.reason === 'refresh-refused'
        ? ' again: the authorization server refused to refresh the token'
        : need.scopes?.length
          ? ` (it asks for scope ${need.scopes.join(' ')})`
          : '';
    throw new SentinelError('AUTH_SIGNIN_REQUIRED', `backend "${name}" needs sign-in${why}`, {
      hint: `run: mcp-sentinel login ${name} (or ask the assistant to call ${SIGN_IN_TOOL})`,
      permanent: true,
    });
  }

  attach(aggregator: Aggregator, manager: BackendManager): void {
    this.aggregator = aggregator;
    this.manager = manager;
    aggregator.own.defineTool(signInTool(this));
    manager.on('reconfigured', (diff) => this.forget([...diff.removed, ...diff.changed]));
  }

  /**
   * The needs of backends a reload removed or replaced (a sign-in already running finishes for the new one),
   * and their declines: a replaced backend is asked like one present at start.
   */
  private forget(names: string[]): void {
    for (const key of [...this.declined]) {
      if (names.some((name) => key.startsWith(`${name}:`))) this.declined.delete(key);
    }
    const gone = names.filter((name) => {
      const entry = this.needs.get(name);
      if (!entry || (entry.running && this.manager?.get(name))) return false;
      this.drop(name);
      return true;
    });
    if (gone.length > 0) this.listChanged();
  }
}

/** `sentinel__sign_in`: listed while some backend needs sign-in, its `server` an enum of those backends. */
function signInTool(signIns: SignIns): OwnTool {
  const { needs } = signIns;
  return {
    // A getter: the enum is the backends that need sign-in now.
    get definition() {
      return {
        name: SIGN_IN_TOOL,
        description:
          'Sign in to a remote MCP server that needs it: opens the sign-in page in the browser and returns its URL.',
        inputSchema: {
          type: 'object' as const,
          properties: { server: { type: 'string', enum: [...needs.keys()] } },
          required: ['server'],
        },
      };
    },
    listed: () => {
      // A sign-in elsewhere that the notice watch did not report yet is found here; tools/list_changed follows.
      if (needs.size > 0) void signIns.look();
      return needs.size > 0;
    },
    call: async (args) => {
      const name = typeof args.server === 'string' ? args.server : '';
      if (needs.has(name)) await signIns.look(name);
      const entry = needs.get(name);
      if (!entry) {
        return {
          content: [{ type: 'text', text: `${name || 'that server'} does not need sign-in` }],
          isError: !name,
        };
      }
      if (entry.running) {
        const text = `A sign-in to ${name} is in progress${entry.url ? `: ${entry.url}` : ''}`;
        return { content: [{ type: 'text', text }] };
      }
      // Undefined when the sign-in ended before it had a page to open (discovery failed, say): the call is
      // answered either way.
      const url = await new Promise<string | undefined>((resolve) => {
        void signIns
          .run(name, entry, async (url) => {
            resolve(url);
            await openBrowser(url);
          })
          .finally(() => resolve(undefined));
      });
      if (url === undefined) {
        const text = `The sign-in to ${name} could not start; mcp-sentinel's log says why (or run: mcp-sentinel login ${name})`;
        return { content: [{ type: 'text', text }], isError: true };
      }
      return {
        content: [
          {
            type: 'text',
            text: `Opened the browser to sign in to ${name}. If it did not open, visit: ${url}\nIts tools appear once the sign-in is complete.`,
          },
        ],
      };
    },
  };
}
