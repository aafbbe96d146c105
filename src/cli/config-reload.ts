/**
 * Reload in place for `serve`: the config file and its `.env` (and `--dotenv`) are watched; on an edit the
 * config is read and validated again. An invalid one is refused: the previous config keeps being served,
 * the problem is logged with its key paths and kept in the manager's configStatus (the status resource
 * shows it). A valid one is applied per backend (BackendManager.reconfigure), and the host hears
 * list_changed. Reloads run one at a time; an edit during a reload is picked up right after it.
 */
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { diffConfigs } from '../backends/reload/config-diff.js';
import type { BackendManager } from '../backends/manager.js';
import type { HostBridge } from '../backends/types.js';
import { watchFiles } from '../config/watch.js';
import { describeError, SentinelError } from '../errors.js';
import { log } from '../log.js';
import { loadEnvironment } from '../refs/env.js';
import { createSecretStore } from '../secrets/index.js';
import { backendDeps, type Runtime } from './runtime.js';

const reloadLog = log.child('reload');

export interface ConfigReloadOptions {
  runtime: Runtime;
  envFile?: string;
  manager: BackendManager;
  host: HostBridge;
}

/** Starts watching; returns the function that stops it. */
export function watchConfig(options: ConfigReloadOptions): () => void {
  let current = { config: options.runtime.loaded.config, env: options.runtime.env };
  const path = options.runtime.loaded.path;
  options.manager.configStatus = { path, appliedAt: new Date().toISOString() };
  let running: Promise<void> | undefined;
  let again = false;

  const reload = async () => {
    let next: Runtime;
    try {
      const loaded = await loadConfig({ config: path });
      const env = await loadEnvironment({ configPath: path, envFile: options.envFile });
      // serve's sign-in handler too: a backend the edit adds or restarts asks the host like one from start.
      next = { loaded, env, secrets: createSecretStore({ env }), onSignIn: options.runtime.onSignIn };
    } catch (error) {
      refuse(error);
      return;
    }
    const diff = diffConfigs(current, { config: next.loaded.config, env: next.env });
    const status = options.manager.configStatus;
    const nothing =
      !diff.settingsChanged && !diff.added.length && !diff.removed.length && !diff.changed.length;
    if (nothing) {
      if (status.problem) reloadLog.info(`${path} is valid again; nothing changed`);
      options.manager.configStatus = { ...status, problem: undefined };
      return;
    }
    // New backends read the live settings object, which reconfigure updates in place.
    const deps = backendDeps(
      { ...next, loaded: { ...next.loaded, settings: options.manager.settings } },
      options.host,
    );
    options.manager.reconfigure(next.loaded.config, next.loaded.settings, deps, diff);
    current = { config: next.loaded.config, env: next.env };
    options.manager.configStatus = { path, appliedAt: new Date().toISOString() };
    reloadLog.info(`applied ${path}: ${summary(diff)}`);
  };

  const refuse = (error: unknown) => {
    const problem =
      error instanceof SentinelError
        ? error
        : new SentinelError(
            'CONFIG_UNREADABLE',
            `Config file ${path} could not be read: ${describeError(error)}`,
          );
    options.manager.configStatus = { ...options.manager.configStatus, problem };
    const issues = problem.issues.map(
      (issue) => `\n  ✖ ${issue.path ? `${issue.path}: ` : ''}${issue.message}`,
    );
    reloadLog.error(
      `the edit was not applied; still serving the previous config. ${problem.message}${issues.join('')}`,
    );
  };

  const onChange = () => {
    if (running) {
      again = true;
      return;
    }
    running = reload()
      .catch((error: unknown) => reloadLog.error(`reload failed: ${describeError(error)}`))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          onChange();
        }
      });
  };

  const files = [path, join(dirname(path), '.env'), ...(options.envFile ? [options.envFile] : [])];
  const stop = watchFiles(files, onChange);
  // An edit made after the config was first read and before this watch began is picked up by reading it
  // once more now (serve's warm start answers the host from the cache before it gets here).
  onChange();
  return stop;
}

function summary(diff: ReturnType<typeof diffConfigs>): string {
  const parts = [
    diff.added.length ? `added ${diff.added.join(', ')}` : '',
    diff.removed.length ? `removed ${diff.removed.join(', ')}` : '',
    diff.changed.length ? `restarted ${diff.changed.join(', ')}` : '',
    diff.settingsChanged ? 'settings applied' : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'nothing changed';
}
