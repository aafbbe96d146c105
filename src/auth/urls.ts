/**
 * URL rules for the endpoints that receive credentials or hand out where to send them (token endpoint,
 * issuer, protected-resource and authorization-server metadata): https, except on loopback where local
 * development and tests run plain http. Pure functions; no I/O.
 */
import { isIP } from 'node:net';

/** Whether `url` points at this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Why `raw` is not acceptable as a credential-bearing endpoint, or undefined when it is. */
export function secureEndpointProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.protocol === 'http:' && !isLoopbackUrl(url))
    return 'must use https (plain http is allowed on loopback only)';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.hash) return 'must not contain a fragment';
  return undefined;
}

/** `scheme://host[:port]` of a URL string, for messages; `(invalid URL)` when it does not parse. */
export function originOf(raw: string | URL): string {
  try {
    return new URL(raw).origin;
  } catch {
    return '(invalid URL)';
  }
}
