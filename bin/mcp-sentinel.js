#!/usr/bin/env node
// The published entry point. It runs the CLI bundled as CommonJS (dist/bundle/, made by scripts/bundle.mjs
// in the build), which starts faster than the ES modules tsc writes, with Node's compile cache on first
// (Node 22+) so that the chunks are not compiled again on the next start.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../dist/bundle/compile-cache.cjs').enableCompileCache();
require('../dist/bundle/main.cjs');
