// Part of `npm run build`: compiles schemas/config.schema.json into a standalone validator
// (dist/config/config-validator.cjs), so that no start pays for importing Ajv and compiling the schema
// (about 100 ms, before `initialize` could be answered). The schema file stays the single source of truth:
// the validator is regenerated from it on every build.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = new URL('../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('schemas/config.schema.json', root), 'utf8'));
// Must match the options of the runtime fallback in src/config/validate.ts.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, code: { source: true } });
const code = standaloneCode.default ?? standaloneCode;
mkdirSync(new URL('dist/config/', root), { recursive: true });
writeFileSync(new URL('dist/config/config-validator.cjs', root), code(ajv, ajv.compile(schema)));
