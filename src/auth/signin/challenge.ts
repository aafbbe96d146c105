/**
 * Reading a resource server's `WWW-Authenticate` Bearer challenge (RFC 6750 §3, RFC 9728 §5.1): the
 * parameters that drive sign-in (`resource_metadata`, `scope`, `error`). Pure functions; no I/O.
 */

export interface BearerChallenge {
  resourceMetadata?: string;
  /** Space-separated scope the server asks for, split. */
  scopes?: string[];
  error?: string;
}

/** Whether the header carries a Bearer (or DPoP) challenge at all. */
export function hasBearerChallenge(header: string | null | undefined): boolean {
  return !!header && /(^|,)\s*(bearer|dpop)(\s|$|,)/i.test(header);
}

/** One auth-param of the challenge, quoted or token form, unescaped; undefined when absent or empty. */
export function challengeParam(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const pattern = new RegExp(`(?:^|[\\s,])${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s,]+))`, 'i');
  const match = pattern.exec(header);
  const value = match?.[1]?.replace(/\\(.)/g, '$1') ?? match?.[2];
  return value || undefined;
}

export function parseBearerChallenge(header: string | null | undefined): BearerChallenge {
  const scope = challengeParam(header, 'scope');
  return {
    resourceMetadata: challengeParam(header, 'resource_metadata'),
    scopes: scope ? scope.split(/\s+/).filter(Boolean) : undefined,
    error: challengeParam(header, 'error'),
  };
}
