/**
 * The `none` and `static` strategies: fixed headers on every request of the backend's transport.
 *
 * `none` still sends the per-server `headers` (that key is not a credential declaration); `static` adds
 * the `auth.headers`, whose values are credentials: they are registered with the log redactor and
 * `describe()` lists their names only. Values were validated before this is constructed (index.ts).
 */
import { redactSecret } from '../log.js';
import { asFetchLike, defaultBaseFetch } from './base-fetch.js';
import { mergeHeaders, sameOrigin, type AuthContext, type AuthStrategy } from './strategy.js';

export interface HeaderStrategyInput {
  type: 'none' | 'static';
  url: string;
  /** Per-server `headers`, resolved. */
  headers: Record<string, string>;
  /** `auth.headers` of a static backend, resolved. */
  credentialHeaders: Record<string, string>;
}

export function createHeaderStrategy(input: HeaderStrategyInput, ctx: AuthContext): AuthStrategy {
  for (const value of Object.values(input.credentialHeaders)) redactSecret(value);
  const configured = [...Object.entries(input.headers), ...Object.entries(input.credentialHeaders)] as const;
  const origin = new URL(input.url).origin;
  const base = ctx.baseFetch ?? defaultBaseFetch();
  const send = asFetchLike(base, `backend "${ctx.backend}"`);

  return {
    type: input.type,
    fetch: (url, init) =>
      send(url, { ...init, headers: mergeHeaders(init, sameOrigin(url, origin) ? configured : undefined) }),
    prepare: async () => undefined,
    describe: () => ({
      type: input.type,
      headers: Object.keys(input.headers),
      ...(input.type === 'static' ? { credentialHeaders: Object.keys(input.credentialHeaders) } : {}),
    }),
    close: () => undefined,
  };
}
