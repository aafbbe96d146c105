/**
 * Errors a person can act on, through the built CLI: a JSON syntax error with its line and a caret, every
 * mistyped key of an entry, --config pointing at a directory, mistyped commands, -V, a bare serve on a
 * terminal, and backend failures in plain words (a closed port, SSE pointed at Streamable HTTP, an HTML
 * error page, npx's real error line), never telling a remote backend to "run the command by hand".
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TestHost } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { startEverything, type RunningServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, value: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

describe('config mistakes', () => {
  it('a JSON syntax error names the line and column, shows the line with a caret, and masks credentials', async () => {
    const line = '    "a": {"command": "node", "env": {"API_TOKEN": "ghp_PLANTED0123456789abcdef"},}';
    const path = write('trailing.json', `{\n  "mcpServers": {\n${line}\n  }\n}\n`);
    const column = line.indexOf(',}') + 2;
    const { code, stderr } = await runCli(['tools', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`Config file ${path} is not valid JSON: line 3, column ${column}`);
    expect(stderr).toContain('a comma before the end of an object or array (JSON allows no trailing comma)');
    const masked = line.replace(/ghp_\w+/, (token) => '*'.repeat(token.length));
    expect(stderr).toContain(`    3 | ${masked}\n${' '.repeat(4 + 4 + column - 1)}^`);
    expect(stderr).not.toContain('PLANTED');
  });

  it('a mistyped "command" still reports every other unknown key, each with did-you-mean', async () => {
    const path = write('typos.json', { mcpServers: { a: { comand: 'node', evn: {}, ulr: 'x', args: [] } } });
    const { code, stderr } = await runCli(['tools', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/mcpServers\.a: needs either "command".*\(comand: did you mean "command"\?\)/);
    expect(stderr).toContain('mcpServers.a.comand: unknown key (did you mean "command"?)');
    expect(stderr).toContain('mcpServers.a.evn: unknown key (did you mean "env"?)');
    expect(stderr).toContain('mcpServers.a.ulr: unknown key (did you mean "url"?)');
  });

  it('--config DIR says it is a directory', async () => {
    write('config.json', { mcpServers: {} });
    for (const command of ['doctor', 'tools']) {
      const { code, stdout, stderr } = await runCli([command, '--config', dir]);
      expect(code).toBe(2);
      expect(stdout + stderr).toContain(`Config path ${dir} is a directory, not a file`);
      expect(stdout + stderr).toContain(`pass the file itself: --config ${join(dir, 'config.json')}`);
    }
  });
});

describe('commands', () => {
  it.each([
    ['doctr', 'did you mean "doctor"?'],
    ['serv', 'did you mean "serve"?'],
    ['instal', 'did you mean "install"?'],
    ['version', 'did you mean --version?'],
  ])('%s gets did-you-mean', async (word, hint) => {
    const { code, stdout, stderr } = await runCli([word]);
    expect(code).toBe(2);
    expect(stderr).toContain(`unknown command "${word}"`);
    expect(stderr).toContain(hint);
    expect(stderr).not.toContain('too many arguments');
    expect(stdout).toBe('');
  });

  it('-V prints the version', async () => {
    const { code, stdout } = await runCli(['-V']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a bare mcp-sentinel on a terminal says, in one stderr line, that it waits for a host', async () => {
    const config = write('empty-servers.json', { mcpServers: {} });
    // `script` gives the CLI a terminal; its stdin ends at once, so serve stops after saying it.
    const output = execFileSync(
      'script',
      ['-qfec', `${process.execPath} ${CLI} --config ${config}`, '/dev/null'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    const lines = output.split(/\r?\n/).filter((line) => line.includes('waiting for a host'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`mcp-sentinel is serving ${config} on stdio and waiting for a host`);
  });

  it('serve started by a host (no terminal) does not say it', async () => {
    const host = await TestHost.start({ config: { mcpServers: {} } });
    try {
      await host.client.listTools();
      expect(host.stderr).not.toContain('waiting for a host');
    } finally {
      await host.close();
    }
  });
});

/** A port nobody listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('backend failures in plain words', () => {
  let everything: RunningServer;
  let html: Server;
  let htmlUrl: string;
  let port: number;
  let config: string;
  const npm404 = [
    'npm error code E404',
    'npm error 404 Not Found - GET https://registry.npmjs.org/@acme%2fmcp-nope - Not found',
    'npm error 404',
    "npm error 404  '@acme/mcp-nope@*' is not in this registry.",
    'npm error A complete log of this run can be found in: /home/me/.npm/_logs/x-debug-0.log',
  ];

  beforeAll(async () => {
    everything = await startEverything('streamableHttp');
    html = createServer((_, res) => {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end(
        '<!DOCTYPE html><html><head><title>400 Bad Request</title></head><body>' +
          'x'.repeat(5000) +
          '</body></html>',
      );
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}/mcp`;
    port = await closedPort();
    config = write('failing.json', {
      settings: { startupTimeoutMs: 5000, restart: { maxRestarts: 0 } },
      mcpServers: {
        closed: { type: 'streamable-http', url: `http://127.0.0.1:${port}/mcp` },
        wrongtype: { type: 'sse', url: everything.url },
        htmlpage: { type: 'streamable-http', url: htmlUrl },
        npx: {
          command: process.execPath,
          args: [
            '-e',
            `${npm404.map((line) => `console.error(${JSON.stringify(line)})`).join(';')};process.exit(1)`,
          ],
        },
      },
    });
  }, 30_000);

  afterAll(async () => {
    await everything?.close();
    await new Promise((resolve) => html?.close(resolve));
  });

  it('doctor says what is wrong and what to do, never "run the command by hand" for a remote one', async () => {
    const { stdout } = await runCli(['doctor', '--config', config, '--json', '--timeout', '5000'], {
      timeoutMs: 60_000,
    });
    const report = JSON.parse(stdout) as { backends: { name: string; reason: string; hint?: string }[] };
    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
    expect(byName.closed!.reason).toBe(`unreachable: nothing is listening at 127.0.0.1:${port}`);
    expect(byName.wrongtype!.reason).toMatch(
      /did not open an SSE stream .*it looks like a Streamable HTTP endpoint/,
    );
    expect(byName.wrongtype!.hint).toContain('"type": "streamable-http"');
    expect(byName.htmlpage!.reason).toContain('400 Bad Request');
    expect(byName.htmlpage!.reason).not.toContain('<html');
    expect(byName.htmlpage!.reason).not.toContain('xxxx');
    expect(byName.npx!.reason).toContain('404 Not Found - GET https://registry.npmjs.org/@acme%2fmcp-nope');
    expect(byName.npx!.reason).not.toContain('A complete log');
    for (const name of ['closed', 'wrongtype', 'htmlpage'])
      expect(byName[name]!.hint ?? '').not.toMatch(/by hand/);
  }, 90_000);

  it('serve logs the same plain words', async () => {
    const host = await TestHost.start({ config });
    try {
      await host.client.listTools();
      await waitFor(
        'every failure logged',
        () =>
          /nothing is listening at 127\.0\.0\.1/.test(host.stderr) &&
          /looks like a Streamable HTTP endpoint/.test(host.stderr) &&
          /\[htmlpage\].*400 Bad Request/.test(host.stderr) &&
          /exited before answering initialize: npm error 404 Not Found/.test(host.stderr),
        30_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${host.stderr}`);
      });
      expect(host.stderr).not.toContain('x'.repeat(200));
      expect(host.stderr).not.toContain('<html');
      expect(host.stderr).not.toMatch(/closed.*by hand|wrongtype.*by hand|htmlpage.*by hand/);
    } finally {
      await host.close();
    }
  }, 60_000);
});
