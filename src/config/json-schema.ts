/**
 * schemas/config.schema.json, generated from the definition (definition.ts) by `npm run schema`; a test
 * fails when the committed file differs from what this returns.
 *
 * Unions are rendered as `if`/`then` rather than `anyOf`/`oneOf`: a validator then reports the errors of
 * the one branch the entry selects (by its `command` key, or its auth `type`) instead of every branch's,
 * so that an unknown key is named as unknown of the entry the user meant.
 */
import { z } from 'zod';
import { config } from './definition.js';

export const SCHEMA_ID = 'https://unpkg.com/mcp-sentinel/schemas/config.schema.json';

type Json = Record<string, unknown>;

export function configJsonSchema(): Json {
  const generated = z.toJSONSchema(config, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def as { type: string; discriminator?: string };
      if (def.type !== 'union') return;
      const json = jsonSchema as Json;
      if (def.discriminator) selectByDiscriminator(json, def.discriminator);
      else if (typeof json.selectBy === 'string') selectByKey(json, json.selectBy);
    },
  }) as Json;
  const { $schema, title, description, ...rest } = bareRefs(generated) as Json;
  return { $schema, $id: SCHEMA_ID, title, description, ...rest };
}

/** The file as written: two-space JSON and a final newline (the generator and the drift test agree). */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/**
 * `{"allOf": [{"$ref": ...}]}` with nothing beside it → `{"$ref": ...}`. Draft 7 ignores keywords beside
 * a `$ref`, so zod wraps every reference; the wrapper is kept only where a description or default sits
 * beside it.
 */
function bareRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(bareRefs);
  if (node === null || typeof node !== 'object') return node;
  const json = node as Json;
  // zod writes `"type"` beside every `"const"`; the const alone says it, and one error reads better.
  if (json.const !== undefined && typeof json.type === 'string') {
    const { type: _implied, ...rest } = json;
    return bareRefs(rest);
  }
  const only = json.allOf as Json[] | undefined;
  if (Object.keys(json).length === 1 && only?.length === 1 && typeof only[0]?.$ref === 'string') {
    return { $ref: only[0].$ref };
  }
  return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, bareRefs(value)]));
}

function branches(json: Json): Json[] {
  const options = (json.anyOf ?? json.oneOf) as Json[];
  delete json.anyOf;
  delete json.oneOf;
  return options;
}

/** `{anyOf: [A, B]}` → if the entry has `key`, A, else B. */
function selectByKey(json: Json, key: string): void {
  const [withKey, without] = branches(json);
  delete json.selectBy;
  Object.assign(json, { type: 'object', if: { required: [key] }, then: withKey, else: without });
}

/** `{oneOf: [...]}` on `key` → `key` required and one of the values; each branch under its value. */
function selectByDiscriminator(json: Json, key: string): void {
  const options = branches(json);
  const values = options.flatMap((option) => {
    const selector = (option.properties as Record<string, Json>)[key]!;
    return (selector.enum as unknown[] | undefined) ?? [selector.const];
  });
  Object.assign(json, {
    type: 'object',
    required: [key],
    properties: { [key]: { enum: values } },
    allOf: options.map((option) => {
      const { type: _object, properties, required, ...rest } = option;
      const selector = (properties as Record<string, Json>)[key]!;
      const others = ((required as string[] | undefined) ?? []).filter((name) => name !== key);
      return {
        if: { properties: { [key]: selector } },
        then: {
          ...rest,
          ...(others.length > 0 ? { required: others } : {}),
          properties: { ...(properties as Json), [key]: true },
        },
      };
    }),
  });
}
