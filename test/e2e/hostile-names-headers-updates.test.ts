/**
 * Smaller things a peer or a config can get wrong on purpose: tool names that differ only in case (a host
 * comparing names case-insensitively would merge them), header values with control characters Node lets
 * through (U+0085 NEL, other C1 controls, U+2028), and resource-update notifications for URIs the host
 * never subscribed to.
 */
import { describe, expect, it } from 'vitest';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

describe('names, header values and resource updates', () => {
  it('exports tools whose names differ only in case under case-insensitively distinct names', async () => {
    const host = await TestHost.start({
      config: { mcpServers: { ev: fixtureServer('ev', { FIXTURE_TOOLS: 'Echo,echo,ECHO' }) } },
    });
    try {
      const names = (await host.client.listTools()).tools.map((t) => t.name).filter((n) => /echo/i.test(n));
      expect(names).toHaveLength(3);
      expect(names[0]).toBe('ev__Echo');
      expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
      for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      // Each still reaches its own tool.
      expect((await callTool(host, names[1]!, {})).text).toBe('ev/echo: {}');
      expect((await callTool(host, names[2]!, {})).text).toBe('ev/ECHO: {}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it.each([
    ['U+0085 (NEL)', '\u0085'],
    ['another C1 control', '\u009b'],
    ['U+2028', '\u2028'],
    ['a C0 control', '\u0007'],
  ])('refuses a header value carrying %s, naming the header and not the value', async (_what, char) => {
    const host = await TestHost.start({
      config: {
        settings: { startupTimeoutMs: 3_000 },
        mcpServers: {
          web: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp', headers: { 'X-Team': '${TEAM}' } },
        },
      },
      env: { TEAM: `alpha${char}omega` },
    });
    try {
      await host.client.listTools();
      await host.waitForStderr(/X-Team.*must not contain control characters/);
      expect(host.stderr).not.toContain('omega');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('relays notifications/resources/updated only for URIs the host subscribed to', async () => {
    const host = await TestHost.start({
      config: { mcpServers: { raw: { command: process.execPath, args: [fixture('raw-backend.mjs')] } } },
    });
    const updates: string[] = [];
    host.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    try {
      await host.client.listResources();
      await host.client.subscribeResource({ uri: 'raw://watched' });
      for (let i = 0; i < 20; i++) await callTool(host, 'raw__touch', { uri: 'raw://other' });
      await callTool(host, 'raw__touch', { uri: 'raw://watched' });
      await waitFor('the subscribed update', () => updates.includes('raw://watched'));
      expect(updates).toEqual(['raw://watched']);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});
