/**
 * sentinel__call_tool is the direct call it names, over a stdio backend (the fast path) and a Streamable
 * HTTP one (the SDK path): progress notifications reach the host under its own token, a host cancellation
 * reaches the backend, and a JSON-RPC error or a malformed call_tool comes back as an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost } from '../helpers/host.js';
import {
  behaviourBackend,
  readRecord,
  sendRaw,
  sendRawCancel,
  stdoutMessages,
  TRANSPORTS,
  waitForResponse,
  type BehaviourBackend,
} from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

describe.each(TRANSPORTS.filter((t) => t !== 'sse'))('call_tool to a %s backend', (transport) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-call-tool-'));
  const record = join(dir, 'record.jsonl');
  let backend: BehaviourBackend;
  let host: TestHost;

  beforeAll(async () => {
    backend = await behaviourBackend(transport, 'fx', { FIXTURE_RECORD: record });
    host = await TestHost.start({
      config: { settings: { surface: 'search' }, mcpServers: { fx: backend.entry } },
    });
  });
  afterAll(async () => {
    const closed = await host?.close();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
    expect(closed?.leftovers).toEqual([]);
  });

  it('relays the progress of the call under the host’s token, before the result, as a direct call does', async () => {
    // Read the wire, not the SDK client, which can drop a progress sent in the same chunk (sdk #2580).
    const wire = async (id: string, name: string, args: Record<string, unknown>) => {
      sendRaw(
        host,
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name, arguments: args, _meta: { progressToken: id } },
        }) + '\n',
      );
      const response = await waitForResponse(host, id);
      const messages = stdoutMessages(host);
      const progress = messages
        .map((m, index) => ({ m, index }))
        .filter(
          ({ m }) =>
            m.method === 'notifications/progress' &&
            (m.params as { progressToken?: string }).progressToken === id,
        );
      expect(progress.at(-1)!.index).toBeLessThan(messages.findIndex((m) => m.id === id && !('method' in m)));
      return {
        result: response.result,
        progress: progress.map(({ m }) => ({ ...(m.params as object), progressToken: 'T' })),
      };
    };
    const direct = await wire(`direct-${transport}`, 'fx__progress', { steps: 3 });
    const through = await wire(`through-${transport}`, 'sentinel__call_tool', {
      name: 'fx__progress',
      arguments: { steps: 3 },
    });
    expect(direct.progress.map((p) => (p as unknown as { message: string }).message)).toEqual([
      'step 1',
      'step 2',
      'step 3',
    ]);
    expect(through).toEqual(direct);
  });

  it('passes a host cancellation on to the backend', async () => {
    const calls = () => readRecord(record).filter((e) => e.event === 'call').length;
    const before = calls();
    const id = `call-tool-cancel-${transport}`;
    host.transport.sendRaw(
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'sentinel__call_tool', arguments: { name: 'fx__hang' } },
      }) + '\n',
    );
    await waitFor('the call to reach fx', () => calls() > before);
    sendRawCancel(host, id);
    await waitFor('fx to see the cancellation', () =>
      readRecord(record).find((e) => e.event === 'cancelled'),
    );
  });

  it('answers a backend error and a malformed call_tool as errors', async () => {
    const call = (args: Record<string, unknown>) =>
      host.client.request(
        { method: 'tools/call', params: { name: 'sentinel__call_tool', arguments: args } },
        CallToolResultSchema,
      );
    await expect(call({ name: 'fx__fail' })).rejects.toMatchObject({ code: -32042 });
    await expect(call({ arguments: {} })).rejects.toThrow(/sentinel__call_tool needs "name"/);
    await expect(call({ name: 'nope__nothing' })).rejects.toThrow(/Unknown tool: nope__nothing/);
  });
});
