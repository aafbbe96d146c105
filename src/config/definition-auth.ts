/**
 * The `auth` block of a remote entry in the config definition (definition.ts): one branch per `type`,
 * the fields that hold credentials made with `credential()`.
 */
import { z } from 'zod';
import { credential, int, text } from './definition-parts.js';

export const signingAlgorithm = z
  .enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])
  .meta({
    description:
      'JWS algorithm of the client assertion; defaults from the key (RS256, ES256/ES384/ES512, EdDSA).',
  });

const scopes = z.array(text());
const tokenAuthMethod = z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);

/** The fields every machine-credential grant shares: where its tokens come from, and the client. */
const grantEndpoint = {
  tokenUrl: text().optional(),
  issuer: text().optional(),
  clientId: text().optional(),
  clientSecret: credential(text(), 'Use secret:NAME and `mcp-sentinel secrets set NAME`.').optional(),
  scopes: scopes.optional(),
  audience: text().optional(),
  resource: text().optional(),
  tokenEndpointAuthMethod: tokenAuthMethod.optional(),
  privateKey: credential(
    text(),
    'PEM private key for private_key_jwt: use secret:NAME and `mcp-sentinel secrets set NAME < key.pem`.',
  ).optional(),
  signingAlgorithm: signingAlgorithm.optional(),
  allowDiscoveredIssuer: z.boolean().optional().meta({
    description:
      'Send the credentials to an authorization server found by discovery that no tokenUrl or issuer pins.',
  }),
};

/** With `private_key_jwt` the client authenticates with `privateKey`; `otherwise` is the rule without. */
function keyRule(otherwise?: object) {
  return {
    allOf: [
      {
        if: {
          required: ['tokenEndpointAuthMethod'],
          properties: { tokenEndpointAuthMethod: { const: 'private_key_jwt' } },
        },
        then: { required: ['privateKey'] },
        ...(otherwise ? { else: otherwise } : {}),
      },
    ],
  };
}

const noAuth = z.strictObject({ type: z.literal('none') });

const staticAuth = z.strictObject({
  type: z.literal('static'),
  headers: z
    .record(z.string(), credential(z.string(), 'A credential header value, normally secret:NAME.'))
    .meta({ minProperties: 1, description: 'Headers that carry the credential, e.g. X-Api-Key.' }),
});

/** Machine tokens (client credentials grant); `client-credentials` is the clearer name for `oauth2`. */
const clientCredentialsAuth = z
  .strictObject({
    type: z.enum(['oauth2', 'client-credentials']),
    ...grantEndpoint,
    clientId: text(),
  })
  .meta(keyRule({ required: ['clientSecret'] }));

/** RFC 7523 §2.1 JWT-bearer grant: a workload's JWT (workload identity federation). */
const jwtBearerAuth = z
  .strictObject({
    type: z.literal('jwt-bearer'),
    ...grantEndpoint,
    assertion: credential(
      text(),
      'The workload JWT (a reference such as ${WORKLOAD_JWT}); or assertionFile.',
    ).optional(),
    assertionFile: text().optional().meta({
      description: 'Absolute path of a file holding the workload JWT, read again for every token request.',
    }),
  })
  .meta(keyRule());

/** RFC 8693 token exchange: one exchanged token per backend. */
const tokenExchangeAuth = z
  .strictObject({
    type: z.literal('token-exchange'),
    ...grantEndpoint,
    subjectToken: z
      .union([
        credential(text(), 'The token to exchange, normally secret:NAME.'),
        z.strictObject({
          signIn: text().meta({
            description:
              'An oauth entry of this config: its signed-in access token (mcp-sentinel login <entry>).',
          }),
        }),
      ])
      .meta({
        description:
          'The token to exchange (normally secret:NAME), or {"signIn": "<entry>"} for the access token of that oauth entry\'s sign-in.',
      }),
    subjectTokenType: text().meta({
      description: 'RFC 8693 token type URI of subjectToken, e.g. urn:ietf:params:oauth:token-type:id_token.',
    }),
    actorToken: credential(text(), 'Optional RFC 8693 actor token (normally a reference).').optional(),
    actorTokenType: text().optional().meta({ description: 'Token type URI of actorToken.' }),
    requestedTokenType: text().optional().meta({
      description: 'Token type URI to ask for, e.g. urn:ietf:params:oauth:token-type:access_token.',
    }),
  })
  .meta(keyRule());

/** The identity provider of enterprise-managed authorization. */
const idp = z.strictObject({
  issuer: text().meta({ description: 'The identity provider issuer (pinned).' }),
  tokenEndpoint: text().optional().meta({
    description: 'The identity provider token endpoint; found from the issuer metadata when omitted.',
  }),
  clientId: text().meta({ description: 'This client at the identity provider.' }),
  clientSecret: credential(
    text(),
    'Optional client secret at the identity provider (client_secret_basic): use secret:NAME.',
  ).optional(),
  idToken: credential(
    text(),
    'The user ID token to exchange for an ID-JAG (normally secret:NAME); without it the user signs in to the identity provider: mcp-sentinel login NAME.',
  ).optional(),
  scopes: scopes.optional().meta({
    description:
      'Scopes asked for at sign-in besides openid (and offline_access when the identity provider lists it).',
  }),
  redirectPort: int(1024, 65535).optional().meta({
    description:
      'Fixed loopback port of the sign-in redirect URI (for a client registered with one); ephemeral otherwise.',
  }),
});

/** SEP-990 enterprise-managed authorization: ID token → ID-JAG at the IdP → access token at the AS. */
const { audience: _noAudience, ...enterpriseEndpoint } = grantEndpoint;
const enterpriseAuth = z
  .strictObject({
    type: z.literal('enterprise'),
    ...enterpriseEndpoint,
    clientId: text(),
    idp,
  })
  .meta(keyRule());

/** User sign-in (authorization code + PKCE, the MCP authorization spec); every field is optional. */
const signInAuth = z.strictObject({
  type: z.literal('oauth'),
  clientId: text()
    .optional()
    .meta({ description: 'A client registered in advance with the authorization server.' }),
  clientSecret: credential(
    text(),
    'The pre-registered client secret: use secret:NAME and `mcp-sentinel secrets set NAME`.',
  ).optional(),
  clientMetadataUrl: text().optional().meta({
    description:
      'An https URL of a Client ID Metadata Document, used as client_id where the server supports it.',
  }),
  scopes: scopes.optional(),
  issuer: text().optional().meta({ description: 'Pin the authorization server.' }),
  redirectPort: int(1024, 65535).optional().meta({
    description:
      'A fixed loopback port for the redirect (http://127.0.0.1:PORT/callback), for pre-registered redirect URIs.',
  }),
  resource: z
    .union([text(), z.literal(false)])
    .optional()
    .meta({
      description: 'The RFC 8707 resource to request; false omits the parameter for servers that reject it.',
    }),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  allowDiscoveredIssuer: z.boolean().optional().meta({
    description: 'Send the client secret to an authorization server found by discovery.',
  }),
});

export const auth = z
  .discriminatedUnion('type', [
    noAuth,
    staticAuth,
    clientCredentialsAuth,
    jwtBearerAuth,
    tokenExchangeAuth,
    enterpriseAuth,
    signInAuth,
  ])
  .meta({ id: 'auth' });
