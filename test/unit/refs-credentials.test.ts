/** Literal credentials in stdio args and in URL query parameters are found, and never shown. */
import { describe, expect, it } from 'vitest';
import { findLiteralCredentials } from '../../src/refs/credentials.js';

describe('literal credentials in args and URLs', () => {
  const found = findLiteralCredentials({
    cli: {
      command: 'tool',
      args: [
        '--api-key',
        'VALUE-after-flag-1',
        '--token=VALUE-inline-2',
        'ghp_VALUEshape0123456789',
        '--header',
        'Authorization: Bearer VALUE-header-3',
        'https://api.example.com/mcp?region=eu&key=VALUE-param-4',
        '--verbose',
        '--port',
        '8080',
        '--token',
        '${TOKEN}',
        '--password',
        '--other',
      ],
    },
    remote: {
      type: 'http',
      url: 'https://mcp.example.com/sse?token=VALUE-url-5&access_token=VALUE-url-6&page=2',
    },
    ref: { type: 'http', url: 'https://mcp.example.com/mcp?token=${secret:t}' },
  });

  it('finds each one by its path', () => {
    expect(found.map((f) => f.path)).toEqual([
      'mcpServers.cli.args.1',
      'mcpServers.cli.args.2',
      'mcpServers.cli.args.3',
      'mcpServers.cli.args.5',
      'mcpServers.cli.args.6',
      'mcpServers.remote.url',
      'mcpServers.remote.url',
    ]);
  });

  it('suggests a reference that keeps the rest of the value, and never shows a value', () => {
    expect(found.map((f) => f.replacement)).toEqual([
      '${secret:cli-api-key}',
      '--token=${secret:cli-token}',
      '${secret:cli-arg-3}',
      'Authorization: Bearer ${secret:cli-authorization}',
      'https://api.example.com/mcp?region=eu&key=${secret:cli-key}',
      'https://mcp.example.com/sse?token=${secret:remote-token}&access_token=${secret:remote-access_token}&page=2',
      'https://mcp.example.com/sse?token=${secret:remote-token}&access_token=${secret:remote-access_token}&page=2',
    ]);
    expect(found[0]!.note).toMatch(/allowSecretsInArgs/);
    expect(found[5]!.note).toBeUndefined();
    expect(JSON.stringify(found)).not.toContain('VALUE');
  });
});
