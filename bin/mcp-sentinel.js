#!/usr/bin/env node
// The published entry point. It runs the CLI bundled as CommonJS (dist/bundle/, made by scripts/bundle.mjs
// in the build), which starts faster than the ES modules tsc writes, with the compile cache on first so
// that the chunks are not compiled again on the next start.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
require('../dist/bundle/compile-cache.cjs').enableCompileCache(
  fileURLToPath(new URL('../dist/bundle/', import.meta.url)),
);
require('../dist/bundle/main.cjs');
