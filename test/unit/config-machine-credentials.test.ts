/**
 * The machine-credential auth types in the config: the documented examples validate, the schema names
 * what is missing or unknown, environment values substituted into their credentials are redacted (and
 * their names, URLs and token types are not), and literal credentials in them are found.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { findLiteralCredentials } from '../../src/refs/credentials.js';
import { redact } from '../../src/log.js';
import { resolveServerRefs } from '../../src/refs/resolve.js';
import { createEnvSecretStore } from '../../src/secrets/index.js';

const documented = {
  billing: {
    type: 'streamable-http',
    url: 'https://billing.corp.example/mcp',
    auth: {
      type: 'oauth2',
      clientId: 'sentinel',
      tokenEndpointAuthMethod: 'private_key_jwt',
      privateKey: 'secret:billing-signing-key',
      signingAlgorithm: 'ES256',
    },
  },
  ci: {
    type: 'streamable-http',
    url: 'https://ci.corp.example/mcp',
    auth: { type: 'jwt-bearer', clientId: 'sentinel-wif', assertion: '${WORKLOAD_JWT}', scopes: ['mcp'] },
  },
  wiki: {
    type: 'streamable-http',
    url: 'https://wiki.corp.example/mcp',
    auth: {
      type: 'token-exchange',
      tokenUrl: 'https://sts.corp.example/token',
      clientId: 'sentinel',
      clientSecret: 'secret:sts-client',
      subjectToken: 'secret:corp-id-token',
      subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token',
      audience: 'https://wiki.corp.example',
      scopes: ['wiki:read'],
    },
  },
  crm: {
    type: 'streamable-http',
    url: 'https://crm.example/mcp',
    auth: {
      type: 'enterprise',
      clientId: 'sentinel',
      clientSecret: 'secret:crm-client',
      idp: {
        issuer: 'https://login.corp.example',
        tokenEndpoint: 'https://login.corp.example/token',
        clientId: 'sentinel-idp',
        clientSecret: 'secret:idp-client',
        idToken: 'secret:corp-id-token',
      },
    },
  },
};

const issues = (servers: Record<string, unknown>) =>
  validateConfig({ mcpServers: servers }).map((i) => `${i.path}: ${i.message}`);

describe('machine-credential auth in the config', () => {
  it('accepts the documented examples', () => {
    expect(issues(documented)).toEqual([]);
  });

  it('takes a subject token from the sign-in of an oauth entry', () => {
    const wiki = { ...documented.wiki, auth: { ...documented.wiki.auth, subjectToken: { signIn: 'corp' } } };
    expect(issues({ wiki })).toEqual([]);
    const wrong = { ...documented.wiki, auth: { ...documented.wiki.auth, subjectToken: { signin: 'corp' } } };
    expect(issues({ wiki: wrong })).toContain('mcpServers.wiki.auth.subjectToken.signin: unknown key');
  });

  it('names what is missing or unknown', () => {
    expect(
      issues({
        billing: { ...documented.billing, auth: { ...documented.billing.auth, privateKey: undefined } },
        plain: { ...documented.billing, prefix: 'p', auth: { type: 'oauth2', clientId: 'x' } },
        wiki: { ...documented.wiki, auth: { ...documented.wiki.auth, subjectTokenType: undefined } },
        crm: {
          ...documented.crm,
          auth: { ...documented.crm.auth, idp: { issuer: 'https://i', clientId: 'c', idTokn: 'x' } },
        },
        ci: { ...documented.ci, auth: { ...documented.ci.auth, assertionFle: '/x' } },
      }),
    ).toEqual([
      'mcpServers.billing.auth.privateKey: is required',
      'mcpServers.plain.auth.clientSecret: is required',
      'mcpServers.wiki.auth.subjectTokenType: is required',
      'mcpServers.crm.auth.idp.idTokn: unknown key',
      'mcpServers.ci.auth.assertionFle: unknown key',
    ]);
  });

  it('checks the shape the auth layer takes as given: types, ranges and enums', () => {
    expect(
      issues({
        crm: { ...documented.crm, auth: { ...documented.crm.auth, idp: undefined } },
        idp: {
          ...documented.crm,
          prefix: 'idp',
          auth: { ...documented.crm.auth, idp: { ...documented.crm.auth.idp, redirectPort: 80 } },
        },
        billing: {
          ...documented.billing,
          auth: { ...documented.billing.auth, tokenEndpointAuthMethod: 'client_secret_jwt' },
        },
        ci: { ...documented.ci, auth: { ...documented.ci.auth, scopes: 'mcp' } },
        key: { ...documented.ci, prefix: 'key', auth: { type: 'static', headers: {} } },
      }),
    ).toEqual([
      'mcpServers.crm.auth.idp: is required',
      'mcpServers.idp.auth.idp.redirectPort: must be >= 1024',
      'mcpServers.billing.auth.clientSecret: is required',
      'mcpServers.billing.auth.tokenEndpointAuthMethod: expected one of "client_secret_basic", "client_secret_post", "private_key_jwt"',
      'mcpServers.ci.auth.scopes: expected array, got string "mcp"',
      'mcpServers.key.auth.headers: must name at least one header',
    ]);
  });

  it('redacts environment values in credentials, not in names, URLs or token types', async () => {
    const env = {
      JWT: 'workload-jwt-value-1',
      ID_TOKEN: 'id-token-value-2',
      IDP_SECRET: 'idp-secret-value-3',
      IDP_ISSUER: 'https://idp-issuer-value-4.example',
      TOKEN_TYPE: 'urn:token-type-value-5',
    };
    const secrets = createEnvSecretStore({});
    const resolved = await Promise.all([
      resolveServerRefs(
        { ...documented.ci, auth: { type: 'jwt-bearer', assertion: '$JWT' } } as never,
        'mcpServers.ci',
        { env, secrets },
      ),
      resolveServerRefs(
        {
          ...documented.crm,
          auth: {
            type: 'enterprise',
            clientId: 'sentinel',
            idp: { issuer: '$IDP_ISSUER', clientId: 'c', clientSecret: '$IDP_SECRET', idToken: '$ID_TOKEN' },
          },
        } as never,
        'mcpServers.crm',
        { env, secrets },
      ),
      resolveServerRefs(
        {
          ...documented.wiki,
          auth: {
            ...documented.wiki.auth,
            clientSecret: undefined,
            subjectToken: '$JWT',
            subjectTokenType: '$TOKEN_TYPE',
          },
        } as never,
        'mcpServers.wiki',
        { env, secrets },
      ),
    ]);
    expect(resolved.flatMap((r) => r.issues)).toEqual([]);
    expect(redact(`${env.JWT} ${env.ID_TOKEN} ${env.IDP_SECRET}`)).toBe('[redacted] [redacted] [redacted]');
    expect(redact(env.IDP_ISSUER)).toBe(env.IDP_ISSUER);
    expect(redact(env.TOKEN_TYPE)).toBe(env.TOKEN_TYPE);
  });

  it('finds literal private keys, assertions and ID tokens', () => {
    const found = findLiteralCredentials({
      billing: {
        ...documented.billing,
        auth: { ...documented.billing.auth, privateKey: '-----BEGIN PRIVATE KEY-----' },
      },
      ci: { ...documented.ci, auth: { ...documented.ci.auth, assertion: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' } },
      crm: {
        ...documented.crm,
        auth: { ...documented.crm.auth, idp: { ...documented.crm.auth.idp, idToken: 'eyJraw' } },
      },
    });
    expect(found.map((f) => f.path)).toEqual([
      'mcpServers.billing.auth.privateKey',
      'mcpServers.ci.auth.assertion',
      'mcpServers.crm.auth.idp.idToken',
    ]);
  });
});
