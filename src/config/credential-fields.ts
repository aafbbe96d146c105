/**
 * Which fields of a server entry hold credentials, read from the config schema: the definition makes
 * them with `credential()` (definition.ts), which marks them `writeOnly` in schemas/config.schema.json.
 * The reference resolver redacts what a `${VAR}` resolves to in those fields; a list of field names kept
 * by hand beside the schema would drift from it.
 */
import { configSchema } from './schema.js';

type Json = Record<string, unknown>;

let patterns: string[][] | undefined;

/** Every credential field as a path under the entry, `*` for any key of a map: `auth.headers.*`. */
function credentialPatterns(): string[][] {
  if (patterns) return patterns;
  const schema = configSchema();
  const definitions = (schema.definitions ?? {}) as Record<string, Json>;
  const found = new Set<string>();
  const visit = (node: unknown, path: string[], seen: Set<string>): void => {
    if (node === null || typeof node !== 'object') return;
    const json = node as Json;
    if (typeof json.$ref === 'string') {
      const name = json.$ref.replace('#/definitions/', '');
      if (!seen.has(name)) visit(definitions[name], path, new Set([...seen, name]));
    }
    if (json.writeOnly === true) found.add(path.join('.'));
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      for (const branch of (json[key] as unknown[] | undefined) ?? []) visit(branch, path, seen);
    }
    for (const key of ['then', 'else', 'items'] as const) visit(json[key], path, seen);
    for (const [key, child] of Object.entries((json.properties ?? {}) as Json))
      visit(child, [...path, key], seen);
    visit(json.additionalProperties, [...path, '*'], seen);
  };
  visit(definitions.server, [], new Set(['server']));
  patterns = [...found].map((path) => path.split('.'));
  return patterns;
}

function matches(pattern: string[], parts: string[]): boolean {
  return pattern.length === parts.length && pattern.every((key, i) => key === '*' || key === parts[i]);
}

/**
 * Whether the field at `parts` of an entry (e.g. `['auth', 'clientSecret']`, `['headers', 'X-Key']`)
 * holds a credential. Array items are judged by their array: `auth.scopes.0` as `auth.scopes`.
 */
export function isCredentialField(parts: string[]): boolean {
  const named = parts.filter((part) => !/^\d+$/.test(part));
  return credentialPatterns().some((pattern) => matches(pattern, parts) || matches(pattern, named));
}
