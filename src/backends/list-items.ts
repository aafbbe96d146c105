/**
 * The one check every listed item passes before it reaches the catalog, in both eras: each list method's
 * items (tools, prompts, resources, resource templates) are looked at one by one, and an item whose shape
 * a strict client would reject (no string name, a tool's inputSchema that is not an object schema, a field
 * of the wrong type) is dropped alone, with a warning naming it, so the backend's other items still reach
 * the host. The check is shallow (top-level fields only): input schemas are passed on unchanged and nothing
 * is deep-validated twice.
 *
 * What this module does not own: fetching pages (listing.ts) and filtering a 2026-07-28 session's answers
 * before the v2 client reads them (tolerant-lists.ts); both call keepWellFormed.
 */

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

type Expected = 'string' | 'object' | 'array';
const HAS: Record<Expected, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  object: isObject,
  array: Array.isArray,
};
const A: Record<Expected, string> = { string: 'a string', object: 'an object', array: 'an array' };

/** Optional top-level fields, by kind, and what each must be when present. */
const OPTIONAL: Record<ListMethod, Record<string, Expected>> = {
  'tools/list': {
    title: 'string',
    description: 'string',
    outputSchema: 'object',
    annotations: 'object',
    icons: 'array',
    _meta: 'object',
  },
  'prompts/list': {
    title: 'string',
    description: 'string',
    arguments: 'array',
    icons: 'array',
    _meta: 'object',
  },
  'resources/list': {
    title: 'string',
    description: 'string',
    mimeType: 'string',
    icons: 'array',
    _meta: 'object',
  },
  'resources/templates/list': {
    title: 'string',
    description: 'string',
    mimeType: 'string',
    icons: 'array',
    _meta: 'object',
  },
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
  for (const [field, expected] of Object.entries(OPTIONAL[method])) {
    if (item[field] !== undefined && !HAS[expected](item[field]))
      return `its "${field}" is not ${A[expected]}`;
  }
  if (method === 'prompts/list' && Array.isArray(item.arguments)) {
    if (!item.arguments.every((arg) => isObject(arg) && typeof arg.name === 'string'))
      return 'an entry of its "arguments" has no string "name"';
  }
  return undefined;
}

/** How a dropped item is named in the warning: by its id when it has one, else by its place. */
function nameOf(method: ListMethod, item: unknown, index: number): string {
  const id = isObject(item) ? item[LIST_METHODS[method].idField] : undefined;
  return typeof id === 'string' ? `"${id}"` : `#${index + 1}`;
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
