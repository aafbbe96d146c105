/** The validator the build precompiles gives the same verdicts and errors as compiling the schema now. */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';

const require = createRequire(import.meta.url);
const prebuilt = require('../../dist/config/config-validator.cjs') as ValidateFunction;
const fresh = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(configSchema());

const cases: unknown[] = [
  { mcpServers: {} },
  { mcpServers: { a: { command: 'x', args: ['y'], env: { A: '1' } } } },
  { mcpServers: { a: { command: 'x', evn: {} } }, settings: { separator: 5 } },
  { mcpServers: { b: { type: 'websocket', url: 'ws://x' } } },
  { mcpServers: { c: { type: 'http', url: 'http://x/mcp', auth: { type: 'oauth2', clientId: 'x' } } } },
  { mcpServers: { 'bad name': { command: 'x' } }, extra: true },
  [],
  null,
];

describe('the precompiled config validator', () => {
  it.each(cases.map((c) => [JSON.stringify(c), c]))('agrees on %s', (_label, config) => {
    const strip = (errors: ValidateFunction['errors']) =>
      (errors ?? []).map(({ instancePath, keyword, params, message }) => ({
        instancePath,
        keyword,
        params,
        message,
      }));
    expect(prebuilt(config)).toBe(fresh(config));
    expect(strip(prebuilt.errors)).toEqual(strip(fresh.errors));
  });
});
