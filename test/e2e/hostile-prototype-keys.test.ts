/**
 * Names that are also Object.prototype members (`constructor`, `__proto__`, `hasOwnProperty`) used as
 * variable names, inherited variables and reverse-request methods: each is treated as the unknown name it
 * is, never resolved to a function or an object.
 */
import { describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

describe('references and lookups keyed by Object.prototype names', () => {
  it('treats ${constructor} and ${__proto__} as unset variables, and honours the fallback of ${hasOwnProperty:-fb}', async () => {
    const host = await TestHost.start({
      config: {
        settings: { startupTimeoutMs: 5_000 },
        mcpServers: {
          ctor: fixtureServer('ctor', { V: '${constructor}' }),
          proto: fixtureServer('proto', { V: '${__proto__}' }),
          fb: fixtureServer('fb', { V: '${hasOwnProperty:-fb}' }),
          inherit: fixtureServer('inherit', {}, { inheritEnv: ['constructor', 'toString', 'INHERITED_OK'] }),
        },
      },
      env: { INHERITED_OK: 'yes' },
    });
    try {
      const tools = (await host.client.listTools()).tools.map((t) => t.name);
      expect(tools).not.toContain('ctor__env');
      expect(tools).not.toContain('proto__env');
      await host.waitForStderr('environment variable constructor is not set');
      await host.waitForStderr('environment variable __proto__ is not set');
      expect(host.stderr).not.toMatch(/native code|\[object Object\]/);
      expect((await callTool(host, 'fb__env', { name: 'V' })).text).toBe('fb');
      expect((await callTool(host, 'inherit__env', { name: 'INHERITED_OK' })).text).toBe('yes');
      expect((await callTool(host, 'inherit__env', { name: 'constructor' })).text).toBe('<unset>');
      expect((await callTool(host, 'inherit__env', { name: 'toString' })).text).toBe('<unset>');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('refuses a reverse request named "constructor" as an unknown method', async () => {
    const host = await TestHost.start({
      config: { mcpServers: { raw: { command: process.execPath, args: [fixture('raw-backend.mjs')] } } },
    });
    try {
      await host.client.listTools();
      const reply = JSON.parse((await callTool(host, 'raw__reverse', { method: 'constructor' })).text) as {
        code: number;
        message: string;
      };
      expect(reply.code).toBe(-32601);
      expect(reply.message).toBe('mcp-sentinel does not handle constructor');
      await waitFor('the session to go on', async () => (await host.client.ping()) !== undefined);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});
