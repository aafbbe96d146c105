/**
 * The warm start, through the built CLI: with every backend lazy and cached, `serve` answers `initialize`
 * and the lists from the manifests before its SDK server and backend layer exist. Those early answers must
 * be what the full path says: the same config started eagerly (every backend running), and the full
 * server of the warm session itself once it is up, give the same capabilities, instructions, server info
 * and lists, for a plain host and for one whose tool surface is search. An edit of the config made while
 * the full server is still loading is not lost.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, EVERYTHING } from '../helpers/paths.js';
import { descendantsOf, waitGone } from '../helpers/processes.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const LISTS = ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list'] as const;

const dirs: string[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) expect(await session.close()).toEqual([]);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A host speaking raw JSON-RPC, so that results are compared exactly as they were sent. */
class Session {
  private nextId = 1;
  private buffer = '';
  private readonly waiting = new Map<number, (message: Record<string, unknown>) => void>();
  readonly notifications: string[] = [];
  stderr = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const message = JSON.parse(this.buffer.slice(0, newline)) as Record<string, unknown>;
        this.buffer = this.buffer.slice(newline + 1);
        if (typeof message.id === 'number') this.waiting.get(message.id)?.(message);
        else if (typeof message.method === 'string') this.notifications.push(message.method);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
  }

  static open(configPath: string, cache: string): Session {
    const child = spawn(process.execPath, [CLI, 'serve', '--config', configPath, '--log-level', 'debug'], {
      env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: cache },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const session = new Session(child);
    sessions.push(session);
    return session;
  }

  request(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method}\n${this.stderr}`)), 30_000);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result as Record<string, unknown>);
      });
    });
    this.send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
    return answered;
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  /** initialize, initialized, then every list at once, as hosts do. */
  async start(clientInfo: { name: string; version: string }) {
    const initialize = await this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo,
    });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return { initialize, lists: await this.lists() };
  }

  async lists() {
    const answers = await Promise.all(LISTS.map((method) => this.request(method)));
    return Object.fromEntries(LISTS.map((method, i) => [method, answers[i]]));
  }

  processTree(): number[] {
    return descendantsOf(this.child.pid!);
  }

  async close(): Promise<number[]> {
    sessions.splice(sessions.indexOf(this), 1);
    const tree = this.processTree();
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
    return waitGone(tree, 3_000);
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-warm-'));
  dirs.push(dir);
  return dir;
}

function manifestCount(cache: string): number {
  try {
    return readdirSync(join(cache, 'mcp-sentinel', 'manifests')).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

/** Backends with instructions, prompts, resources and templates (twice: collisions), filters, a pin, one disabled. */
const servers = {
  everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], prefix: 'ev' },
  again: { command: process.execPath, args: [EVERYTHING, 'stdio'], tools: { exclude: ['get-*'] } },
  fx: fixtureServer(
    'fx',
    { FIXTURE_TOOLS: 'echo,other,third' },
    {
      tools: { exclude: ['third'] },
      pin: ['echo'],
      resources: { exclude: ['fixture://fx/*'] },
    },
  ),
  off: fixtureServer('off', {}, { disabled: true }),
};

async function compare(settings: Record<string, unknown>, clientInfo: { name: string; version: string }) {
  const dir = tempDir();
  const cache = join(dir, 'cache');
  const write = (name: string, extra: Record<string, unknown>) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ mcpServers: servers, settings: { ...settings, ...extra } }));
    return path;
  };

  // The full path with every backend running (this also fills the cache: 2 distinct launch specs).
  const eager = Session.open(write('eager', { start: 'eager' }), cache);
  const full = await eager.start(clientInfo);
  await waitFor('the manifests', () => manifestCount(cache) >= 2);
  expect(await eager.close()).toEqual([]);

  const warm = Session.open(write('lazy', {}), cache);
  const early = await warm.start(clientInfo);
  expect(warm.processTree()).toEqual([]);
  // The full server, handed the same requests once up, answered them too: its answers were dropped.
  await waitFor('the full server', () => warm.stderr.includes('dropped a second response'));
  const later = await warm.lists();
  expect(warm.processTree()).toEqual([]);

  expect(early.initialize).toEqual(full.initialize);
  expect(early.lists).toEqual(full.lists);
  expect(later).toEqual(full.lists);
  return full;
}

describe('the warm start answers from the manifests what the full path answers', () => {
  it('for a host that gets every tool', async () => {
    const full = await compare({ surface: 'all' }, { name: 'test-host', version: '1.0.0' });
    const tools = (full.lists['tools/list'] as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toContain('ev__echo');
    expect(tools).toContain('fx__echo');
    expect(tools).not.toContain('fx__third');
    expect(full.initialize.instructions).toEqual(expect.stringContaining('ev__'));
    expect(full.initialize.capabilities).toMatchObject({ prompts: {}, resources: {}, completions: {} });
  });

  it('for Claude Code with the search surface', async () => {
    const full = await compare({ surface: 'search' }, { name: 'claude-code', version: '2.0.0' });
    const tools = (full.lists['tools/list'] as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['sentinel__find_tools', 'fx__echo']));
  });
});

describe('an edit of the config during the warm start', () => {
  it('is applied once the full server is up: the added backend is listed and list_changed sent', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const path = join(dir, 'config.json');
    const save = (mcpServers: object) => {
      writeFileSync(`${path}.tmp`, JSON.stringify({ mcpServers }));
      renameSync(`${path}.tmp`, path); // as editors save
    };
    const base = { a: fixtureServer('a'), b: fixtureServer('b') };
    save(base);
    const first = Session.open(path, cache);
    await first.start({ name: 'test-host', version: '1.0.0' });
    await waitFor('the manifests', () => manifestCount(cache) >= 2);
    expect(await first.close()).toEqual([]);

    const warm = Session.open(path, cache);
    await warm.start({ name: 'test-host', version: '1.0.0' });
    save({ ...base, added: fixtureServer('added') }); // at once, before the watcher can exist
    const names = async () =>
      ((await warm.request('tools/list')) as { tools: { name: string }[] }).tools.map((t) => t.name).sort();
    await waitFor('the added tools', async () => (await names()).includes('added__echo'));
    expect(await names()).toEqual(['a__echo', 'a__env', 'added__echo', 'added__env', 'b__echo', 'b__env']);
    await waitFor('list_changed', () => warm.notifications.includes('notifications/tools/list_changed'));
  });
});

describe('a tool call during the warm start', () => {
  it("spawns just that call's backend, once, while the full server loads, and is answered", async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const record = join(dir, 'events.log');
    const path = join(dir, 'config.json');
    const withRecord = { FIXTURE_RECORD: record };
    writeFileSync(
      path,
      JSON.stringify({
        mcpServers: { a: fixtureServer('a', withRecord), b: fixtureServer('b', withRecord) },
      }),
    );
    const first = Session.open(path, cache);
    await first.start({ name: 'test-host', version: '1.0.0' });
    await waitFor('the manifests', () => manifestCount(cache) >= 2);
    expect(await first.close()).toEqual([]);
    rmSync(record, { force: true });

    const warm = Session.open(path, cache);
    await warm.start({ name: 'test-host', version: '1.0.0' });
    // Sent the moment the lists are in: the full server is still loading.
    const result = (await warm.request('tools/call', { name: 'a__echo', arguments: { text: 'hi' } })) as {
      content: { text: string }[];
    };
    expect(JSON.stringify(result.content)).toContain('hi');
    const starts = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; event: string })
      .filter((event) => event.event === 'start');
    expect(starts.map((event) => event.name)).toEqual(['a']);
    expect(warm.stderr).not.toMatch(/error/i);
  });
});
