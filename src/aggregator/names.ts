/**
 * Public names for tools and prompts: `<prefix><separator><name>`, always matching `^[A-Za-z0-9_-]{1,N}$`.
 *
 * Hosts reject a whole server when one tool name is invalid (Claude), truncate silently (VS Code) or cap
 * server plus tool length (Cursor), and key "always allow" permissions on names. So a name is sanitized
 * and shortened deterministically, with a short hash of the backend and original name where anything was
 * lost, so that the same config and tools give the same names on every start.
 */
import { createHash } from 'node:crypto';

const INVALID = /[^A-Za-z0-9_-]/g;
const HASH_LENGTH = 8;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

export function joinName(prefix: string, separator: string, name: string): string {
  return prefix === '' ? name : `${prefix}${separator}${name}`;
}

/** Replaces characters hosts refuse; never returns an empty string. */
export function sanitizeName(name: string): string {
  const clean = name.replace(INVALID, '_');
  return clean === '' ? '_' : clean;
}

/** `text` cut to `max` characters, ending in `_<hash of key>` so that different keys stay different. */
export function withHashSuffix(text: string, key: string, max: number): string {
  const suffix = `_${shortHash(key)}`;
  return text.slice(0, Math.max(0, max - suffix.length)) + suffix;
}

/** The preferred public name of `name` from the backend `backend`, before collisions are considered. */
export function toPublicName(
  backend: string,
  prefix: string,
  separator: string,
  name: string,
  max: number,
): string {
  const joined = joinName(prefix, separator, name);
  const clean = sanitizeName(joined);
  if (clean.length <= max) return clean;
  return withHashSuffix(clean, `${backend}\0${name}`, max);
}

/**
 * Allocates names in a fixed order. The first claimant of a name keeps it; later ones get a hashed
 * variant, and `onCollision` is told so the user can see it (never a silent replacement).
 */
export class NameAllocator {
  /** Lower-cased: a host that compares names case-insensitively would merge `Echo` and `echo`. */
  private readonly taken = new Set<string>();

  constructor(private readonly max: number) {}

  allocate(
    backend: string,
    original: string,
    preferred: string,
    onCollision: (given: string) => void,
  ): string {
    let name = preferred;
    for (let attempt = 0; this.taken.has(name.toLowerCase()); attempt++) {
      name = withHashSuffix(preferred, `${backend}\0${original}\0${attempt}`, this.max);
    }
    if (name !== preferred) onCollision(name);
    this.taken.add(name.toLowerCase());
    return name;
  }
}
