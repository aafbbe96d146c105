#!/usr/bin/env node
// The published entry point: everything lives in the compiled CLI.
import '../dist/cli/main.js';
