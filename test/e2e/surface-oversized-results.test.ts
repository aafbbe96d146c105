/**
 * Results larger than the host takes, through the built CLI: Claude Code's default limit (25,000 tokens)
 * and settings.maxResultTokens keep the whole result as sentinel://results/<id> and return its head plus a
 * resource_link, saying so; reading the resource returns the result whole. Smaller results, and hosts
 * without a limit, get the result untouched.
 */
import { describe, expect, it } from 'vitest';
import { CallToolResultSchema, ReadResourceResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';

const mcpServers = {
  fx: {
    command: process.execPath,
    args: fixtureServerArgs(),
    env: { FIXTURE_NAME: 'fx', FIXTURE_SPECIAL: '1' },
  },
};

async function withHost(clientName: string, settings: object, run: (host: TestHost) => Promise<void>) {
  const host = await TestHost.start({
    config: { settings, mcpServers },
    clientInfo: { name: clientName, version: '1' },
  });
  try {
    await run(host);
  } finally {
    expect((await host.close()).leftovers).toEqual([]);
  }
}

const call = (host: TestHost, name: string, args: Record<string, unknown>) =>
  host.client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema);

describe('oversized results', () => {
  it('Claude Code: a 50,000-token result comes back as its head and a resource_link; the resource holds it whole', async () => {
    await withHost('claude-code', {}, async (host) => {
      const whole = 'x'.repeat(400_000);
      for (const [name, args] of [
        ['fx__huge', { bytes: 400_000 }],
        ['sentinel__call_tool', { name: 'fx__huge', arguments: { bytes: 400_000 } }],
      ] as const) {
        const result = await call(host, name, args);
        expect(result.content).toHaveLength(2);
        const [head, link] = result.content as [
          { type: string; text: string },
          { type: string; uri: string },
        ];
        expect(head.type).toBe('text');
        expect(head.text.startsWith('xxxx')).toBe(true);
        expect(head.text.length).toBeLessThan(100_000);
        expect(head.text).toMatch(/larger than 25,000 tokens .*only its beginning is shown above/);
        expect(link.type).toBe('resource_link');
        expect(link.uri).toMatch(/^sentinel:\/\/results\/[0-9a-f-]{36}$/);
        expect(head.text).toContain(link.uri);
        const read = await host.client.request(
          { method: 'resources/read', params: { uri: link.uri } },
          ReadResourceResultSchema,
        );
        expect(read.contents).toEqual([{ uri: link.uri, mimeType: 'text/plain', text: whole }]);
      }
    });
  });

  it('a result within the limit comes back untouched', async () => {
    await withHost('claude-code', {}, async (host) => {
      const result = await call(host, 'fx__huge', { bytes: 20_000 });
      expect(result.content).toEqual([{ type: 'text', text: 'x'.repeat(20_000) }]);
    });
  });

  it('settings.maxResultTokens applies to any host; without it an unknown host gets results whole', async () => {
    await withHost('some-new-editor', { maxResultTokens: 500 }, async (host) => {
      const result = await call(host, 'fx__huge', { bytes: 8_000 });
      expect(result.content.map((c) => c.type)).toEqual(['text', 'resource_link']);
      expect((result.content[0] as { text: string }).text).toMatch(/larger than 500 tokens/);
    });
    await withHost('some-new-editor', {}, async (host) => {
      const result = await call(host, 'fx__huge', { bytes: 400_000 });
      expect(result.content).toEqual([{ type: 'text', text: 'x'.repeat(400_000) }]);
    });
  });

  it('reading a result that was never kept is an error naming the URI', async () => {
    await withHost('claude-code', {}, async (host) => {
      await expect(
        host.client.request(
          { method: 'resources/read', params: { uri: 'sentinel://results/nothing' } },
          ReadResourceResultSchema,
        ),
      ).rejects.toThrow(/sentinel:\/\/results\/nothing/);
    });
  });
});
