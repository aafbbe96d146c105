/**
 * What a config reload changes, per backend: added, removed, changed (restart it alone) or unchanged (leave
 * its process and session alone), and whether the settings changed. Pure: it compares the entries as
 * written and the values of the environment variables each entry uses (`$VAR` references and
 * `inheritEnv`), so an edit of `.env` restarts exactly the backends that read the edited variables.
 * Keychain secrets are not re-read on a reload (nothing tells us they changed).
 */
import type { SentinelConfig, ServerConfig } from '../../config/types.js';
import { refFields } from '../../refs/fields.js';
import { tryParseValue, referencesOf } from '../../refs/parse.js';
import { canonicalJson } from '../manifest/fingerprint.js';

export interface ConfigSnapshot {
  config: SentinelConfig;
  env: Record<string, string | undefined>;
}

export interface ConfigDiff {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  /** True when the effective settings differ (defaults filled in by the caller or not). */
  settingsChanged: boolean;
}

export function diffConfigs(previous: ConfigSnapshot, next: ConfigSnapshot): ConfigDiff {
  const before = previous.config.mcpServers;
  const after = next.config.mcpServers;
  const diff: ConfigDiff = { added: [], removed: [], changed: [], unchanged: [], settingsChanged: false };
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) diff.removed.push(name);
  for (const [name, entry] of Object.entries(after)) {
    const old = Object.hasOwn(before, name) ? before[name] : undefined;
    if (!old) diff.added.push(name);
    else if (sameEntry(old, previous.env, entry, next.env)) diff.unchanged.push(name);
    else diff.changed.push(name);
  }
  diff.settingsChanged =
    canonicalJson(previous.config.settings ?? {}) !== canonicalJson(next.config.settings ?? {});
  return diff;
}

function sameEntry(
  a: ServerConfig,
  envA: Record<string, string | undefined>,
  b: ServerConfig,
  envB: Record<string, string | undefined>,
): boolean {
  if (canonicalJson(a) !== canonicalJson(b)) return false;
  return variablesOf(b).every((name) => envA[name] === envB[name]);
}

/** The environment variables an entry reads: its `$VAR` references and its `inheritEnv` names. */
export function variablesOf(server: ServerConfig): string[] {
  const names = new Set<string>();
  for (const field of refFields(structuredClone(server), '')) {
    const parsed = tryParseValue(field.value, field.path);
    if (!parsed.ok) continue;
    for (const ref of referencesOf(parsed.value)) if (ref.kind === 'env') names.add(ref.name);
  }
  if ('inheritEnv' in server) for (const name of server.inheritEnv ?? []) names.add(name);
  return [...names];
}
