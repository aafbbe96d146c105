/**
 * The config JSON Schema as committed: generated from the definition (definition.ts, `npm run schema`);
 * users point `$schema` at it, editors complete from it, and validation compiles the same file. Read
 * lazily, as plain JSON: for the validator when running from source, and for the facts validation and
 * the resolver take from it (the keys of a server entry, its credential fields).
 */
import { readFileSync } from 'node:fs';

export const SCHEMA_URL = 'https://unpkg.com/mcp-sentinel/schemas/config.schema.json';

let cached: Record<string, unknown> | undefined;

export function configSchema(): Record<string, unknown> {
  cached ??= JSON.parse(
    readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  return cached;
}
