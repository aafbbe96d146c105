/**
 * Which strings of a server entry may hold references, with their dot paths. One list shared by the
 * resolver, `doctor` and `secrets list`, so that they never disagree about where references count.
 *
 * Resolved: command, args[], env values, cwd, url, headers values, and every string inside auth (arrays
 * such as auth.scopes included) except auth.type. Never: type, prefix, tools, description and the other
 * switches, which are names and policy rather than values.
 */
import type { ServerConfig } from '../config/types.js';
import { tryParseValue, referencesOf, type Reference } from './parse.js';

export interface RefField {
  /** Dot path, e.g. `mcpServers.github.headers.Authorization` or `mcpServers.fs.args.2`. */
  path: string;
  value: string;
  /** True for a stdio entry's args, where a resolved secret would be visible in the process list. */
  inArgs: boolean;
  /** Replaces the string in the object the field was read from. */
  set(resolved: string): void;
}

export interface LocatedReference {
  path: string;
  ref: Reference;
  inArgs: boolean;
}

type Bag = Record<string, unknown>;

function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The reference-bearing strings of `server` (read in place; `set` writes into `server`). */
export function refFields(server: ServerConfig, basePath: string): RefField[] {
  const fields: RefField[] = [];
  const entry = server as unknown as Bag;
  for (const key of ['command', 'cwd', 'url']) addString(fields, entry, key, `${basePath}.${key}`, false);
  addArray(fields, entry, 'args', `${basePath}.args`, true);
  addRecord(fields, entry, 'env', `${basePath}.env`);
  addRecord(fields, entry, 'headers', `${basePath}.headers`);
  const auth = entry.auth;
  if (isBag(auth)) addAllStrings(fields, auth, `${basePath}.auth`, new Set(['type']));
  return fields;
}

/**
 * Every reference of an entry with where it is. Values with a syntax error are skipped: this feeds listings,
 * and `resolveServerRefs` is what reports syntax errors.
 */
export function listServerReferences(server: ServerConfig, basePath: string): LocatedReference[] {
  const found: LocatedReference[] = [];
  for (const field of refFields(server, basePath)) {
    const parsed = tryParseValue(field.value, field.path);
    if (!parsed.ok) continue;
    for (const ref of referencesOf(parsed.value)) found.push({ path: field.path, ref, inArgs: field.inArgs });
  }
  return found;
}

function addString(fields: RefField[], bag: Bag, key: string, path: string, inArgs: boolean): void {
  const value = bag[key];
  if (typeof value === 'string')
    fields.push({ path, value, inArgs, set: (resolved) => (bag[key] = resolved) });
}

function addArray(fields: RefField[], bag: Bag, key: string, path: string, inArgs: boolean): void {
  const list = bag[key];
  if (!Array.isArray(list)) return;
  list.forEach((value: unknown, index) => {
    if (typeof value === 'string') {
      fields.push({ path: `${path}.${index}`, value, inArgs, set: (resolved) => (list[index] = resolved) });
    }
  });
}

function addRecord(fields: RefField[], bag: Bag, key: string, path: string): void {
  const record = bag[key];
  if (!isBag(record)) return;
  for (const name of Object.keys(record)) addString(fields, record, name, `${path}.${name}`, false);
}

function addAllStrings(fields: RefField[], bag: Bag, path: string, skip: ReadonlySet<string>): void {
  for (const key of Object.keys(bag)) {
    if (skip.has(key)) continue;
    const value = bag[key];
    if (typeof value === 'string') addString(fields, bag, key, `${path}.${key}`, false);
    else if (Array.isArray(value)) addArray(fields, bag, key, `${path}.${key}`, false);
    else if (isBag(value)) addAllStrings(fields, value, `${path}.${key}`, new Set());
  }
}
