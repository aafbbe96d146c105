/**
 * schemas/config.schema.json is generated from the config's definition (src/config/definition.ts): the
 * committed file must be exactly what `npm run schema` writes, and keep what editors show (title,
 * descriptions, defaults, the `$schema` key a config may carry).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/json-schema.js';
import { DEFAULT_SETTINGS } from '../../src/config/types.js';

const committed = readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8');

describe('the committed config schema', () => {
  it('is what the definition generates (run `npm run schema` after changing the definition)', () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  it('keeps what editors show: $schema, title, descriptions and defaults', () => {
    const schema = configJsonSchema() as {
      $schema: string;
      $id: string;
      title: string;
      properties: Record<string, { description?: string }>;
      definitions: { settings: { properties: Record<string, { default?: unknown; description?: string }> } };
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://unpkg.com/mcp-sentinel/schemas/config.schema.json');
    expect(schema.title).toBe('mcp-sentinel configuration');
    expect(schema.properties.$schema?.description).toBeTruthy();
    const settings = schema.definitions.settings.properties;
    expect(settings.separator?.default).toBe(DEFAULT_SETTINGS.separator);
    expect(settings.requestTimeoutMs?.default).toBe(DEFAULT_SETTINGS.requestTimeoutMs);
    expect(settings.start?.default).toBe(DEFAULT_SETTINGS.start);
    // Every setting says what it is or what it defaults to, itself or in the definition it refers to.
    for (const [key, property] of Object.entries(settings)) {
      expect(/"(description|default|\$ref)"/.test(JSON.stringify(property)), key).toBe(true);
    }
  });
});
