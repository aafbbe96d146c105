/**
 * V8's code cache for the bundle's CommonJS chunks (dist/bundle/) on a Node without a compile cache of its
 * own (Node 20). The CommonJS loader's compile step is wrapped for the chunks only, as the v8-compile-cache
 * package does: a chunk with an accepted cache entry is not parsed and compiled again. A missing or
 * rejected entry (another Node, other V8 flags) is written anew right after the chunk has run, while V8's
 * flags are still those it was compiled under (`serve` changes one later, which would make the entry
 * useless). Entries hold compiled JavaScript of the bundle only, never configuration or secrets.
 *
 * The entries of one build of the bundle share a directory named after the hash of its chunks;
 * the directories of older builds (an upgrade, a rebuild) are removed when a new one is made, but for the
 * newest few, so that two installed versions in use do not undo each other's cache; so are the caches of
 * other Node versions unused for a month.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import vm from 'node:vm';

type Compile = (this: NodeJS.Module, content: string, filename: string) => unknown;

/**
 * The V8 flags chunks are compiled under, when not the defaults (young-generation.ts changes one while
 * `serve` starts). V8 rejects an entry made under other flags, so each set of flags has entries of its own:
 * with one entry per chunk, `serve` and the other commands would each reject and rewrite the other's.
 */
let flagsVariant = '';

/** Chunks loaded from now on are compiled under `variant` ('' for V8's defaults). */
export function setCodeCacheVariant(variant: string): void {
  flagsVariant = variant;
}

/** The builds whose entries are kept, the newest first. */
const BUILDS_KEPT = 3;

/**
 * A build's name: the hash of all its chunks that scripts/bundle.mjs wrote. V8 accepts an entry for any
 * source of the same length, and main.cjs has the same name in every build, so neither its size nor its
 * time can tell two builds apart (npm packs every file with one fixed time).
 */
function buildName(chunks: string): string {
  return readFileSync(join(chunks, 'build-id'), 'utf8').trim();
}

/** Removes the directories of all but the newest BUILDS_KEPT builds. */
function pruneBuilds(root: string): void {
  const builds = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ path: join(root, entry.name), time: statSync(join(root, entry.name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of builds.slice(BUILDS_KEPT)) rmSync(old.path, { recursive: true, force: true });
}

/** The caches of other Node versions (`root` is one Node's) not used for this long are removed. */
const OTHER_NODE_KEPT_MS = 30 * 24 * 3600 * 1000;

function pruneOtherNodes(root: string): void {
  const parent = dirname(root);
  for (const name of readdirSync(parent)) {
    const path = join(parent, name);
    if (path !== root && name.startsWith('v8-') && Date.now() - statSync(path).mtimeMs > OTHER_NODE_KEPT_MS)
      rmSync(path, { recursive: true, force: true });
  }
}

/** The directory of this build's entries, made (and older builds pruned) when it is new. */
function buildDir(chunks: string, root: string): string {
  const dir = join(root, buildName(chunks));
  if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) {
    // Each on its own: a directory another process removed first must not cost this run its cache.
    for (const prune of [pruneBuilds, pruneOtherNodes]) {
      try {
        prune(root);
      } catch {
        // the next new build prunes again
      }
    }
  }
  return dir;
}

function readEntry(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined; // not cached yet
  }
}

/** Written beside its final name, then renamed: a process starting at the same time reads all or nothing. */
function writeEntry(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A cache that cannot be written is no cache (and leaves no half-written file).
    rmSync(temporary, { force: true });
  }
}

/** Runs a chunk as the CommonJS loader would, compiled from its cache entry when V8 accepts it. */
function runChunk(module: NodeJS.Module, content: string, filename: string, entry: string): unknown {
  const cachedData = readEntry(entry);
  // No loader for import(): scripts/bundle.mjs turns every import() into require() (a script compiled from
  // a code cache loses the loader it was given, so import() would work on the first start only).
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) { ${content}\n});`,
    {
      filename,
      cachedData,
    },
  );
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  const result = wrapper.call(
    module.exports,
    module.exports,
    createRequire(filename),
    module,
    filename,
    dirname(filename),
  );
  if (cachedData === undefined || script.cachedDataRejected) writeEntry(entry, script.createCachedData());
  return result;
}

/** From now on, the CommonJS files under `chunks` are compiled through the cache under `root`. */
export function cacheChunks(chunks: string, root: string): void {
  const dir = buildDir(chunks, root);
  const prototype = Module.prototype as unknown as { _compile: Compile };
  const compile = prototype._compile;
  const prefix = chunks.endsWith(sep) ? chunks : chunks + sep;
  prototype._compile = function compileChunk(content, filename) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    const entry = flagsVariant ? `${basename(filename)}.${flagsVariant}` : basename(filename);
    return runChunk(this, content, filename, join(dir, entry));
  };
}
