/**
 * URL rules for the endpoints that receive credentials or hand out where to send them (token endpoint,
 * issuer, protected-resource and authorization-server metadata): https, except on loopback where local
 * development and tests run plain http. Pure functions; no I/O.
 */
import { lookup } from 'node:dns/promises';
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

/** What kind of address an IP literal is, for the rules on URLs a backend points us to. */
export function addressKind(ip: string): 'link-local' | 'loopback' | 'private' | 'public' {
  const v4 = isIP(ip) === 4 ? ip : mappedIPv4(ip);
  if (v4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    if (a === 169 && b === 254) return 'link-local';
    if (a === 127) return 'loopback';
    if (a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168))
      return 'private';
    if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT
    return 'public';
  }
  const v6 = ip.toLowerCase();
  if (v6 === '::1') return 'loopback';
  if (v6 === '::') return 'private';
  if (/^fe[89ab]/.test(v6)) return 'link-local';
  if (/^f[cd]/.test(v6)) return 'private';
  return 'public';
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or `::ffff:7f00:1`). */
function mappedIPv4(ip: string): string | undefined {
  const match = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!match) return undefined;
  if (match[1]) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * Why `target`, a URL a backend pointed us to (an authorization server found by discovery), may not be
 * fetched, or undefined when it may. A backend must not make us probe addresses it could not reach itself:
 * never a link-local address (cloud metadata services live there), and no private or loopback address
 * unless the backend itself is on this machine. Host names are resolved to check what they point at.
 */
export async function learnedTargetProblem(target: string, backendUrl: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'is not a valid URL';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else if (host === 'localhost' || host.endsWith('.localhost')) addresses = ['127.0.0.1'];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      return undefined; // the request itself will fail and say so
    }
  }
  const backendLocal = (() => {
    try {
      return isLoopbackUrl(new URL(backendUrl));
    } catch {
      return false;
    }
  })();
  for (const address of addresses) {
    const kind = addressKind(address);
    if (kind === 'link-local') return `points at a link-local address (${address}), which is never followed`;
    if ((kind === 'private' || kind === 'loopback') && !backendLocal)
      return `points at a ${kind} address (${address}), which a backend not on this machine cannot make us reach`;
  }
  return undefined;
}
