/**
 * What `serve` loads before it answers from the manifest cache: the static imports of the built entry and
 * of the serve command (everything else is imported dynamically, after the answers), in the ES modules tsc
 * writes and in the CommonJS bundle of them that bin/ runs (scripts/bundle.mjs). The SDK (whose
 * schemas load zod), Ajv, the backend layer and the auth layer cost most of a start; none of them may be
 * reached from here, or the warm start pays for them again.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const DIST = join(ROOT, 'dist');
const STATIC_IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]/g;
const ANY_IMPORT = new RegExp(`${STATIC_IMPORT.source}|\\bimport\\(\\s*['"]([^'"]+)['"]\\s*\\)`, 'g');

/** Every module reachable from `entries` (by `pattern`): our files by path, packages by specifier. */
function staticClosure(
  entries: string[],
  pattern = STATIC_IMPORT,
): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, fixed, dynamic] of readFileSync(file, 'utf8').matchAll(pattern)) {
      const specifier = fixed ?? dynamic;
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!));
      else if (!specifier!.startsWith('node:')) packages.add(specifier!);
    }
  };
  for (const entry of entries) visit(entry);
  return { files, packages };
}

const BUNDLE = join(DIST, 'bundle');
/** A chunk's top-level `require("./chunk.cjs")`: loaded with it (a dynamic import is `then(() => require(...))`). */
const CHUNK_REQUIRE = /^(?:const|let|var) [\w$]+ = require\("\.\/([^"]+\.cjs)"\);$/gm;
/** rolldown's marker above each module it put in a chunk: `// dist/cli/main.js`, `// node_modules/zod/...`. */
const MODULE_MARKER = /^\/\/ ((?:dist|node_modules)\/\S+\.[cm]?js)$/gm;

/** The modules in `entry` and in every chunk it loads with it. */
function bundledClosure(entry: string): Set<string> {
  const chunks = new Set<string>();
  const modules = new Set<string>();
  const visit = (chunk: string) => {
    if (chunks.has(chunk)) return;
    chunks.add(chunk);
    const text = readFileSync(join(BUNDLE, chunk), 'utf8');
    for (const [, marker] of text.matchAll(MODULE_MARKER)) modules.add(marker!);
    for (const [, required] of text.matchAll(CHUNK_REQUIRE)) visit(required!);
  };
  visit(entry);
  return modules;
}

describe("serve's warm start", () => {
  it('reaches neither the SDK, zod, Ajv, undici, oauth4webapi nor the backend and auth layers', () => {
    const entries = ['cli/main.js', 'cli/commands/serve.js'].map((f) => join(DIST, f));
    expect(entries.filter((f) => !existsSync(f))).toEqual([]); // built by `npm test` first
    const { files, packages } = staticClosure(entries);
    const ours = [...files].map((f) => f.slice(DIST.length + 1)).sort();
    expect(ours).toContain('cli/warm-start.js');
    expect(ours).toContain('aggregator/warm-answers.js');
    expect(ours.filter((f) => /^(auth\/|aggregator\/server\.js|backends\/backend\.js)/.test(f))).toEqual([]);
    // Nothing of the SDK at all (the catalog's URI template matcher is mcp-sentinel's own).
    const heavy = [...packages].filter((p) =>
      /^(zod|ajv|undici|oauth4webapi|@modelcontextprotocol\/)/.test(p),
    );
    expect(heavy).toEqual([]);
  });

  it("then loads the SDK's client package only: the host side is mcp-sentinel's own", () => {
    // The server package would bring a second copy of the SDK's protocol code, wire schemas and Ajv.
    const { packages } = staticClosure([join(DIST, 'cli/commands/serve.js')], ANY_IMPORT);
    const sdk = [...packages].filter((p) => p.startsWith('@modelcontextprotocol/'));
    expect(sdk.length).toBeGreaterThan(0);
    expect(sdk.filter((p) => !p.startsWith('@modelcontextprotocol/client'))).toEqual([]);
  });

  it('in the bundle bin/ runs, reaches none of them either', () => {
    const serveChunk = readdirSync(BUNDLE).find((f) =>
      readFileSync(join(BUNDLE, f), 'utf8').includes('\n// dist/cli/commands/serve.js\n'),
    );
    expect(serveChunk).toBeDefined();
    const modules = [...bundledClosure('main.cjs'), ...bundledClosure(serveChunk!)];
    expect(modules).toContain('dist/cli/main.js');
    expect(modules).toContain('dist/cli/warm-start.js');
    expect(modules).toContain('dist/aggregator/warm-answers.js');
    expect(modules.filter((m) => m.startsWith('node_modules/commander/')).length).toBeGreaterThan(0);
    const heavy = modules.filter((m) =>
      /^(dist\/(auth\/|aggregator\/server\.js|backends\/backend\.js)|node_modules\/(zod|ajv|undici|oauth4webapi|@modelcontextprotocol)\/)/.test(
        m,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('in the bundle bin/ runs, is strict code, as the ES modules it came from were', () => {
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith('.cjs'));
    expect(chunks.length).toBeGreaterThan(1);
    const sloppy = chunks.filter((f) => !readFileSync(join(BUNDLE, f), 'utf8').startsWith('"use strict";'));
    expect(sloppy).toEqual([]);
  });
});
