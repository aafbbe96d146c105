/**
 * Shared pieces of the reliability tests: fixture-server entries with switches, a reader of the fixture's
 * event record, raw JSON-RPC over the host's stdio, and waiting for a condition.
 */
import { readFileSync, existsSync } from 'node:fs';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { TestHost } from './host.js';
import { fixture } from './paths.js';

export function fixtureServer(
  name: string,
  env: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    command: process.execPath,
    args: [fixture('fixture-server.mjs')],
    env: { FIXTURE_NAME: name, FIXTURE_SPECIAL: '1', ...env },
    ...extra,
  };
}

/** Settings that keep restarts quick in tests. */
export const FAST_RESTARTS = {
  restart: { initialDelayMs: 50, maxDelayMs: 200, maxRestarts: 20, windowMs: 60_000 },
};

export interface FixtureEvent {
  name: string;
  pid: number;
  event: string;
  [key: string]: unknown;
}

export function readRecord(path: string): FixtureEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FixtureEvent);
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function callTool(
  host: TestHost,
  name: string,
  args: Record<string, unknown> = {},
  options: { signal?: AbortSignal; timeout?: number } = {},
) {
  const result = await host.client.request(
    { method: 'tools/call', params: { name, arguments: args } },
    CallToolResultSchema,
    options,
  );
  const first = result.content[0];
  return { text: first?.type === 'text' ? first.text : '', isError: result.isError === true };
}

/** Parsed stdout lines of the sentinel (every one is JSON-RPC; the tests check that separately). */
export function stdoutMessages(host: TestHost): Record<string, unknown>[] {
  return host.stdoutLines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The responses the sentinel wrote for `id`. */
export function responsesTo(host: TestHost, id: string | number | null): Record<string, unknown>[] {
  return stdoutMessages(host).filter((m) => 'id' in m && !('method' in m) && m.id === id);
}

/** Sends one raw line (or any text) to the sentinel's stdin, bypassing the SDK client. */
export function sendRaw(host: TestHost, text: string): void {
  host.transport.sendRaw(text);
}

export async function waitForResponse(
  host: TestHost,
  id: string | number | null,
  ms = 10_000,
): Promise<Record<string, unknown>> {
  return waitFor(`a response to ${JSON.stringify(id)}`, () => responsesTo(host, id)[0], ms);
}
