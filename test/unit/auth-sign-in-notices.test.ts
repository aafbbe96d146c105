/**
 * Sign-in notices (src/auth/sign-in-notices.ts), the way `logout` and `login` reach running `serve`s: a notice
 * left after a watch began is seen once by the next look, one about another subject is not, a notice left
 * before the watch began is not (the keychain already says it), and a notice names nothing in its file.
 * The directory watch serve keeps while a backend waits for sign-in reports a new notice without a look.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  announceSignInChange,
  idpNotice,
  serverNotice,
  SignInChangeWatch,
  watchSignInNotice,
} from '../../src/auth/sign-in-notices.js';
import { waitFor } from '../helpers/wait.js';

describe('sign-in notices', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-signin-notices-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const watching = (...subjects: string[]) => {
    const seen = { count: 0 };
    const watch = new SignInChangeWatch(() => void seen.count++, join(dir, 'locks'));
    for (const subject of subjects) watch.add(subject);
    return { watch, seen };
  };

  it('a logout after the watch began is seen once, by the next look', async () => {
    const { watch, seen } = watching(serverNotice('https://corp.example/mcp'));
    await watch.check();
    expect(seen.count).toBe(0);
    await announceSignInChange([serverNotice('https://corp.example/mcp')], join(dir, 'locks'));
    await watch.check();
    expect(seen.count).toBe(1);
    await watch.check();
    expect(seen.count).toBe(1);
    await announceSignInChange([serverNotice('https://corp.example/mcp')], join(dir, 'locks'));
    await watch.check();
    expect(seen.count).toBe(2);
  });

  it('a logout of another server or identity provider is not this watch’s', async () => {
    const { watch, seen } = watching(
      serverNotice('https://corp.example/mcp'),
      idpNotice('https://login.example', 'app'),
    );
    await announceSignInChange(
      [serverNotice('https://wiki.example/mcp'), idpNotice('https://login.example', 'other')],
      join(dir, 'locks'),
    );
    await watch.check();
    expect(seen.count).toBe(0);
    await announceSignInChange([idpNotice('https://login.example', 'app')], join(dir, 'locks'));
    await watch.check();
    expect(seen.count).toBe(1);
  });

  it('a logout before the watch began does not count, and the notice names nothing', async () => {
    await announceSignInChange([serverNotice('https://corp.example/mcp')], join(dir, 'locks'));
    const { watch, seen } = watching(serverNotice('https://corp.example/mcp'));
    await watch.check();
    expect(seen.count).toBe(0);
    const files = readdirSync(join(dir, 'locks'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^signin-changed\.[0-9a-f]{40}$/);
    expect(readFileSync(join(dir, 'locks', files[0]!), 'utf8')).toMatch(/^\d+\n$/);
  });

  it('a watched notice reports a sign-in by itself, once; after close only a look sees the next', async () => {
    const locks = join(dir, 'not-yet-made');
    const seen = { count: 0 };
    const watch = watchSignInNotice(serverNotice('https://corp.example/mcp'), () => void seen.count++, locks);
    try {
      await announceSignInChange([serverNotice('https://other.example/mcp')], locks);
      await announceSignInChange([serverNotice('https://corp.example/mcp')], locks);
      await waitFor('the notice to be reported', () => seen.count > 0);
      await watch.check();
      expect(seen.count).toBe(1);
    } finally {
      watch.close();
    }
    await announceSignInChange([serverNotice('https://corp.example/mcp')], locks);
    await watch.check();
    expect(seen.count).toBe(2);
  });
});
