/**
 * Catalog scale: 20 backends × 50 tools behind mcp-sentinel, against one backend that lists the same
 * 1,000 tools itself; the time to answer `tools/list` once everything is warm, seen by a lean host
 * (JSON lines, no SDK) so that the host's own parsing is as small a part of it as it can be.
 */
import { rawSession } from './hosts.mjs';
import { spawnTracked, stopTree } from './proc.mjs';
import { percentile, rotate } from './stats.mjs';

const BACKENDS = 20;
const TOOLS_EACH = 50;
const WARMUP = 10;
const CALLS = 30;

async function open(label, command, args, env) {
  const child = spawnTracked(command, args, { env });
  child.stderr.resume();
  const session = rawSession(child);
  await session.initialize();
  session.notify('notifications/initialized');
  return { label, child, session };
}

export async function measureCatalog({ sentinel, toolsServer, writeConfig, rounds }) {
  const node = process.execPath;
  const config = writeConfig(
    'catalog',
    Object.fromEntries(
      Array.from({ length: BACKENDS }, (_, i) => [
        `b${i}`,
        { command: node, args: [toolsServer], env: { TOOLS: String(TOOLS_EACH) } },
      ]),
    ),
    // The full list against the full list: `auto` would give a host this large a catalog the search surface.
    { startupTimeoutMs: 60_000, surface: 'all' },
  );
  const columns = [];
  try {
    columns.push(
      await open('direct', node, [toolsServer], { ...process.env, TOOLS: String(BACKENDS * TOOLS_EACH) }),
    );
    columns.push(
      await open('sentinel', sentinel.command, [...sentinel.args, 'serve', '--config', config], process.env),
    );
    const out = { tools: {}, p50: { direct: [], sentinel: [] } };
    for (const column of columns) {
      for (let i = 0; i < WARMUP; i++)
        out.tools[column.label] = (await column.session.request('tools/list')).result.tools.length;
    }
    for (let round = 0; round < rounds; round++) {
      for (const column of rotate(columns, round)) {
        const samples = [];
        for (let i = 0; i < CALLS; i++) {
          const t = performance.now();
          const { at } = await column.session.request('tools/list');
          samples.push(at - t);
        }
        out.p50[column.label].push(percentile(samples, 50));
      }
    }
    return out;
  } finally {
    await Promise.all(columns.map(({ child }) => stopTree(child.pid, () => child.stdin.end())));
  }
}
