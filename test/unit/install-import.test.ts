/** `init --from` keeps what each value meant to the host: `$` is literal unless the host expands it. */
import { describe, expect, it } from 'vitest';
import { importHostServers } from '../../src/install/import.js';
import { resolveServerRefs } from '../../src/refs/resolve.js';
import { createEnvSecretStore } from '../../src/secrets/index.js';
import type { ServerConfig } from '../../src/config/types.js';

async function resolved(server: ServerConfig, env: Record<string, string> = {}) {
  return resolveServerRefs(server, 'mcpServers.x', { env, secrets: createEnvSecretStore({}) });
}

describe('init --from and "$"', () => {
  it('keeps a literal "$" of Claude Desktop literal, and reports the credential', async () => {
    const result = importHostServers('claude-desktop', {
      mcpServers: {
        db: {
          command: 'db-mcp',
          args: ['--password', 'pa$word', 'cost $5', '$HOME'],
          env: { DB_PASSWORD: 'hunter$2word' },
        },
      },
    });
    const server = result.servers.db!;
    const { server: out, issues } = await resolved(server, { word: 'WRONG', HOME: '/home/x' });
    expect(issues).toEqual([]);
    expect(out).toMatchObject({
      args: ['--password', 'pa$word', 'cost $5', '$HOME'],
      env: { DB_PASSWORD: 'hunter$2word' },
    });
    expect(result.credentials.map((c) => c.path)).toContain('mcpServers.db.env.DB_PASSWORD');
  });

  it('turns VS Code ${env:X} into a reference and escapes everything else', async () => {
    const result = importHostServers('vscode', {
      servers: {
        a: { type: 'stdio', command: 'run', args: ['${env:HOME}/x', 'p$q', '${HOME}'] },
      },
    });
    expect(result.servers.a).toEqual({ command: 'run', args: ['${HOME}/x', 'p$$q', '$${HOME}'] });
    const { server } = await resolved(result.servers.a!, { HOME: '/h', q: 'WRONG' });
    expect(server).toMatchObject({ args: ['/h/x', 'p$q', '${HOME}'] });
    expect(result.notes.join('\n')).toMatch(/does not expand \$\{HOME\}/);
  });

  it('keeps the ${X} and ${X:-default} that Claude Code expands', async () => {
    const result = importHostServers('claude-code', {
      mcpServers: {
        a: {
          type: 'http',
          url: 'https://h/mcp?x=${REGION:-eu$1}',
          headers: { Authorization: 'Bearer ${API_TOKEN}', 'X-Literal': '$notavar' },
        },
      },
    });
    expect(result.servers.a).toMatchObject({
      url: 'https://h/mcp?x=${REGION:-eu$$1}',
      headers: { Authorization: 'Bearer ${API_TOKEN}', 'X-Literal': '$$notavar' },
    });
    const { server } = await resolved(result.servers.a!, { API_TOKEN: 'tok' });
    expect(server).toMatchObject({
      url: 'https://h/mcp?x=eu$1',
      headers: { Authorization: 'Bearer tok', 'X-Literal': '$notavar' },
    });
  });
});
