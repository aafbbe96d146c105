/**
 * What a host gets through mcp-sentinel is what it would get from the backends directly: resources a tool
 * returned can be read, the log level and subscriptions survive a backend's restart, the backends' own
 * instructions reach the host under their prefixes, completions of unknown targets are refused, and only
 * the capabilities some backend has are advertised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { EVERYTHING } from '../helpers/paths.js';
import { FAST_RESTARTS, behaviourServer, readRecord } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

const everything = (extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [EVERYTHING, 'stdio'],
  ...extra,
});

const GZIP_INPUT = `data:text/plain;base64,${Buffer.from('hello, resources').toString('base64')}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-fidelity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One host for the checks that leave its state as it was: resources read back, completions refused.
describe('resources a backend returned, and completions of unknown targets', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await TestHost.start({
      config: { mcpServers: { everything: everything(), fx: behaviourServer('fx') } },
    });
  });
  afterAll(async () => {
    expect((await host.close()).leftovers).toEqual([]);
  });

  it('reads a resource_link a tool returned, from the backend that returned it', async () => {
    const result = await host.client.callTool({
      name: 'everything__gzip-file-as-resource',
      arguments: { name: 'hello.txt.gz', data: GZIP_INPUT, outputType: 'resourceLink' },
    });
    const link = (result.content as { type: string; uri?: string }[]).find((c) => c.type === 'resource_link');
    expect(link?.uri).toBeDefined();
    // Read at once: everything lists the new resource too, but only after its list_changed round trip.
    const read = await host.client.readResource({ uri: link!.uri! });
    expect(read.contents[0]).toMatchObject({ uri: link!.uri, mimeType: 'application/gzip' });
    expect((read.contents[0] as { blob?: string }).blob).toMatch(/^H4sI/); // gzip, base64
  });

  it('reads an embedded resource a tool returned by its URI', async () => {
    const result = await host.client.callTool({
      name: 'everything__gzip-file-as-resource',
      arguments: { name: 'embedded.txt.gz', data: GZIP_INPUT, outputType: 'resource' },
    });
    const embedded = (result.content as { type: string; resource?: { uri: string } }[]).find(
      (c) => c.type === 'resource',
    );
    const read = await host.client.readResource({ uri: embedded!.resource!.uri });
    expect(read.contents[0]).toMatchObject({ uri: embedded!.resource!.uri });
  });

  it('asks the backends that serve resources in turn for a URI nobody listed or returned', async () => {
    // everything refuses the URI as unknown; the fixture (which reads any URI) has it.
    const read = await host.client.readResource({ uri: 'fixture://fx/unlisted' });
    expect(read.contents).toEqual([
      { uri: 'fixture://fx/unlisted', mimeType: 'text/plain', text: 'info of fx' },
    ]);
  });

  it('refuses completions for an unknown prompt or resource template with -32602', async () => {
    const complete = (ref: Record<string, string>) =>
      host.client.complete({ ref: ref as never, argument: { name: 'x', value: '' } }).then(
        () => undefined,
        (e: unknown) => e as { code: number },
      );
    expect(await complete({ type: 'ref/prompt', name: 'no-such-prompt' })).toMatchObject({ code: -32602 });
    expect(await complete({ type: 'ref/resource', uri: 'nowhere://{x}' })).toMatchObject({ code: -32602 });
  });
});

describe('the log level and subscriptions across backend restarts', () => {
  it('sends the host\u2019s log level to a backend that was not up yet, and again after it restarted', async () => {
    const record = join(dir, 'level.jsonl');
    const host = await TestHost.start({
      config: {
        settings: FAST_RESTARTS,
        mcpServers: {
          late: behaviourServer('late', {
            FIXTURE_RECORD: record,
            FIXTURE_FAIL_FIRST_START: join(dir, 'late-started-once'),
          }),
        },
      },
    });
    try {
      await host.client.setLoggingLevel('error');
      const first = await waitFor('setLevel at the backend once it is up', () =>
        readRecord(record).find((e) => e.event === 'setLevel'),
      );
      expect(first.level).toBe('error');
      await callTool(host, 'late__crash').catch(() => undefined);
      const second = await waitFor('setLevel at the restarted backend', () =>
        readRecord(record).find((e) => e.event === 'setLevel' && e.pid !== first.pid),
      );
      expect(second.level).toBe('error');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  }, 30_000);

  it('renews a resource subscription at a backend that restarted, and updates reach the host', async () => {
    const record = join(dir, 'subscribe.jsonl');
    const host = await TestHost.start({
      config: {
        settings: FAST_RESTARTS,
        mcpServers: { fx: behaviourServer('fx', { FIXTURE_RECORD: record }) },
      },
      connect: false,
    });
    const updated: string[] = [];
    host.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await host.client.connect(host.transport);
    try {
      const uri = 'fixture://fx/info';
      await host.client.subscribeResource({ uri });
      const first = await waitFor('the first subscribe', () =>
        readRecord(record).find((e) => e.event === 'subscribe'),
      );
      await callTool(host, 'fx__crash').catch(() => undefined);
      await waitFor('the subscription renewed at the restarted backend', () =>
        readRecord(record).find((e) => e.event === 'subscribe' && e.pid !== first.pid && e.uri === uri),
      );
      expect((await callTool(host, 'fx__touch', { uri })).text).toBe('touched');
      await waitFor('resources/updated at the host', () => updated.includes(uri));
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  }, 30_000);
});

describe('instructions', () => {
  it('passes each backend\u2019s instructions under its public prefix', async () => {
    const host = await TestHost.start({
      config: { mcpServers: { everything: everything({ prefix: 'ev' }), fx: behaviourServer('fx') } },
    });
    try {
      const instructions = host.client.getInstructions() ?? '';
      expect(instructions).toContain('ev__ (everything)');
      expect(instructions).toContain('fx__ (fx)');
      expect(instructions).toContain('## everything (names starting ev__)\n# Everything Server');
      expect(Buffer.byteLength(instructions)).toBeLessThanOrEqual(2048);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('says nothing about prefixes when names have none', async () => {
    const host = await TestHost.start({
      config: { mcpServers: { everything: everything({ prefix: '' }) } },
    });
    try {
      const instructions = host.client.getInstructions() ?? '';
      expect(instructions).toContain('Everything Server');
      expect(instructions).not.toMatch(/prefix/i);
      expect(instructions).not.toContain('everything__');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});

describe('capabilities', () => {
  it('advertises prompts, resources and completions only when some backend has them', async () => {
    const host = await TestHost.start({
      config: {
        mcpServers: { broken: behaviourServer('broken', { FIXTURE_MODE: 'crash-on-start' }) },
      },
    });
    try {
      const capabilities = host.client.getServerCapabilities();
      expect(capabilities).toMatchObject({ tools: { listChanged: true } });
      expect(capabilities?.prompts).toBeUndefined();
      // mcp-sentinel's own resources (kept results) are there, but nobody takes subscriptions.
      expect(capabilities?.resources).toEqual({ listChanged: true });
      expect(capabilities?.completions).toBeUndefined();
      expect(capabilities?.tasks).toBeUndefined();
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
    const fixtureOnly = await TestHost.start({ config: { mcpServers: { fx: behaviourServer('fx') } } });
    try {
      const capabilities = fixtureOnly.client.getServerCapabilities();
      expect(capabilities?.prompts).toBeDefined();
      expect(capabilities?.resources).toEqual({ subscribe: true, listChanged: true });
      expect(capabilities?.completions).toBeUndefined();
    } finally {
      expect((await fixtureOnly.close()).leftovers).toEqual([]);
    }
  });
});
