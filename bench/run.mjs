/**
 * `npm run bench`: mcp-sentinel against a direct connection to the same backend, in the same run, plus
 * the floor (a parse-and-forward relay). Prints a table and writes results/latest.json and latest.md.
 *
 *   node bench/run.mjs [--rounds N] [--only calls,startup,catalog,oauth,search,lazy]
 *
 * Every process it starts is in its own process group and is ended before it exits (lib/proc.mjs).
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAll, leftovers } from './lib/proc.mjs';
import { httpHost, stdioHost } from './lib/hosts.mjs';
import { measureCalls } from './lib/calls.mjs';
import { startDirect, startSentinel } from './lib/startup.mjs';
import { startHttpServer } from './lib/servers.mjs';
import { measureCatalog } from './lib/catalog.mjs';
import { measureOAuth } from './lib/oauth.mjs';
import { measureLazy } from './lib/lazy.mjs';
import { measureToolSearch } from './lib/tool-search.mjs';
import { buildReport, machine } from './lib/report.mjs';
import { rotate } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const NODE = process.execPath;
const SENTINEL = { command: NODE, args: [join(ROOT, 'bin/mcp-sentinel.js')] };
const RELAY = join(ROOT, 'bench/relay.mjs');
const TOOLS_SERVER = join(ROOT, 'bench/fixtures/tools-server.mjs');

const { values: options } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, only: { type: 'string' } },
});
const ROUNDS = Number(options.rounds);
const sections = new Set((options.only ?? 'calls,startup,catalog,oauth,search,lazy').split(','));

const work = mkdtempSync(join(tmpdir(), 'mcp-sentinel-bench-'));
// Every mcp-sentinel of this run keeps its manifest cache here, never in the user's own cache directory.
process.env.XDG_CACHE_HOME = join(work, 'cache');
const writeConfig = (name, mcpServers, settings = {}) => {
  const path = join(work, `${name}.json`);
  writeFileSync(path, JSON.stringify({ mcpServers, settings }, null, 2));
  return path;
};
const everythingStdio = { command: NODE, args: [EVERYTHING, 'stdio'] };
const log = (line) => process.stderr.write(`bench: ${line}\n`);

process.on('exit', killAll);
// The SDK's HTTP client transports add an abort listener per request to one long-lived signal; Node
// warns past its limit on every request after that. Say it once instead of thousands of times.
process.removeAllListeners('warning');
const warned = new Set();
process.on('warning', (warning) => {
  if (!warned.has(warning.name)) log(`(once) ${warning.name}: ${warning.message}`);
  warned.add(warning.name);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

const CALL_PLAN = { rounds: ROUNDS, calls: 400, parallelCalls: 1_600, payloadCalls: 12, warmup: 200 };

/** The mcp-sentinel column of a per-call table: `serve` with `config`, calling the echo of backend `e`. */
async function sentinelColumn(config) {
  return {
    ...(await stdioHost('sentinel', SENTINEL.command, [...SENTINEL.args, 'serve', '--config', config])),
    tool: 'e__echo',
  };
}

async function callsOverStdio() {
  log('per-call over stdio: direct, relay, mcp-sentinel');
  const config = writeConfig('stdio', { e: everythingStdio });
  const columns = [];
  try {
    columns.push({ ...(await stdioHost('direct', NODE, [EVERYTHING, 'stdio'])), tool: 'echo' });
    columns.push({ ...(await stdioHost('relay', NODE, [RELAY, NODE, EVERYTHING, 'stdio'])), tool: 'echo' });
    columns.push(await sentinelColumn(config));
    return await measureCalls(columns, CALL_PLAN);
  } finally {
    await Promise.all(columns.map((c) => c.close()));
  }
}

async function callsOverHttp(mode, type, path) {
  log(`per-call over ${type}: direct, mcp-sentinel`);
  const server = await startHttpServer(EVERYTHING, [mode]);
  const url = `http://127.0.0.1:${server.port}${path}`;
  const config = writeConfig(type, { e: { type, url } });
  const columns = [];
  try {
    columns.push({ ...(await httpHost('direct', url, type)), tool: 'echo' });
    columns.push(await sentinelColumn(config));
    return await measureCalls(columns, CALL_PLAN);
  } finally {
    await Promise.all(columns.map((c) => c.close()));
    await server.close();
  }
}

async function startup() {
  const counts = [1, 5, 10, 20];
  const rounds = Math.max(2, Math.min(3, ROUNDS));
  const out = {};
  for (const n of counts) {
    log(`startup with ${n} stdio backend(s), ${rounds} rounds`);
    const config = writeConfig(
      `startup-${n}`,
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`b${i}`, everythingStdio])),
      // Today's start: every backend at once, whatever the manifest cache holds (lazy start is measured
      // apart), and the complete list (no search surface for a catalog this large).
      { startupTimeoutMs: 60_000, start: 'eager', surface: 'all' },
    );
    const memory = n === 1 || n === 10;
    const runs = { direct: [], sentinel: [] };
    const kinds = {
      direct: () => startDirect(everythingStdio, n, { memory }),
      sentinel: () => startSentinel(SENTINEL, config, n, { memory }),
    };
    for (let round = 0; round < rounds; round++) {
      for (const kind of rotate(Object.keys(kinds), round)) runs[kind].push(await kinds[kind]());
    }
    out[n] = runs;
  }
  log('spawn → initialize answered: relay and direct, for reference');
  out.relayInit = [];
  for (let round = 0; round < rounds; round++) {
    out.relayInit.push(await startDirect({ command: NODE, args: [RELAY, NODE, EVERYTHING, 'stdio'] }, 1));
  }
  return out;
}

const results = { machine: machine(), startedAt: new Date().toISOString(), rounds: ROUNDS, plan: CALL_PLAN };
const began = performance.now();
try {
  if (sections.has('calls')) {
    results.stdio = await callsOverStdio();
    results.http = await callsOverHttp('streamableHttp', 'streamable-http', '/mcp');
    results.sse = await callsOverHttp('sse', 'sse', '/sse');
  }
  if (sections.has('startup')) results.startup = await startup();
  if (sections.has('catalog')) {
    log('catalog scale: 20 backends × 50 tools');
    results.catalog = await measureCatalog({
      sentinel: SENTINEL,
      toolsServer: TOOLS_SERVER,
      writeConfig,
      rounds: ROUNDS,
    });
  }
  if (sections.has('lazy')) {
    const rounds = Math.max(2, Math.min(3, ROUNDS));
    log(`lazy start, first call and config edits with 10 stdio backends, ${rounds} rounds`);
    results.lazy = await measureLazy({
      sentinel: SENTINEL,
      everything: everythingStdio,
      writeConfig,
      rounds,
    });
  }
  if (sections.has('search')) {
    log('search surface: find_tools over the reference servers, tool list tokens, 1,000-tool queries');
    results.search = await measureToolSearch({
      root: ROOT,
      sentinel: SENTINEL,
      toolsServer: TOOLS_SERVER,
      writeConfig,
    });
  }
  if (sections.has('oauth')) {
    log('OAuth: token requests for 1,000 calls over 16 streams');
    results.oauth = await measureOAuth({ sentinel: SENTINEL, everything: EVERYTHING, writeConfig });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
results.seconds = Math.round((performance.now() - began) / 1000);
results.leftoverProcesses = leftovers().length;

const { rows, markdown } = buildReport(results);
results.rows = rows;
const outDir = join(ROOT, 'bench/results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(outDir, 'latest.md'), markdown);
process.stdout.write(markdown);
if (results.leftoverProcesses) {
  log(`${results.leftoverProcesses} process(es) were still running at the end`);
  process.exitCode = 1;
}
