/** Host recognition from initialize, and the surface each host gets with each setting (table-driven). */
import { describe, expect, it } from 'vitest';
import { recognizeHost, profileFor, maxResultTokensFor } from '../../src/aggregator/surface/hosts.js';
import { chooseSurface, format } from '../../src/aggregator/surface/choose.js';
import { fitBytes } from '../../src/aggregator/surface/claude-code.js';
import type { Settings, SurfaceHostId } from '../../src/config/types.js';

describe('recognising the host from clientInfo', () => {
  it.each([
    [{ name: 'claude-ai', version: '0.1.0' }, 'claude-desktop'],
    [{ name: 'claude-code', version: '2.1.7' }, 'claude-code'],
    [{ name: 'Visual Studio Code', version: '1.107.0' }, 'vscode'],
    [{ name: 'Visual Studio Code - Insiders', version: '1.108.0' }, 'vscode'],
    [{ name: 'github-copilot-developer', version: '0.0.3' }, 'copilot-cli'],
    [{ name: 'cursor-vscode', version: '1.0.0' }, 'cursor'],
    [{ name: 'some-new-editor', version: '1' }, 'other'],
    [undefined, 'other'],
  ])('%j → %s', (clientInfo, host) => {
    expect(recognizeHost(clientInfo, {}).host).toBe(host);
  });

  it('settings.host wins over clientInfo, and says so', () => {
    expect(recognizeHost({ name: 'claude-code' }, { host: 'cursor' })).toMatchObject({
      host: 'cursor',
      because: 'settings.host',
    });
  });
});

const measure = (tools: number, tokens: number) => ({
  tools,
  tokens: async () => tokens,
  surelyWithin: () => false,
});

describe('choosing the surface', () => {
  const cases: [SurfaceHostId, Partial<Settings>, number, number, 'all' | 'search', RegExp][] = [
    ['claude-code', {}, 500, 90_000, 'all', /defers tools/],
    ['cursor', {}, 41, 1_000, 'search', /41 tools exceed Cursor's cap of 40/],
    ['cursor', {}, 40, 1_000, 'all', /within Cursor's cap of 40 tools and the budget of 20,000 tokens/],
    ['vscode', {}, 100, 25_000, 'search', /exceeds the budget of 20,000 tokens/],
    ['claude-desktop', {}, 300, 19_000, 'all', /within the budget/],
    ['other', {}, 129, 1_000, 'search', /cap of 128/],
    ['other', { surface: 'all' }, 500, 90_000, 'all', /settings.surface is "all"/],
    ['claude-code', { surface: 'search' }, 3, 100, 'search', /settings.surface is "search"/],
    [
      'cursor',
      { surface: 'search', hosts: { cursor: { surface: 'all' } } },
      99,
      1,
      'all',
      /settings.hosts.cursor.surface/,
    ],
    ['cursor', { hosts: { cursor: { maxTools: 80 } } }, 60, 1_000, 'all', /cap of 80/],
    ['vscode', { hosts: { vscode: { toolTokenBudget: 50_000 } } }, 100, 25_000, 'all', /50,000 tokens/],
  ];
  it.each(cases)(
    '%s with %j, %i tools of %i tokens → %s',
    async (host, settings, tools, tokens, surface, reason) => {
      const choice = await chooseSurface(profileFor(host, settings), settings, measure(tools, tokens));
      expect(choice.surface).toBe(surface);
      expect(choice.reason).toMatch(reason);
    },
  );

  it('counts no tokens when the list surely fits', async () => {
    let counted = false;
    const choice = await chooseSurface(
      profileFor('vscode', {}),
      {},
      {
        tools: 10,
        tokens: async () => ((counted = true), 0),
        surelyWithin: () => true,
      },
    );
    expect(choice.surface).toBe('all');
    expect(counted).toBe(false);
  });
});

describe('result limits per host', () => {
  it('Claude Code defaults to 25,000 tokens; other hosts to none; settings override', () => {
    expect(maxResultTokensFor('claude-code', {})).toBe(25_000);
    expect(maxResultTokensFor('cursor', {})).toBeUndefined();
    expect(maxResultTokensFor('cursor', { maxResultTokens: 5_000 })).toBe(5_000);
    expect(
      maxResultTokensFor('claude-code', {
        maxResultTokens: 5_000,
        hosts: { 'claude-code': { maxResultTokens: 900 } },
      }),
    ).toBe(900);
  });
});

describe('texts within Claude Code 2 KB', () => {
  it('keeps short text as it is and cuts long text at a word, within 2,048 bytes', () => {
    expect(fitBytes('short')).toBe('short');
    const long = 'word ü '.repeat(600);
    const cut = fitBytes(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2048);
    expect(cut.endsWith(' …')).toBe(true);
    expect(long.startsWith(cut.slice(0, -2))).toBe(true);
  });
});

describe('counts in reasons', () => {
  it.each([0, 7, 999, 1_000, 20_000, 128_000, 1_234_567, -4_096, 2.5, Number.MAX_SAFE_INTEGER])(
    '%d is written as en-US writes it',
    (n) => {
      expect(format(n)).toBe(n.toLocaleString('en-US'));
    },
  );
});
