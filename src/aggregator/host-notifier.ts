/**
 * What the host hears without asking: list changes (debounced, and only of the kinds it was told of),
 * updates of resources it subscribed to, task status under public task ids, the end of URL elicitations
 * backends asked it for, and backends' log messages at or above the level it set. Nothing goes out before the host said `notifications/initialized`.
 * Redaction is not done here: it is done once where every message leaves for the host (outbound-redaction.ts).
 */
import type { BackendManager } from '../backends/manager.js';
import type { LiveCatalog, ListSignatures } from './live-catalog.js';
import type { SessionReplay } from './replay.js';

/** The notification methods of the lists, by kind. */
const LIST_CHANGED: Record<keyof ListSignatures, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

/** Log levels, least severe first (RFC 5424 as MCP orders them). */
export const LOG_SEVERITY = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** Whether a backend's message at `level` reaches a host that asked for `hostLevel` (none: everything). */
export function passesLevel(level: unknown, hostLevel: string | undefined): boolean {
  if (!hostLevel) return true;
  return LOG_SEVERITY.indexOf(level as string) >= LOG_SEVERITY.indexOf(hostLevel);
}

/** A backend's `notifications/message`, its logger named after the backend. */
export function hostLogParams(backend: string, params: Record<string, unknown>): Record<string, unknown> {
  const logger = typeof params.logger === 'string' ? `${backend}/${params.logger}` : backend;
  return { ...params, logger };
}

export interface HostNotifierOptions {
  manager: BackendManager;
  live: LiveCatalog;
  replay: SessionReplay;
  tasks: { statusNotification(backend: string, params: Record<string, unknown>): Record<string, unknown> };
  /** Sends one notification to the host (never throws). */
  send: (method: string, params?: Record<string, unknown>) => void;
  /** The capabilities the host was told of; list changes of other kinds would be a protocol error. */
  advertised: () => Record<string, unknown>;
}

export class HostNotifier {
  private initialized = false;
  /** The signatures of the lists the host was last told about. */
  private readonly told: ListSignatures = { tools: '', prompts: '', resources: '' };
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: HostNotifierOptions) {
    const { manager, live, replay, tasks, send } = options;
    live.onSettled = (signatures) => Object.assign(this.told, signatures);
    manager.on('change', () => {
      if (live.refresh()) this.listsChanged();
    });
    manager.on('change', (backend) => replay.onChange(backend));
    // A reloaded config: backends came or went, or the settings that shape public names changed.
    manager.on('reconfigured', (_diff, renamed) => {
      live.refresh(true);
      if (renamed) Object.assign(this.told, { tools: '', prompts: '', resources: '' });
      this.listsChanged();
    });
    manager.on('resourceUpdated', (backend, uri) => {
      // Only what the host subscribed to (at that backend): a backend cannot flood the host with updates.
      if (this.initialized && replay.subscriber(uri) === backend.name)
        send('notifications/resources/updated', { uri });
    });
    manager.on('taskStatus', (backend, params) => {
      if (this.initialized)
        send('notifications/tasks/status', tasks.statusNotification(backend.name, params));
    });
    manager.on('elicitationComplete', (_backend, elicitationId) => {
      if (this.initialized) send('notifications/elicitation/complete', { elicitationId });
    });
    manager.on('log', (backend, params) => {
      if (!this.initialized || !passesLevel(params.level, replay.level)) return;
      send('notifications/message', hostLogParams(backend.name, params));
    });
  }

  /** The host said `notifications/initialized`: anything that changed since `initialize` is announced once. */
  hostInitialized(): void {
    this.initialized = true;
    if (this.options.live.started) this.listsChanged();
  }

  private listsChanged(): void {
    if (!this.initialized) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const next = this.options.live.signatures;
      const advertised = this.options.advertised();
      if (!advertised.prompts) next.prompts = this.told.prompts;
      if (!advertised.resources) next.resources = this.told.resources;
      for (const kind of Object.keys(LIST_CHANGED) as (keyof ListSignatures)[])
        if (next[kind] !== this.told[kind]) this.options.send(LIST_CHANGED[kind]);
      Object.assign(this.told, next);
    }, 20);
  }
}
