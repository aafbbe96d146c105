/**
 * A secret planted by a backend in every place it can reach the host or the log: a JSON-RPC error's message,
 * data and keys, a log notification, a progress message, a non-JSON stdout line (the secret past the cut at
 * column 200) and a long stderr line (past the cut at 2,000). None of it, whole or any 10-character piece,
 * reaches the host's stdout or our stderr, whether the request took the tool-call fast path or the SDK
 * server's (a resource read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { sendRaw, stdoutMessages, waitForResponse } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'Zq7XvK2pL9mW4tR8yB3nC6hJ1fD5sG0aQe';

function pieces(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 10 <= SECRET.length; i++) {
    const piece = SECRET.slice(i, i + 10);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
}

describe('secrets planted by a backend', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await TestHost.start({
      config: {
        mcpServers: {
          raw: {
            command: process.execPath,
            args: [fixture('raw-backend.mjs')],
            env: { RAW_SECRET: 'secret:planted' },
          },
        },
      },
      env: { MCP_SENTINEL_SECRET_PLANTED: SECRET },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
  });

  it('never show in an error relayed to the host (message, data, keys), nor any piece of them', async () => {
    sendRaw(
      host,
      JSON.stringify({ jsonrpc: '2.0', id: 'leak', method: 'tools/call', params: { name: 'raw__leak' } }) +
        '\n',
    );
    const response = await waitForResponse(host, 'leak');
    const error = response.error as { code: number; message: string; data: Record<string, unknown> };
    expect(error.code).toBe(-32000);
    expect(error.message).toBe('upstream refused token=[redacted]');
    expect(error.data).toMatchObject({ token: '[redacted]', nested: [{ header: 'Bearer [redacted]' }] });
    expect(error.data['[redacted]']).toBe('as a key');
    expect(pieces(host.stdoutLines.join('\n'))).toEqual([]);
  });

  it('never show in log and progress notifications, stray stdout lines or stderr lines', async () => {
    sendRaw(
      host,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'lines',
        method: 'tools/call',
        params: { name: 'raw__leak-lines', _meta: { progressToken: 'p1' } },
      }) + '\n',
    );
    await waitForResponse(host, 'lines');
    await host.waitForStderr(/skipped a non-JSON-RPC line on stdout: n+\[redacted\]/);
    await host.waitForStderr(/e{1000}\[redacted\]/);
    const notifications = await waitFor('the log and progress notifications', () => {
      const seen = stdoutMessages(host).filter(
        (m) => m.method === 'notifications/message' || m.method === 'notifications/progress',
      );
      return seen.length >= 2 && seen;
    });
    expect(JSON.stringify(notifications)).toContain('[redacted]');
    expect(pieces(host.stdoutLines.join('\n'))).toEqual([]);
    expect(pieces(host.stderr)).toEqual([]);
  });

  it('never show in the log, progress and error of a request on the SDK path (a resource read)', async () => {
    sendRaw(
      host,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'read',
        method: 'resources/read',
        params: { uri: 'raw://leak', _meta: { progressToken: 'r1' } },
      }) + '\n',
    );
    const response = await waitForResponse(host, 'read');
    const error = response.error as { code: number; message: string; data: Record<string, unknown> };
    expect(error.code).toBe(-32001);
    expect(error.message).toMatch(/cannot read with \[redacted\]$/);
    expect(error.data).toEqual({ credential: '[redacted]' });
    const seen = await waitFor('the log and progress notifications of the read', () => {
      const messages = stdoutMessages(host).filter(
        (m) =>
          (m.method === 'notifications/message' &&
            (m.params as { logger?: string }).logger === 'raw/reader') ||
          (m.method === 'notifications/progress' &&
            (m.params as { progressToken?: string }).progressToken === 'r1'),
      );
      return messages.length >= 2 && messages;
    });
    expect(seen.map((m) => m.params)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ data: 'read with [redacted]' }),
        expect.objectContaining({ message: 'reading as [redacted]' }),
      ]),
    );
    expect(pieces(host.stdoutLines.join('\n'))).toEqual([]);
    expect(pieces(host.stderr)).toEqual([]);
  });
});
