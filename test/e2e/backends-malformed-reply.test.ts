/**
 * A backend reply that the SDK's strict envelope schema would drop (an extra top-level key) fails its request
 * at once with a reason, instead of leaving it to time out.
 */
import { describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';

const fixtureServer = (name: string, env: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: fixtureServerArgs(),
  env: { FIXTURE_NAME: name, ...env },
  ...extra,
});

describe('a backend reply with an envelope the SDK would drop', () => {
  it('fails the request at once as malformed, and the backend keeps working', async () => {
    const host = await TestHost.start({
      config: {
        mcpServers: { fx: fixtureServer('fx', { FIXTURE_MALFORMED_PROMPT: '1' }, { timeoutMs: 8_000 }) },
      },
    });
    try {
      const started = Date.now();
      await expect(host.client.getPrompt({ name: 'fx__greet' })).rejects.toThrow(
        /malformed JSON-RPC response/,
      );
      expect(Date.now() - started).toBeLessThan(2_000);
      const result = await host.client.callTool({ name: 'fx__echo', arguments: { after: 1 } });
      expect(result.content).toEqual([{ type: 'text', text: 'fx/echo: {"after":1}' }]);
      expect(host.nonProtocolStdout()).toEqual([]);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});
