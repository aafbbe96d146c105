/** Environment values that become credentials are redacted; token endpoints are shown without their query. */
import { describe, expect, it } from 'vitest';
import { createAuthStrategy } from '../../src/auth/index.js';
import { createLogger, redact } from '../../src/log.js';
import { resolveServerRefs } from '../../src/refs/resolve.js';
import { createEnvSecretStore } from '../../src/secrets/index.js';
import { resolved } from '../helpers/resolved.js';

describe('environment values in credentials', () => {
  it('registers values substituted into headers, auth credentials and credential-named env keys', async () => {
    const env = {
      HEADER_TOKEN: 'value-in-header-1',
      CLIENT_SECRET: 'value-in-auth-2',
      API_TOKEN: 'value-in-env-3',
      LEVEL: 'value-not-secret-4',
      CLIENT_ID: 'value-client-id-5',
    };
    const secrets = createEnvSecretStore({});
    const http = await resolveServerRefs(
      {
        type: 'streamable-http',
        url: 'https://h/mcp',
        headers: { Authorization: 'Bearer ${HEADER_TOKEN}' },
        auth: {
          type: 'oauth2',
          tokenUrl: 'https://as/token',
          clientId: '$CLIENT_ID',
          clientSecret: '$CLIENT_SECRET',
        },
      },
      'mcpServers.h',
      { env, secrets },
    );
    const stdio = await resolveServerRefs(
      { command: 'x', env: { API_TOKEN: '$API_TOKEN', LOG_LEVEL: '$LEVEL' } },
      'mcpServers.s',
      { env, secrets },
    );
    expect(http.issues).toEqual([]);
    expect(stdio.issues).toEqual([]);
    expect(redact(`${env.HEADER_TOKEN} ${env.CLIENT_SECRET} ${env.API_TOKEN}`)).toBe(
      '[redacted] [redacted] [redacted]',
    );
    expect(redact(env.LEVEL)).toBe(env.LEVEL);
    expect(redact(env.CLIENT_ID)).toBe(env.CLIENT_ID);
  });
});

describe('oauth2 describe()', () => {
  it('shows the token endpoint without its query', () => {
    const strategy = createAuthStrategy(
      resolved({
        type: 'streamable-http',
        url: 'https://h.example/mcp',
        auth: {
          type: 'oauth2',
          tokenUrl: 'https://as.example/oauth/token?api_key=QUERY-CANARY',
          clientId: 'c',
          clientSecret: 'client-secret-value',
        },
      }),
      { backend: 'b', log: createLogger('test') },
    );
    const described = strategy.describe();
    expect(described.tokenEndpoint).toBe('https://as.example/oauth/token');
    expect(JSON.stringify(described)).not.toContain('QUERY-CANARY');
  });
});
