/**
 * Startup and memory: N stdio backends launched in parallel by the benchmark itself (direct) versus the
 * same N behind one mcp-sentinel. Times run from the spawn to `initialize` answered and to the first
 * complete `tools/list`; memory is each process's peak RSS (VmHWM) after a few calls to every backend.
 */
import { rawSession } from './hosts.mjs';
import { peakRss, peakRssOf, spawnTracked, stopTree, track } from './proc.mjs';

const CALLS_PER_BACKEND = 20;

async function exercise(session, names) {
  for (let i = 0; i < CALLS_PER_BACKEND; i++) {
    await Promise.all(
      names.map((name) => session.request('tools/call', { name, arguments: { message: `call ${i}` } })),
    );
  }
}

/** N backends spawned at once, each initialized and listed over its own stdio. */
export async function startDirect(backend, n, { memory = false } = {}) {
  const started = performance.now();
  const children = [];
  try {
    const listed = await Promise.all(
      Array.from({ length: n }, async () => {
        const child = spawnTracked(backend.command, backend.args);
        children.push(child);
        child.stderr.resume();
        const session = rawSession(child);
        const init = await session.initialize();
        session.notify('notifications/initialized');
        const list = await session.request('tools/list');
        return { session, initMs: init.at - started, listMs: list.at - started };
      }),
    );
    const result = {
      initMs: Math.max(...listed.map((l) => l.initMs)),
      listMs: Math.max(...listed.map((l) => l.listMs)),
    };
    if (memory) {
      await Promise.all(listed.map(({ session }) => exercise(session, ['echo'])));
      result.treeMb = peakRssOf(children.map((c) => c.pid));
    }
    return result;
  } finally {
    await Promise.all(children.map((child) => stopTree(child.pid, () => child.stdin.end())));
  }
}

/** One mcp-sentinel in front of N stdio backends. */
export async function startSentinel(sentinel, configPath, n, { memory = false } = {}) {
  const started = performance.now();
  const child = spawnTracked(sentinel.command, [...sentinel.args, 'serve', '--config', configPath]);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  try {
    const session = rawSession(child);
    const init = await session.initialize();
    session.notify('notifications/initialized');
    const list = await session.request('tools/list');
    const names = Array.from({ length: n }, (_, i) => `b${i}__echo`);
    const listedNames = new Set(list.result.tools.map((t) => t.name));
    const missing = names.filter((name) => !listedNames.has(name));
    if (missing.length) throw new Error(`mcp-sentinel listed no ${missing.join(', ')}\n${stderr}`);
    track(child.pid);
    const result = { initMs: init.at - started, listMs: list.at - started, tools: list.result.tools.length };
    if (memory) {
      await exercise(session, names);
      const rss = peakRss(child.pid);
      result.ownMb = rss.ownMb;
      result.treeMb = rss.treeMb;
    }
    return result;
  } finally {
    await stopTree(child.pid, () => child.stdin.end());
  }
}
