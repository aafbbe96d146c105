/** The per-backend difference of two configs that a reload applies, and how settings are applied in place. */
import { describe, expect, it } from 'vitest';
import { diffConfigs, variablesOf } from '../../src/backends/reload/config-diff.js';
import { applySettings } from '../../src/backends/reload/apply.js';
import { DEFAULT_SETTINGS, type SentinelConfig } from '../../src/config/types.js';

const a = { command: 'node', args: ['a.js'] };
const b = { command: 'node', args: ['b.js'], env: { KEY: '${API_KEY}', OTHER: '${MISSING:-x}' } };
const c = { type: 'http' as const, url: 'https://c.example/${PATH_PART}' };
const base: SentinelConfig = { mcpServers: { a, b, c } };
const env = { API_KEY: 'one', PATH_PART: 'mcp' };

describe('config diff', () => {
  it.each<[string, SentinelConfig, Record<string, string>, Partial<ReturnType<typeof diffConfigs>>]>([
    ['nothing', base, env, { unchanged: ['a', 'b', 'c'], settingsChanged: false }],
    ['an added entry', { mcpServers: { ...base.mcpServers, d: a } }, env, { added: ['d'] }],
    ['a removed entry', { mcpServers: { a, c } }, env, { removed: ['b'], unchanged: ['a', 'c'] }],
    [
      'a changed entry',
      { mcpServers: { ...base.mcpServers, a: { ...a, args: ['x.js'] } } },
      env,
      { changed: ['a'] },
    ],
    [
      'a policy key',
      { mcpServers: { ...base.mcpServers, a: { ...a, prefix: 'p' } } },
      env,
      { changed: ['a'] },
    ],
    [
      'a variable one entry reads',
      base,
      { ...env, API_KEY: 'two' },
      { changed: ['b'], unchanged: ['a', 'c'] },
    ],
    ['a fallback variable becoming set', base, { ...env, MISSING: 'y' }, { changed: ['b'] }],
    ['a variable in a url', base, { ...env, PATH_PART: 'v2' }, { changed: ['c'] }],
    ['a variable nobody reads', base, { ...env, UNRELATED: '1' }, { unchanged: ['a', 'b', 'c'] }],
    ['settings', { ...base, settings: { separator: '--' } }, env, { settingsChanged: true }],
    ['order only', { mcpServers: { c, b, a } }, env, { unchanged: ['c', 'b', 'a'] }],
  ])('with %s', (_what, next, nextEnv, expected) => {
    const diff = diffConfigs({ config: base, env }, { config: next, env: nextEnv });
    expect(diff).toMatchObject(expected);
  });

  it('finds the variables of references and inheritEnv', () => {
    expect(variablesOf({ ...b, inheritEnv: ['HTTPS_PROXY'] }).sort()).toEqual([
      'API_KEY',
      'HTTPS_PROXY',
      'MISSING',
    ]);
    expect(variablesOf({ command: 'secret:cmd' })).toEqual([]);
  });
});

describe('applying settings in place', () => {
  it('updates the live object (nested restart settings included) and tells when names change', () => {
    const live = structuredClone(DEFAULT_SETTINGS);
    const restart = live.restart;
    expect(
      applySettings(live, {
        ...DEFAULT_SETTINGS,
        requestTimeoutMs: 5,
        restart: { ...restart, maxRestarts: 1 },
      }),
    ).toBe(false);
    expect(live.requestTimeoutMs).toBe(5);
    expect(live.restart).toBe(restart);
    expect(restart.maxRestarts).toBe(1);
    expect(applySettings(live, { ...live, separator: '--' })).toBe(true);
  });
});
