/**
 * Moving the literal credentials `init --from` found into references: for each one, the value it stands
 * for (cut out of the literal by its suggested replacement, e.g. the token after "Bearer ") and the config
 * with `secret:NAME` written in its place. Pure: storing the values is the caller's (the keychain), and
 * which credentials to move is the caller's choice (a prompt on a terminal, or all of them).
 */
import type { ServerConfig } from '../config/types.js';
import type { LiteralCredential } from '../refs/credentials.js';
import { literalText, matchTemplate } from './template.js';

export interface CredentialMove {
  credential: LiteralCredential;
  /** The secret's value, as the host file had it. */
  value: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Holder = Record<string, unknown>;

/** The object (or args array) holding a credential, and its key there: env.K, headers.K, args.N, url, auth.*. */
function locate(server: Holder, credential: LiteralCredential): { holder: Holder; key: string } | undefined {
  const prefix = `.${credential.server}.`;
  const rest = credential.path.slice(credential.path.indexOf(prefix) + prefix.length);
  const [head = '', ...tail] = rest.split('.');
  if (tail.length === 0) return { holder: server, key: head };
  let holder = server[head];
  if (head === 'auth' && tail[0] === 'headers' && tail.length > 1) {
    holder = isRecord(holder) ? holder.headers : undefined;
    tail.shift();
  }
  if (!isRecord(holder) && !Array.isArray(holder)) return undefined;
  return { holder: holder as Holder, key: tail.join('.') };
}

/** The value each credential stands for; credentials whose value cannot be cut out are left out. */
export function credentialValues(
  servers: Record<string, ServerConfig>,
  credentials: LiteralCredential[],
): CredentialMove[] {
  const moves: CredentialMove[] = [];
  for (const credential of credentials) {
    const server = servers[credential.server] as unknown as Holder | undefined;
    const place = server && locate(server, credential);
    const written = place?.holder[place.key];
    if (typeof written !== 'string') continue;
    const literal = literalText(written);
    const value =
      literal === undefined
        ? undefined
        : matchTemplate(credential.replacement, literal)?.secrets[credential.secretName];
    if (value) moves.push({ credential, value });
  }
  return moves;
}

/** A copy of `servers` with each moved credential's value replaced by its reference. */
export function applyMoves(
  servers: Record<string, ServerConfig>,
  moves: CredentialMove[],
): Record<string, ServerConfig> {
  const copy = structuredClone(servers);
  for (const { credential } of moves) {
    const server = copy[credential.server] as unknown as Holder | undefined;
    const place = server && locate(server, credential);
    if (!place) continue;
    place.holder[place.key] = credential.replacement;
    // The host passed it on the command line already; the reference keeps it there, now by consent.
    if (credential.where === 'args') server.allowSecretsInArgs = true;
  }
  return copy;
}
