import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpServerConfig, ServerConfig, StdioServerConfig } from '../../src/config/types.js';
import { SentinelError, type Issue } from '../../src/errors.js';
import { redact, setLogSink } from '../../src/log.js';
import { loadEnvironment } from '../../src/refs/env.js';
import { listServerReferences } from '../../src/refs/fields.js';
import { resolveServerRefs } from '../../src/refs/resolve.js';
import { createSecretStore, envVarForSecret } from '../../src/secrets/index.js';
import type { SecretStore } from '../../src/secrets/store.js';

/** An in-memory store (the SecretStore seam); `fail` makes every read reject like a locked keychain. */
function memoryStore(values: Record<string, string>, options: { fail?: SentinelError } = {}) {
  const reads: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const store: SecretStore & { reads: string[]; maxInFlight: () => number } = {
    description: 'memory',
    reads,
    maxInFlight: () => maxInFlight,
    async get(name) {
      reads.push(name);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      if (options.fail) throw options.fail;
      return values[name];
    },
    async set(name, value) {
      values[name] = value;
    },
    async delete(name) {
      const had = name in values;
      delete values[name];
      return had;
    },
    async list() {
      return Object.keys(values).sort();
    },
    async probe() {
      return { ok: true, store: 'memory' };
    },
  };
  return store;
}

const PATH = 'mcpServers.github';

async function resolveOne(
  server: ServerConfig,
  env: Record<string, string | undefined> = {},
  secrets = memoryStore({}),
) {
  return resolveServerRefs(server, PATH, { env, secrets });
}

describe('resolveServerRefs: one value at a time', () => {
  const env = { HOME: '/home/u', EMPTY: '', TOKEN: 'tok$HOME${X}', PORT: '9' };
  const secrets = { 'github-pat': 'ghp_value123', other: 's2' };
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$HOME/bin', '/home/u/bin'],
    ['${HOME}', '/home/u'],
    ['${PORT:-80}', '9'],
    ['${UNSET:-80}', '80'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY}', ''],
    ['x${EMPTY}y', 'xy'],
    ['$TOKEN', 'tok$HOME${X}'], // substituted text is never rescanned
    ['$$HOME', '$HOME'],
    ['cost $5', 'cost $5'],
    ['secret:github-pat', 'ghp_value123'],
    ['Bearer ${secret:github-pat}', 'Bearer ghp_value123'],
    ['${secret:other}/${secret:github-pat}', 's2/ghp_value123'],
  ];
  it.each(cases)('%j', async (written, expected) => {
    const result = await resolveOne({ type: 'http', url: written }, env, memoryStore({ ...secrets }));
    expect(result.issues).toEqual([]);
    expect((result.server as HttpServerConfig).url).toBe(expected);
  });
});

describe('resolveServerRefs: fields', () => {
  it('resolves command, args, env, cwd of a stdio entry and leaves other keys alone', async () => {
    const server: StdioServerConfig = {
      command: '$BIN',
      args: ['--root', '${ROOT:-/srv}', '$$literal'],
      env: { GITHUB_TOKEN: 'secret:github-pat', PLAIN: 'x' },
      cwd: '${HOME}/work',
      prefix: '$NOT_RESOLVED',
      tools: { include: ['$NOT_RESOLVED'] },
      description: '$NOT_RESOLVED',
    };
    const result = await resolveOne(
      server,
      { BIN: 'node', HOME: '/h' },
      memoryStore({ 'github-pat': 'ghp_1234' }),
    );
    expect(result.issues).toEqual([]);
    expect(result.server).toEqual({
      command: 'node',
      args: ['--root', '/srv', '$literal'],
      env: { GITHUB_TOKEN: 'ghp_1234', PLAIN: 'x' },
      cwd: '/h/work',
      prefix: '$NOT_RESOLVED',
      tools: { include: ['$NOT_RESOLVED'] },
      description: '$NOT_RESOLVED',
    });
    expect(result.secretNames).toEqual(['github-pat']);
    expect(result.envNames).toEqual(['BIN', 'HOME', 'ROOT']);
    expect(server.command).toBe('$BIN'); // the input is not modified
  });

  it('resolves url, headers and every auth string (scopes too) of an http entry, but not auth.type', async () => {
    const server: HttpServerConfig = {
      type: 'http',
      url: 'https://$HOST/mcp',
      headers: { Authorization: 'Bearer ${secret:pat}', 'X-Env': '$STAGE' },
      auth: {
        type: 'oauth2',
        tokenUrl: 'https://$HOST/token',
        clientId: '$CLIENT',
        clientSecret: 'secret:client-secret',
        scopes: ['read:$STAGE', 'write'],
        audience: '${AUD:-api}',
      },
    };
    const result = await resolveOne(
      server,
      { HOST: 'example.com', STAGE: 'prod', CLIENT: 'c1' },
      memoryStore({ pat: 'p-123', 'client-secret': 'cs-456' }),
    );
    expect(result.issues).toEqual([]);
    expect(result.server).toEqual({
      type: 'http',
      url: 'https://example.com/mcp',
      headers: { Authorization: 'Bearer p-123', 'X-Env': 'prod' },
      auth: {
        type: 'oauth2',
        tokenUrl: 'https://example.com/token',
        clientId: 'c1',
        clientSecret: 'cs-456',
        scopes: ['read:prod', 'write'],
        audience: 'api',
      },
    });
    expect(result.secretNames).toEqual(['client-secret', 'pat']);
  });

  it('resolves static auth headers', async () => {
    const result = await resolveOne(
      { type: 'sse', url: 'https://x', auth: { type: 'static', headers: { 'X-Api-Key': 'secret:key' } } },
      {},
      memoryStore({ key: 'k-789' }),
    );
    expect((result.server as HttpServerConfig).auth).toEqual({
      type: 'static',
      headers: { 'X-Api-Key': 'k-789' },
    });
  });
});

describe('resolveServerRefs: problems', () => {
  it('reports every problem of the entry at once, with paths and hints, and returns no server', async () => {
    const server: HttpServerConfig = {
      type: 'http',
      url: 'https://$HOST/${PATH_PART',
      headers: {
        Authorization: 'Bearer ${secret:github-pat}',
        'X-A': '$GITHUB_TOKEN',
        'X-B': '${secret:bad name}',
      },
      auth: { type: 'oauth2', clientId: 'secret:client-id', clientSecret: 'secret:present' },
    };
    const result = await resolveOne(server, {}, memoryStore({ present: 'value-present' }));
    expect(result.server).toBeUndefined();
    const byPath = (path: string): Issue[] => result.issues.filter((issue) => issue.path === path);
    expect(result.issues).toHaveLength(5);
    expect(byPath(`${PATH}.url`)[0]?.message).toMatch(/unterminated/);
    expect(byPath(`${PATH}.headers.Authorization`)).toEqual([
      {
        path: `${PATH}.headers.Authorization`,
        message: 'secret "github-pat" is not in the keychain',
        hint: 'run: mcp-sentinel secrets set github-pat',
      },
    ]);
    expect(byPath(`${PATH}.headers.X-A`)[0]?.message).toBe('environment variable GITHUB_TOKEN is not set');
    expect(byPath(`${PATH}.headers.X-A`)[0]?.hint).toMatch(/\.env/);
    expect(byPath(`${PATH}.headers.X-A`)[0]?.hint).toContain('${GITHUB_TOKEN:-default}');
    expect(byPath(`${PATH}.headers.X-B`)[0]?.message).toMatch(/invalid secret name/);
    expect(byPath(`${PATH}.auth.clientId`)[0]?.message).toBe('secret "client-id" is not in the keychain');
    expect(JSON.stringify(result.issues)).not.toContain('value-present');
  });

  it('reports each unset variable of one value separately and never substitutes empty text', async () => {
    const result = await resolveOne({ command: 'run', args: ['$A-$B', '${C:-}'] });
    expect(result.issues.map((issue) => issue.message)).toEqual([
      'environment variable A is not set',
      'environment variable B is not set',
    ]);
    expect(result.issues.every((issue) => issue.path === `${PATH}.args.0`)).toBe(true);
    expect(result.server).toBeUndefined();
  });

  it('passes keychain failures on as issues with their own message and hint', async () => {
    const locked = new SentinelError('KEYCHAIN_LOCKED', 'the keychain is locked', { hint: 'unlock it' });
    const result = await resolveOne(
      { type: 'http', url: 'https://x', headers: { A: 'secret:a' } },
      {},
      memoryStore({}, { fail: locked }),
    );
    expect(result.issues).toEqual([
      {
        path: `${PATH}.headers.A`,
        message: 'secret "a" could not be read: the keychain is locked',
        hint: 'unlock it',
      },
    ]);
  });

  it('does not pass on the text of an untyped store failure', async () => {
    const store = memoryStore({});
    store.get = async () => {
      throw new Error('native failure mentioning hunter2-value');
    };
    const result = await resolveOne({ type: 'http', url: 'secret:a' }, {}, store);
    expect(result.issues).toHaveLength(1);
    expect(JSON.stringify(result.issues)).not.toContain('hunter2');
  });
});

describe('resolveServerRefs: secrets in args', () => {
  it.each([['secret:tok'], ['--token=${secret:tok}']])('refuses %j in a stdio entry args', async (arg) => {
    const store = memoryStore({ tok: 'tok-value' });
    const result = await resolveOne({ command: 'x', args: ['a', arg] }, {}, store);
    expect(result.server).toBeUndefined();
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.path).toBe(`${PATH}.args.1`);
    expect(result.issues[0]?.message).toMatch(/process list/);
    expect(result.issues[0]?.hint).toMatch(/allowSecretsInArgs/);
    expect(store.reads).toEqual([]); // a refused secret is not even read
    expect(result.secretNames).toEqual(['tok']);
  });

  it('allows them with allowSecretsInArgs, with a warning on stderr that names no value', async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    try {
      const result = await resolveOne(
        { command: 'x', args: ['secret:tok', '${secret:tok}'], allowSecretsInArgs: true },
        {},
        memoryStore({ tok: 'tok-value-1' }),
      );
      expect(result.issues).toEqual([]);
      expect((result.server as StdioServerConfig).args).toEqual(['tok-value-1', 'tok-value-1']);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/process list/);
      expect(lines.join('\n')).not.toContain('tok-value-1');
    } finally {
      setLogSink((line) => process.stderr.write(line + '\n'));
    }
  });
});

describe('resolveServerRefs: secret lookups', () => {
  it('reads each secret once, all at the same time, and registers every value with the redactor', async () => {
    const store = memoryStore({ a: 'value-aaaa', b: 'value-bbbb', c: 'value-cccc' });
    const result = await resolveOne(
      { type: 'http', url: 'secret:a', headers: { X: '${secret:b}${secret:a}', Y: 'secret:c' } },
      {},
      store,
    );
    expect(result.issues).toEqual([]);
    expect(store.reads.sort()).toEqual(['a', 'b', 'c']);
    expect(store.maxInFlight()).toBe(3);
    expect(redact('x value-aaaa value-bbbb value-cccc')).toBe('x [redacted] [redacted] [redacted]');
  });

  it('takes MCP_SENTINEL_SECRET_<NAME> over the keychain, without asking the keychain', async () => {
    const keychain = memoryStore({ 'github-pat': 'from-keychain' });
    const env = { [envVarForSecret('github-pat')]: 'from-env-1' };
    expect(envVarForSecret('github-pat')).toBe('MCP_SENTINEL_SECRET_GITHUB_PAT');
    expect(envVarForSecret('a.b-c_D9')).toBe('MCP_SENTINEL_SECRET_A_B_C_D9');
    const secrets = createSecretStore({ env, keychain });
    const result = await resolveServerRefs({ type: 'http', url: 'secret:github-pat' }, PATH, {
      env,
      secrets,
    });
    expect((result.server as HttpServerConfig).url).toBe('from-env-1');
    expect(keychain.reads).toEqual([]);

    const empty = createSecretStore({ env: { MCP_SENTINEL_SECRET_GITHUB_PAT: '' }, keychain });
    expect(await empty.get('github-pat')).toBe('from-keychain');
  });
});

describe('resolveServerRefs: substituted values are data', () => {
  it('puts env and secret values in literally, never rescanning or executing them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sentinel-exec-'));
    const canary = join(dir, 'executed');
    try {
      const nasty = fc.oneof(
        fc.string(),
        fc.constantFrom(
          '$HOME',
          '${HOME}',
          '$$',
          '${',
          'secret:x',
          '${secret:x}',
          `$(touch ${canary})`,
          `\`touch ${canary}\``,
        ),
      );
      await fc.assert(
        fc.asyncProperty(nasty, nasty, async (envValue, secretValue) => {
          const result = await resolveOne(
            { type: 'http', url: '$A|${secret:s}|${B:-d}', headers: { X: 'secret:s' } },
            { A: envValue, HOME: '/home/u' },
            memoryStore({ s: secretValue }),
          );
          expect(result.issues).toEqual([]);
          expect((result.server as HttpServerConfig).url).toBe(`${envValue}|${secretValue}|d`);
          expect((result.server as HttpServerConfig).headers).toEqual({ X: secretValue });
        }),
        { numRuns: 100 },
      );
      expect(existsSync(canary)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('listServerReferences', () => {
  it('lists references with paths, skipping values with syntax errors', () => {
    const refs = listServerReferences(
      { command: 'x', args: ['${secret:a}', '${broken'], env: { T: 'secret:b', U: '${V:-1}' } },
      'mcpServers.s',
    );
    expect(refs).toEqual([
      { path: 'mcpServers.s.args.0', ref: { kind: 'secret', name: 'a' }, inArgs: true },
      { path: 'mcpServers.s.env.T', ref: { kind: 'secret', name: 'b' }, inArgs: false },
      { path: 'mcpServers.s.env.U', ref: { kind: 'env', name: 'V', hasFallback: true }, inArgs: false },
    ]);
  });
});

describe('loadEnvironment', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('merges .env beside the config, then --env-file, then the real environment (which wins)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sentinel-env-'));
    await mkdir(join(dir, 'cfg'));
    await writeFile(
      join(dir, 'cfg', '.env'),
      'A=from-dotenv\nB=from-dotenv\nC=from-dotenv\n# comment\nQ="quoted $x"\n',
    );
    await writeFile(join(dir, 'extra.env'), 'B=from-env-file\nC=from-env-file\n');
    const env = await loadEnvironment({
      configPath: join(dir, 'cfg', 'sentinel.json'),
      envFile: join(dir, 'extra.env'),
      env: { C: 'from-process', D: undefined },
    });
    expect(env).toEqual({ A: 'from-dotenv', B: 'from-env-file', C: 'from-process', Q: 'quoted $x' });
  });

  it('is fine without a .env file, and uses process.env by default', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sentinel-env-'));
    const env = await loadEnvironment({ configPath: join(dir, 'sentinel.json') });
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('refuses an --env-file that does not exist', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sentinel-env-'));
    const missing = join(dir, 'nope.env');
    await expect(loadEnvironment({ envFile: missing, env: {} })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: expect.stringContaining(missing),
    });
  });

  it('prints nothing to stdout', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sentinel-env-'));
    await writeFile(join(dir, '.env'), 'A=1\n');
    const writes: unknown[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => writes.push(chunk) > -1) as typeof process.stdout.write;
    try {
      await loadEnvironment({ configPath: join(dir, 'x.json'), envFile: join(dir, '.env'), env: {} });
    } finally {
      process.stdout.write = original;
    }
    expect(writes).toEqual([]);
  });
});
