/**
 * The pure parts of user sign-in: reading a Bearer challenge, the browser command (BROWSER or the OS
 * opener, never through a shell), and the cross-process lock (serialised holders, stale-lock recovery).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBearerChallenge, hasBearerChallenge } from '../../src/auth/signin/challenge.js';
import { withFileLock } from '../../src/auth/signin/lock.js';
import { browserCommand } from '../../src/auth/signin/browser.js';

describe('Bearer challenges', () => {
  it('reads resource_metadata, scope and error, quoted or not', () => {
    const header =
      'Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp"';
    expect(parseBearerChallenge(header)).toEqual({
      error: 'insufficient_scope',
      scopes: ['mcp:read', 'mcp:write'],
      resourceMetadata: 'https://x.example/.well-known/oauth-protected-resource/mcp',
    });
    expect(parseBearerChallenge('Bearer scope=mcp:basic').scopes).toEqual(['mcp:basic']);
    expect(hasBearerChallenge('Bearer realm="x"')).toBe(true);
    expect(hasBearerChallenge('Basic realm="corp-intranet"')).toBe(false);
    expect(hasBearerChallenge(null)).toBe(false);
  });
});

describe('the browser command', () => {
  const url = 'https://as.example/authorize?a=1&b=2';
  it('uses BROWSER, appending the URL or replacing %s, first of a list', () => {
    expect(browserCommand(url, { BROWSER: 'firefox --new-tab' }, 'linux')).toEqual({
      command: 'firefox',
      args: ['--new-tab', url],
    });
    expect(browserCommand(url, { BROWSER: 'open-it --url=%s:lynx' }, 'linux')).toEqual({
      command: 'open-it',
      args: [`--url=${url}`],
    });
  });
  it('falls back to the OS opener', () => {
    expect(browserCommand(url, {}, 'darwin')).toEqual({ command: 'open', args: [url] });
    expect(browserCommand(url, {}, 'linux')).toEqual({ command: 'xdg-open', args: [url] });
    expect(browserCommand(url, {}, 'win32').command).toBe('cmd');
  });
});

describe('the cross-process lock', () => {
  it('lets one holder in at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-lock-'));
    let inside = 0;
    let most = 0;
    const hold = () =>
      withFileLock(
        'token.x',
        async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 30));
          inside--;
        },
        { dir, pollMs: 5 },
      );
    await Promise.all([hold(), hold(), hold(), hold()]);
    expect(most).toBe(1);
  });

  it('takes over a lock whose owner is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-lock-'));
    // A pid that cannot be running (above the kernel's pid_max).
    writeFileSync(join(dir, 'token.y.lock'), `99999999 ${Date.now()}\n`);
    const started = Date.now();
    expect(await withFileLock('token.y', async () => 'ran', { dir, timeoutMs: 5_000 })).toBe('ran');
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
