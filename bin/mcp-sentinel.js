#!/usr/bin/env node
// The published entry point: everything lives in the compiled CLI, loaded once Node's compile cache is on.
import { enableCompileCache } from '../dist/cli/compile-cache.js';

enableCompileCache();
await import('../dist/cli/main.js');
