// `npm run schema`: writes schemas/config.schema.json from the config's definition
// (src/config/definition.ts, through the build's dist/config/json-schema.js). The file is committed for
// editors and hosts; test/unit/config-schema-file.test.ts fails when it differs from the definition.
import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../dist/config/json-schema.js';

const target = new URL('../schemas/config.schema.json', import.meta.url);
writeFileSync(target, configJsonSchemaText());
console.log('wrote schemas/config.schema.json');
