// The second half of `npm run build`: the compiled CLI (dist/**/*.js, written by tsc) bundled with its
// dependencies into CommonJS chunks under dist/bundle/, which bin/mcp-sentinel.js runs.
//
// Why: a `serve` start spent about a third of its CPU time resolving, reading and compiling some 600 ES
// modules (Node 20 has no compile cache for them). The same code as a few CommonJS files starts in about
// 60% of the CPU time, and every host start of mcp-sentinel, every CLI command and every test pays that.
// Code splitting keeps the lazy loading of the ES modules: what `serve` imports dynamically is a chunk of
// its own, loaded when first needed.
//
// dist/**/*.js stays as tsc wrote it: the tests import those modules in-process, and the bundle's modules
// still find the files beside them (the prebuilt config validator, schemas/, package.json) because each
// keeps its own import.meta.url: the URL of the compiled file it came from (see `ownUrl`).
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outDir = join(dist, 'bundle');

/**
 * Loaded from node_modules at run time, not bundled: a native addon, and cosmiconfig's optional TypeScript
 * loader (a development dependency, never used for mcp-sentinel's JSON configs). The tokenizer's encodings
 * (2.5 MB) are bundled: a chunk of their own, loaded only to count tokens, and then from the code cache
 * (compiling them was ~90 ms of CPU at the first count of every `serve`).
 */
const EXTERNAL = [/^@napi-rs\//, /^typescript$/];

/**
 * Each module's `import.meta.url` becomes the URL of the file it was compiled to (a path relative to the
 * bundle, resolved when it runs, so an installed copy works wherever it lives). A dependency that reads
 * its own URL would need its own files beside it at a place the bundle cannot know, so that fails the build.
 */
function ownUrl() {
  return {
    name: 'own-import-meta-url',
    transform(code, id) {
      if (!code.includes('import.meta.url')) return null;
      if (id.split(sep).includes('node_modules')) {
        this.error(`${relative(root, id)} reads import.meta.url: add it to EXTERNAL in scripts/bundle.mjs`);
      }
      const path = JSON.stringify(relative(outDir, id).split(sep).join('/'));
      return { code: code.replaceAll('import.meta.url', `__sentinelModuleUrl(${path})`), map: null };
    },
  };
}

/** Defined at the top of every chunk, after "use strict" (chunks are CommonJS: `require` and `__dirname` are theirs). */
const BANNER =
  "const __sentinelModuleUrl = (path) => require('node:url').pathToFileURL(require('node:path').join(__dirname, path)).href;";

await rm(outDir, { recursive: true, force: true });
await build({
  input: { main: join(dist, 'cli', 'main.js'), 'compile-cache': join(dist, 'cli', 'compile-cache.js') },
  platform: 'node',
  // jsonc-parser's "main" is a UMD build whose inner requires a bundler cannot follow; its "module" is ESM.
  resolve: { mainFields: ['module', 'main'] },
  external: EXTERNAL,
  plugins: [ownUrl()],
  logLevel: 'warn',
  onLog(level, log, handle) {
    // serve imports warm-set.js dynamically and warm-start.js statically: both end up in one chunk, as wanted.
    if (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT') return;
    handle(level, log);
  },
  output: {
    dir: outDir,
    format: 'cjs',
    // import() of a package or a Node module becomes require(): a chunk compiled from V8's code cache
    // (src/cli/chunk-code-cache.ts) has no loader for import().
    dynamicImportInCjs: false,
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    // The ES modules tsc wrote were strict code; their bundle stays so (with the helper after the directive).
    strict: true,
    intro: BANNER,
    sourcemap: false,
  },
});

// The bundle's identity, from the content of every chunk: the code cache of the chunks
// (src/cli/chunk-code-cache.ts) keeps one directory per build under this name. V8 checks an entry only
// against the length of the source it was made from, and main.cjs keeps its name from build to build (an
// install can also give two builds the same size and time: npm packs every file with one fixed time).
const hash = createHash('sha256');
for (const name of (await readdir(outDir)).filter((n) => n.endsWith('.cjs')).sort())
  hash
    .update(name)
    .update('\0')
    .update(await readFile(join(outDir, name)));
await writeFile(join(outDir, 'build-id'), `${hash.digest('hex').slice(0, 16)}\n`);
