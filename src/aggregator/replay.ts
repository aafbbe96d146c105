/**
 * Session state the host set up once and every backend session must have: the log level of
 * `logging/setLevel` and the resource subscriptions. A backend that was still starting when the host sent
 * them, or that restarted or renewed its session since, gets them again as soon as its new session is up;
 * the host never has to repeat itself.
 */
import type { Backend } from '../backends/backend.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

export class SessionReplay {
  private logLevel?: string;
  /** Subscribed URIs and the backend each subscription went to. */
  private readonly subscriptions = new Map<string, string>();
  /** The session of each backend that has everything already. */
  private readonly upToDate = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  get level(): string | undefined {
    return this.logLevel;
  }

  /** The host's new level, sent now to every ready backend that logs; the others get it when they are up. */
  async setLevel(level: string, backends: Backend[]): Promise<void> {
    this.logLevel = level;
    const ready = backends.filter((b) => b.state === 'ready');
    for (const backend of ready) this.upToDate.set(backend.name, backend.sessions);
    await Promise.allSettled(ready.map((b) => this.sendLevel(b, level)));
  }

  subscribed(uri: string, backend: string): void {
    this.subscriptions.set(uri, backend);
  }

  /** The backend a subscription went to. */
  subscriber(uri: string): string | undefined {
    return this.subscriptions.get(uri);
  }

  unsubscribed(uri: string): void {
    this.subscriptions.delete(uri);
  }

  /** Called on every change of a backend: a session it has not seen yet gets the level and subscriptions. */
  onChange(backend: Backend): void {
    if (backend.state !== 'ready') return;
    const known = this.upToDate.get(backend.name);
    this.upToDate.set(backend.name, backend.sessions);
    if (known === backend.sessions) return;
    if (this.logLevel) void this.sendLevel(backend, this.logLevel);
    if (!backend.serverCapabilities?.resources?.subscribe) return;
    for (const [uri, owner] of this.subscriptions) {
      if (owner !== backend.name) continue;
      backend.request('resources/subscribe', { uri }).catch((error: unknown) => {
        this.log.warn(
          `could not renew the subscription to ${uri} at "${backend.name}": ${describeError(error)}`,
        );
      });
    }
  }

  private async sendLevel(backend: Backend, level: string): Promise<void> {
    if (!backend.serverCapabilities?.logging) return;
    await backend.request('logging/setLevel', { level }).catch((error: unknown) => {
      this.log.debug(`logging/setLevel at "${backend.name}" failed: ${describeError(error)}`);
    });
  }
}
