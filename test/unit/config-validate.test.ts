/** Config validation: every problem at once, each with its key path and a useful message. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';

const paths = (data: unknown) => validateConfig(data).map((i) => i.path);
const find = (data: unknown, path: string) => validateConfig(data).find((i) => i.path === path);

describe('validateConfig', () => {
  it('accepts the documented example', () => {
    expect(
      validateConfig({
        $schema: 'https://unpkg.com/mcp-sentinel/schemas/config.schema.json',
        settings: {
          separator: '__',
          maxToolNameLength: 64,
          startupTimeoutMs: 10000,
          requestTimeoutMs: 60000,
        },
        mcpServers: {
          files: {
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/src'],
            env: { LOG_LEVEL: 'warn' },
            cwd: '/home/me',
          },
          github: {
            type: 'streamable-http',
            url: 'https://api.example.com/mcp',
            headers: { 'X-Client': 'sentinel' },
          },
          legacy: {
            type: 'sse',
            url: 'http://127.0.0.1:9000/sse',
            prefix: 'old',
            tools: { include: ['search_*', 'get_*'], exclude: ['get_secret*'] },
            timeoutMs: 30000,
            disabled: false,
          },
          jira: {
            type: 'http',
            url: 'https://jira.example.com/mcp',
            auth: {
              type: 'oauth2',
              tokenUrl: 'https://auth.example.com/token',
              clientId: 'sentinel',
              clientSecret: 'secret:jira',
              scopes: ['a'],
            },
          },
        },
      }),
    ).toEqual([]);
  });

  it.each([
    ['an empty document', null, ''],
    ['an array', [], ''],
    ['a missing mcpServers', {}, 'mcpServers'],
  ])('rejects %s', (_name, data, path) => {
    expect(paths(data)).toContain(path);
  });

  it('reports every problem of a bad file at once, with key paths', () => {
    const issues = validateConfig({
      settings: { separator: 5, maxToolNameLenght: 64 },
      mcpServers: {
        a: { command: 'x', args: 'not-an-array', evn: {} },
        b: { type: 'websocket', url: 'ws://x' },
        c: { url: 'http://127.0.0.1:1/sse' },
        d: { description: 'neither' },
        'bad name': { command: 'x' },
      },
    });
    const byPath = new Map(issues.map((i) => [i.path, i]));
    expect(byPath.get('settings.separator')?.message).toBe('expected string, got number 5');
    expect(byPath.get('settings.maxToolNameLenght')?.hint).toBe('did you mean "maxToolNameLength"?');
    expect(byPath.get('mcpServers.a.args')?.message).toMatch(/expected array/);
    expect(byPath.get('mcpServers.a.evn')?.hint).toBe('did you mean "env"?');
    expect(byPath.get('mcpServers.b.type')?.message).toBe('expected one of "sse", "streamable-http", "http"');
    expect(byPath.get('mcpServers.c.type')?.message).toBe('is required');
    expect(byPath.get('mcpServers.d')?.message).toMatch(/needs either "command".*or "url"/);
    expect(byPath.get('mcpServers.bad name')?.message).toMatch(/letters, digits/);
    expect(issues.length).toBeGreaterThanOrEqual(8);
  });

  it('rejects URLs that do not parse and non-http schemes, but leaves references for later', () => {
    expect(
      find({ mcpServers: { a: { type: 'http', url: 'not a url' } } }, 'mcpServers.a.url')?.message,
    ).toMatch(/not a valid URL/);
    expect(
      find({ mcpServers: { a: { type: 'sse', url: 'ftp://x/sse' } } }, 'mcpServers.a.url')?.message,
    ).toMatch(/http or https/);
    expect(validateConfig({ mcpServers: { a: { type: 'http', url: '${BASE_URL}/mcp' } } })).toEqual([]);
  });

  it('rejects a stdio entry with a remote type, and an entry with both command and url', () => {
    expect(find({ mcpServers: { a: { command: 'x', type: 'sse' } } }, 'mcpServers.a.type')?.message).toMatch(
      /stdio server/,
    );
    expect(find({ mcpServers: { a: { command: 'x', url: 'http://x' } } }, 'mcpServers.a')?.message).toMatch(
      /both/,
    );
  });

  it('rejects two servers whose prefixes collide, but allows several unprefixed ones', () => {
    const issue = find(
      { mcpServers: { github: { command: 'a' }, gh: { command: 'b', prefix: 'github' } } },
      'mcpServers.gh.prefix',
    );
    expect(issue?.message).toBe('prefix "github" is already used by "github"');
    expect(
      validateConfig({ mcpServers: { a: { command: 'a', prefix: '' }, b: { command: 'b', prefix: '' } } }),
    ).toEqual([]);
  });

  it('checks auth blocks by type', () => {
    expect(
      paths({
        mcpServers: { a: { type: 'http', url: 'http://x/mcp', auth: { type: 'oauth2', clientId: 'x' } } },
      }),
    ).toContain('mcpServers.a.auth.clientSecret');
    expect(
      paths({ mcpServers: { a: { type: 'http', url: 'http://x/mcp', auth: { type: 'static' } } } }),
    ).toContain('mcpServers.a.auth.headers');
    expect(
      paths({ mcpServers: { a: { type: 'http', url: 'http://x/mcp', auth: { type: 'kerberos' } } } }),
    ).toContain('mcpServers.a.auth.type');
  });
});
