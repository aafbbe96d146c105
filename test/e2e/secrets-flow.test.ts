/**
 * The secrets journey end to end, against the real OS keychain (a private gnome-keyring in CI): a secret
 * stored with `secrets set` reaches exactly the backends whose entries name it, and never any output.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool, runCli } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { runKeychainTests } from '../helpers/keyring.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.skipIf(!runKeychainTests)(
  'a keychain secret, from `secrets set` to the backend that names it',
  () => {
    const secretName = `e2e-token-${randomBytes(4).toString('hex')}`;
    const secretValue = `canary-${randomBytes(12).toString('hex')}`;
    let http: RunningServer;
    let stored = false;

    beforeAll(async () => {
      const set = await runCli(['secrets', 'set', secretName], { input: `${secretValue}\n` });
      expect(set.code, set.stderr).toBe(0);
      stored = true;
      http = await startHttpServer(
        [fixture('probe-server.mjs')],
        {
          PROBE_NAME: 'remote',
          PROBE_TRANSPORT: 'streamable-http',
          PROBE_HEADER: 'Authorization',
          PROBE_EXPECT: `Bearer ${secretValue}`,
        },
        '/mcp',
      );
    });

    afterAll(async () => {
      await http?.close();
      if (stored) {
        const deleted = await runCli(['secrets', 'delete', secretName]);
        expect(deleted.code, deleted.stderr).toBe(0);
      }
    });

    it('reaches the stdio child env and every HTTP request header, and no other backend or output', async () => {
      const probe = { command: process.execPath, args: [fixture('probe-server.mjs')] };
      const host = await TestHost.start({
        config: {
          mcpServers: {
            holder: { ...probe, env: { PROBE_NAME: 'holder', API_TOKEN: `secret:${secretName}` } },
            other: { ...probe, env: { PROBE_NAME: 'other' } },
            remote: {
              type: 'streamable-http',
              url: http.url,
              headers: { Authorization: `Bearer \${secret:${secretName}}` },
            },
            broken: { ...probe, env: { PROBE_NAME: 'broken', API_TOKEN: 'secret:no-such-secret-e2e' } },
          },
        },
      });
      let closed: { code: number | null; leftovers: number[] } | undefined;
      try {
        const names = (await host.client.listTools()).tools.map((t) => t.name);
        expect(names).toContain('holder__env_sha256');
        expect(names).toContain('other__env_sha256');
        expect(names.some((n) => n.startsWith('broken__'))).toBe(false);

        expect((await callTool(host, 'holder__env_sha256', { name: 'API_TOKEN' })).text).toBe(
          sha256(secretValue),
        );
        expect((await callTool(host, 'other__env_sha256', { name: 'API_TOKEN' })).text).toBe('unset');
        // Nothing of sentinel's own environment leaks into a child beyond the minimal safe set.
        expect((await callTool(host, 'other__env_sha256', { name: 'DBUS_SESSION_BUS_ADDRESS' })).text).toBe(
          'unset',
        );

        const report = JSON.parse((await callTool(host, 'remote__header_report')).text) as {
          requests: number;
          matching: number;
          methods: string[];
        };
        expect(report.requests).toBeGreaterThanOrEqual(3);
        expect(report.matching).toBe(report.requests);

        await host.waitForStderr(`secret "no-such-secret-e2e"`);
        expect(host.stderr).toContain('mcp-sentinel secrets set no-such-secret-e2e');
      } finally {
        closed = await host.close();
      }
      expect(closed.leftovers).toEqual([]);
      expect(host.stderr).not.toContain(secretValue);
      expect(host.stdoutLines.join('\n')).not.toContain(secretValue);
    });

    it('lists the secret by name only', async () => {
      const list = await runCli(['secrets', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(secretName);
      expect(list.stdout + list.stderr).not.toContain(secretValue);
    });
  },
);
