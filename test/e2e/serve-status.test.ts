/**
 * What the host sees of mcp-sentinel itself: `sentinel://status` and the `sentinel__status` tool list each
 * backend's state (ready, down, disabled, missing a credential) with the next step, through the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

interface Status {
  backends: {
    name: string;
    state: string;
    transport: string;
    tools: number;
    reason?: string;
    next?: string;
  }[];
}

describe('the status resource and tool', () => {
  it('show each backend with its state and the next step', async () => {
    const host = await TestHost.start({
      config: {
        settings: { restart: { maxRestarts: 0 } },
        mcpServers: {
          good: fixtureServer('good'),
          broken: fixtureServer('broken', { FIXTURE_MODE: 'crash-on-start' }),
          off: { ...fixtureServer('off'), disabled: true },
          remote: {
            type: 'streamable-http',
            url: 'http://127.0.0.1:9/mcp',
            headers: { Authorization: 'Bearer ${STATUS_TEST_TOKEN_NOT_SET}' },
          },
        },
      },
    });
    try {
      const { resources } = await host.client.listResources();
      expect(resources.map((r) => r.uri)).toContain('sentinel://status');
      const read = async () => {
        const result = await host.client.readResource({ uri: 'sentinel://status' });
        const content = result.contents[0] as { text: string; mimeType: string };
        expect(content.mimeType).toBe('application/json');
        return JSON.parse(content.text) as Status;
      };
      const status = await waitFor(
        'every backend settled',
        async () => {
          const s = await read();
          return (
            s.backends.every((b) => ['ready', 'failed', 'disabled', 'needs-credentials'].includes(b.state)) &&
            s
          );
        },
        20_000,
      );
      const by = Object.fromEntries(status.backends.map((b) => [b.name, b]));
      expect(by.good).toMatchObject({ state: 'ready', transport: 'stdio' });
      expect(by.good!.tools).toBeGreaterThan(0);
      expect(by.broken).toMatchObject({ state: 'failed' });
      expect(by.broken!.reason).toMatch(/broken/);
      expect(by.broken!.next).toBeTruthy();
      expect(by.off).toMatchObject({
        state: 'disabled',
        next: 'remove "disabled": true from mcpServers.off',
      });
      expect(by.remote).toMatchObject({ state: 'needs-credentials', transport: 'streamable-http' });
      expect(by.remote!.reason).toContain('STATUS_TEST_TOKEN_NOT_SET');

      // With a backend down, the tool is listed, and says the same in lines.
      const { tools } = await host.client.listTools();
      expect(tools.map((t) => t.name)).toContain('sentinel__status');
      const called = (await host.client.callTool({ name: 'sentinel__status', arguments: {} })) as {
        content: { text: string }[];
      };
      const text = called.content[0]!.text;
      expect(text).toMatch(/^1 of 4 backends ready/);
      expect(text).toMatch(/- off \(stdio\): disabled: disabled in the config → remove "disabled": true/);
      expect(text).toMatch(/- remote \(streamable-http\): needs-credentials: .*STATUS_TEST_TOKEN_NOT_SET/);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  }, 60_000);

  it('lists no status tool while every backend is up', async () => {
    const host = await TestHost.start({ config: { mcpServers: { good: fixtureServer('good') } } });
    try {
      const { tools } = await host.client.listTools();
      expect(tools.map((t) => t.name)).not.toContain('sentinel__status');
      const result = await host.client.readResource({ uri: 'sentinel://status' });
      expect(JSON.parse((result.contents[0] as { text: string }).text)).toMatchObject({
        backends: [{ name: 'good', state: 'ready' }],
      });
    } finally {
      await host.close();
    }
  });
});
