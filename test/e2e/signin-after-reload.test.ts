/**
 * A backend that a config reload adds to a running `serve` signs in exactly like one present at start:
 * when it needs the user's sign-in, the host sees `sentinel__sign_in` (naming it) and the hint to call it,
 * and calling the tool signs in and brings its tools. Built CLI, a real authorization server (oidc-provider),
 * a real MCP server that checks every token, a scripted browser and the real keychain (with-keyring.sh).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { startSignInServer, type SignInServer } from '../fixtures/signin-server.js';
import { callTool, TestHost, writeTempConfig } from '../helpers/host.js';
import { runKeychainTests } from '../helpers/keyring.js';
import { fixtureServerArgs, ROOT } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const BROWSER = `${process.execPath} ${join(ROOT, 'test', 'conformance', 'fetch-browser.mjs')}`;

describe.skipIf(!runKeychainTests)('sign-in for backends a config reload adds, removes or changes', () => {
  let as: SignInServer;
  let gate: AuthGate;
  let closed: AuthGate[];
  let home: string;

  beforeAll(async () => {
    as = await startSignInServer({ ttlSeconds: 300 });
    gate = await startAuthGate({
      // oidc-provider supports DPoP, so the tokens are DPoP-bound.
      authorize: (req) => {
        const header = req.headers.authorization;
        if (typeof header !== 'string' || !header.startsWith('DPoP ') || !req.headers.dpop) return false;
        return as.verify(header.slice(5), gate.url) !== undefined;
      },
      authorizationServers: [as.issuer],
      scopesSupported: ['mcp:read'],
    });
    // Servers nobody ever signs in to: they always want sign-in.
    closed = await Promise.all(
      [1, 2].map(() => startAuthGate({ authorize: () => false, authorizationServers: [as.issuer] })),
    );
    home = mkdtempSync(join(tmpdir(), 'sentinel-reload-signin-'));
  });
  afterAll(async () => {
    await Promise.allSettled([gate?.close(), ...(closed ?? []).map((g) => g.close()), as?.close()]);
    rmSync(home, { recursive: true, force: true });
  });

  it('lists sentinel__sign_in for it, names it in the hint, and signing in brings its tools', async () => {
    const local = { command: process.execPath, args: fixtureServerArgs() };
    const config = writeTempConfig({ mcpServers: { local } });
    const env = {
      HOME: home,
      BROWSER,
      MCP_SENTINEL_LOCK_DIR: join(home, 'locks'),
      XDG_CONFIG_HOME: join(home, '.config'),
    };
    const host = await TestHost.start({ config: config.path, env });
    let changes = 0;
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    try {
      const atStart = (await host.client.listTools()).tools.map((t) => t.name);
      expect(atStart).toContain('local__echo');
      expect(atStart).not.toContain('sentinel__sign_in');
      // Saved the way editors save: a new file renamed over the old one.
      const before = changes;
      writeFileSync(
        `${config.path}.tmp`,
        JSON.stringify({ mcpServers: { local, corp: { type: 'streamable-http', url: gate.url } } }),
      );
      renameSync(`${config.path}.tmp`, config.path);
      await host.waitForStderr(`applied ${config.path}:`, 15_000);
      await waitFor('tools/list_changed', () => changes > before, 20_000);
      const signInTool = await waitFor(
        'the sign-in tool naming corp',
        async () => (await host.client.listTools()).tools.find((t) => t.name === 'sentinel__sign_in'),
        20_000,
      );
      expect(signInTool.inputSchema.properties).toEqual({ server: { type: 'string', enum: ['corp'] } });
      await host.waitForStderr('or ask the assistant to call sentinel__sign_in');

      const answer = await callTool(host, 'sentinel__sign_in', { server: 'corp' });
      expect(answer.text).toMatch(/Opened the browser to sign in to corp\. If it did not open, visit: http/);
      const names = await waitFor(
        'the tools of corp',
        async () => {
          const list = (await host.client.listTools()).tools.map((t) => t.name);
          return list.includes('corp__echo') ? list : undefined;
        },
        30_000,
      );
      expect(names).not.toContain('sentinel__sign_in');
      expect(await callTool(host, 'corp__echo', { text: 'in' })).toEqual({ text: 'in', isError: false });
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      config.cleanup();
    }
  }, 120_000);

  it('stops offering sign-in for a backend the edit removes, or changes so that it needs none', async () => {
    const local = { command: process.execPath, args: fixtureServerArgs() };
    const [one, two] = closed as [AuthGate, AuthGate];
    const config = writeTempConfig({
      mcpServers: {
        local,
        one: { type: 'streamable-http', url: one.url },
        two: { type: 'streamable-http', url: two.url },
      },
    });
    const env = {
      HOME: home,
      MCP_SENTINEL_LOCK_DIR: join(home, 'locks'),
      XDG_CONFIG_HOME: join(home, '.config'),
    };
    const host = await TestHost.start({ config: config.path, env });
    let changes = 0;
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    const signInEnum = async () => {
      const tool = (await host.client.listTools()).tools.find((t) => t.name === 'sentinel__sign_in');
      const server = tool?.inputSchema.properties?.server as { enum?: string[] } | undefined;
      return server?.enum ?? [];
    };
    try {
      // In the order the two backends asked for sign-in, which is a race.
      const both = await waitFor(
        'both in the sign-in tool',
        async () => (await signInEnum()).length === 2 && signInEnum(),
      );
      expect([...both].sort()).toEqual(['one', 'two']);
      const before = changes;
      writeFileSync(
        `${config.path}.tmp`,
        JSON.stringify({
          mcpServers: { local, two: { type: 'streamable-http', url: two.url, auth: { type: 'none' } } },
        }),
      );
      renameSync(`${config.path}.tmp`, config.path);
      await host.waitForStderr(`applied ${config.path}:`, 15_000);
      await waitFor('tools/list_changed', () => changes > before, 20_000);
      await waitFor('the sign-in tool to go', async () => (await signInEnum()).length === 0, 20_000);
      expect((await host.client.listTools()).tools.map((t) => t.name)).not.toContain('sentinel__sign_in');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      config.cleanup();
    }
  }, 120_000);
});
