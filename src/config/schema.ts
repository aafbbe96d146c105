/**
 * The config JSON Schema. schemas/config.schema.json is the single source of truth: users point `$schema`
 * at it, editors complete from it, and validation compiles the same file, so the two cannot drift.
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
