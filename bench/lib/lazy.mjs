/**
 * The lazy, live runtime, measured against today's eager start in the same run: 10 stdio backends
 * (server-everything) listed from a warm manifest cache versus all started; the whole tree's memory after
 * that list; the first call to a backend that is not running versus that backend's own spawn-to-first-answer;
 * a config edit adding one backend (to its tools listed and list_changed sent); and a config edit changing
 * one of 10 running backends (how many of the other 9 keep their process, and so their session).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rawSession } from './hosts.mjs';
import { descendants, peakRss, spawnTracked, stopTree, track } from './proc.mjs';

const N = 10;

function backends(everything, n, extra = {}) {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `b${i}`,
      { ...everything, env: { BENCH_BACKEND: `b${i}` }, ...extra },
    ]),
  );
}

/** Writes the config the way editors save: a new file renamed over the old one. */
function save(path, config) {
  writeFileSync(`${path}.tmp`, JSON.stringify(config, null, 2));
  renameSync(`${path}.tmp`, path);
}

async function open(sentinel, configPath) {
  const started = performance.now();
  const child = spawnTracked(sentinel.command, [...sentinel.args, 'serve', '--config', configPath]);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const session = rawSession(child);
  await session.initialize();
  session.notify('notifications/initialized');
  return {
    child,
    session,
    started,
    stderr: () => stderr,
    close: () => stopTree(child.pid, () => child.stdin.end()),
  };
}

async function waitFor(what, probe, ms = 60_000) {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Backend name → pid, from each child's environment. */
function backendPids(root) {
  const out = {};
  for (const pid of descendants(root)) {
    try {
      const name = /BENCH_BACKEND=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))?.[1];
      if (name && out[name] === undefined) out[name] = pid;
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Spawn → complete tools/list, then the tree's memory with no tool called. */
async function startAndList(sentinel, configPath) {
  const s = await open(sentinel, configPath);
  try {
    const list = await s.session.request('tools/list');
    const listMs = list.at - s.started;
    if (!list.result.tools.some((t) => t.name === `b${N - 1}__echo`))
      throw new Error(`incomplete list\n${s.stderr()}`);
    track(s.child.pid);
    const rss = peakRss(s.child.pid);
    return { listMs, treeMb: rss.treeMb, running: descendants(s.child.pid).length };
  } finally {
    await s.close();
  }
}

/** A backend's own spawn → initialize → first tools/call answered. */
async function directFirstAnswer(everything) {
  const started = performance.now();
  const child = spawnTracked(everything.command, everything.args);
  child.stderr.resume();
  try {
    const session = rawSession(child);
    await session.initialize();
    session.notify('notifications/initialized');
    const listed = await session.request('tools/list');
    const answered = await session.request('tools/call', { name: 'echo', arguments: { message: 'first' } });
    return { firstMs: answered.at - started, listMs: listed.at - started };
  } finally {
    await stopTree(child.pid, () => child.stdin.end());
  }
}

/** With a warm cache and nothing running: the first call to one backend, from request to answer. */
async function firstLazyCall(sentinel, configPath) {
  const s = await open(sentinel, configPath);
  try {
    await s.session.request('tools/list');
    const sent = performance.now();
    const answered = await s.session.request('tools/call', {
      name: 'b3__echo',
      arguments: { message: 'first' },
    });
    return answered.at - sent;
  } finally {
    await s.close();
  }
}

/** Adds one (uncached) backend to a served config: edit → its tools listed and list_changed sent. */
async function addOne(sentinel, configPath, config, everything) {
  save(configPath, config);
  const s = await open(sentinel, configPath);
  try {
    await s.session.request('tools/list');
    const before = s.session.notifications.length;
    const edited = performance.now();
    save(configPath, {
      ...config,
      mcpServers: {
        ...config.mcpServers,
        added: { ...everything, env: { BENCH_BACKEND: `added-${edited}` } },
      },
    });
    const announced = await waitFor('list_changed', () =>
      s.session.notifications.slice(before).find((n) => n.method === 'notifications/tools/list_changed'),
    );
    await waitFor('the added tools', async () =>
      (await s.session.request('tools/list')).result.tools.some((t) => t.name === 'added__echo'),
    );
    return Math.max(announced.at, performance.now()) - edited;
  } finally {
    await s.close();
  }
}

/** Changes one of 10 running backends: how many of the other 9 keep their process. */
async function changeOne(sentinel, configPath, everything) {
  const config = {
    settings: { startupTimeoutMs: 60_000, surface: 'all', start: 'eager' },
    mcpServers: backends(everything, N),
  };
  save(configPath, config);
  const s = await open(sentinel, configPath);
  try {
    await s.session.request('tools/list');
    const before = await waitFor('10 running backends', () => {
      const pids = backendPids(s.child.pid);
      return Object.keys(pids).length === N && pids;
    });
    const servers = {
      ...config.mcpServers,
      b0: { ...config.mcpServers.b0, env: { BENCH_BACKEND: 'b0', CHANGED: '1' } },
    };
    save(configPath, { ...config, mcpServers: servers });
    const after = await waitFor('b0 restarted', () => {
      const pids = backendPids(s.child.pid);
      return pids.b0 !== undefined && pids.b0 !== before.b0 && pids;
    });
    return Array.from({ length: N - 1 }, (_, i) => `b${i + 1}`).filter((name) => after[name] === before[name])
      .length;
  } finally {
    await s.close();
  }
}

export async function measureLazy({ sentinel, everything, writeConfig, rounds }) {
  // The complete list, as in the startup measures: no search surface for a catalog this large.
  const settings = { startupTimeoutMs: 60_000, surface: 'all' };
  const lazyPath = writeConfig('lazy-10', backends(everything, N), settings);
  const eagerPath = writeConfig('eager-10', backends(everything, N), { ...settings, start: 'eager' });
  // Fill the cache once (an eager start writes every backend's manifest).
  await startAndList(sentinel, eagerPath);
  const out = { eager: [], lazy: [], direct: [], firstCall: [], added: [], kept: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? ['lazy', 'eager'] : ['eager', 'lazy'];
    for (const kind of order)
      out[kind].push(await startAndList(sentinel, kind === 'lazy' ? lazyPath : eagerPath));
    out.direct.push(await directFirstAnswer(everything));
    out.firstCall.push(await firstLazyCall(sentinel, lazyPath));
    const editPath = writeConfig(`edit-add-${round}`, {}, settings);
    out.added.push(
      await addOne(sentinel, editPath, { settings, mcpServers: backends(everything, N) }, everything),
    );
    out.kept.push(await changeOne(sentinel, writeConfig(`edit-change-${round}`, {}, settings), everything));
  }
  return out;
}
