/**
 * The one check every listed item passes before it reaches the catalog, in both eras: each list method's
 * items (tools, prompts, resources, resource templates) are looked at one by one, and an item whose shape
 * a strict client would reject (no string name, a tool's inputSchema that is not an object schema, a field
 * of the wrong type) is dropped alone, with a warning naming it, so the backend's other items still reach
 * the host. The check follows the fields of the SDKs' item schemas (nested ones such as a tool's annotation
 * hints and icons included) but never looks into a tool's input or output schema beyond its root: those are
 * passed on unchanged, and nothing is deep-validated twice.
 *
 * What this module does not own: fetching pages (listing.ts) and filtering a 2026-07-28 session's answers
 * before the v2 client reads them (tolerant-lists.ts); both call keepWellFormed.
 */
import { clip } from '../log.js';

type Item = Record<string, unknown>;

/** The list methods, the key of their items in a result, and the field that names an item. */
export const LIST_METHODS = {
  'tools/list': { key: 'tools', idField: 'name' },
  'prompts/list': { key: 'prompts', idField: 'name' },
  'resources/list': { key: 'resources', idField: 'uri' },
  'resources/templates/list': { key: 'resourceTemplates', idField: 'uriTemplate' },
} as const;

export type ListMethod = keyof typeof LIST_METHODS;

export function isListMethod(method: unknown): method is ListMethod {
  return typeof method === 'string' && Object.hasOwn(LIST_METHODS, method);
}

const isObject = (value: unknown): value is Item =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What is wrong with a value: where inside it (a dot path, '' for the value itself) and what. */
type Problem = [path: string, what: string];
type Check = (value: unknown) => Problem | undefined;

const must =
  (ok: (value: unknown) => boolean, what: string): Check =>
  (value) =>
    ok(value) ? undefined : ['', `is not ${what}`];
const string = must((value) => typeof value === 'string', 'a string');
const number = must((value) => typeof value === 'number', 'a number');
const boolean = must((value) => typeof value === 'boolean', 'a boolean');
const object = must(isObject, 'an object');
const within = (key: string, [path, what]: Problem): Problem => [path ? `${key}.${path}` : key, what];

/** An object whose `required` fields are there, and whose fields pass their checks when present. */
const fields =
  (checks: Record<string, Check>, required: string[] = []): Check =>
  (value) => {
    if (!isObject(value)) return ['', 'is not an object'];
    for (const key of required) if (value[key] === undefined) return ['', `has no "${key}"`];
    for (const [key, check] of Object.entries(checks)) {
      const problem = value[key] === undefined ? undefined : check(value[key]);
      if (problem) return within(key, problem);
    }
    return undefined;
  };

const arrayOf =
  (check: Check): Check =>
  (value) => {
    if (!Array.isArray(value)) return ['', 'is not an array'];
    for (const [index, entry] of value.entries()) {
      const problem = check(entry);
      if (problem) return within(String(index), problem);
    }
    return undefined;
  };

// The optional fields of each kind, as the SDKs' list schemas (both eras) check them, down to the types
// of nested fields; what no schema of ours checks (a date's format, a number's range) is the host's.
const ICON = fields({ src: string, mimeType: string, sizes: arrayOf(string), theme: string }, ['src']);
const COMMON = { title: string, description: string, icons: arrayOf(ICON), _meta: object };
const ANNOTATIONS = fields({ audience: arrayOf(string), priority: number, lastModified: string });
const HINT = boolean;
const OPTIONAL: Record<ListMethod, Check> = {
  'tools/list': fields({
    ...COMMON,
    inputSchema: fields({ $schema: string }),
    outputSchema: object,
    annotations: fields({
      title: string,
      readOnlyHint: HINT,
      destructiveHint: HINT,
      idempotentHint: HINT,
      openWorldHint: HINT,
    }),
  }),
  'prompts/list': fields({
    ...COMMON,
    arguments: arrayOf(fields({ name: string, description: string, required: boolean }, ['name'])),
  }),
  'resources/list': fields({ ...COMMON, mimeType: string, size: number, annotations: ANNOTATIONS }),
  'resources/templates/list': fields({ ...COMMON, mimeType: string, annotations: ANNOTATIONS }),
};

/** What is wrong with one item of `method`'s list, or undefined when it can be listed. */
export function problemOf(method: ListMethod, item: unknown): string | undefined {
  if (!isObject(item)) return 'it is not an object';
  const { idField } = LIST_METHODS[method];
  if (typeof item[idField] !== 'string') return `it has no string "${idField}"`;
  // Every kind carries a name (BaseMetadata): the resource kinds as well as tools and prompts.
  if (typeof item.name !== 'string') return 'it has no string "name"';
  if (method === 'tools/list') {
    const schema = item.inputSchema;
    if (!isObject(schema) || schema.type !== 'object')
      return 'its "inputSchema" is not an object schema ({"type": "object", ...})';
  }
  const problem = OPTIONAL[method](item);
  return problem && `its "${problem[0]}" ${problem[1]}`;
}

/** How a dropped item is named in the warning: by its id when it has one, else by its place. */
function nameOf(method: ListMethod, item: unknown, index: number): string {
  const id = isObject(item) ? item[LIST_METHODS[method].idField] : undefined;
  // Quoted and clipped: the id is the backend's text, and a newline or an escape must not reach the log as it came.
  return typeof id === 'string' ? JSON.stringify(clip(id, 120)) : `#${index + 1}`;
}

/** The items of one page that can be listed; each one dropped is warned about, with why. */
export function keepWellFormed<T>(
  method: ListMethod,
  items: unknown[],
  warn: (message: string) => void,
): T[] {
  const kept: T[] = [];
  items.forEach((item, index) => {
    const problem = problemOf(method, item);
    if (problem === undefined) kept.push(item as T);
    else warn(`ignored the malformed entry ${nameOf(method, item, index)} in ${method}: ${problem}`);
  });
  return kept;
}
