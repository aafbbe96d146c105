/**
 * mcp-sentinel installs the ways people install it: the tarball `npm pack` makes holds the built CLI and
 * nothing of the sources or tests, and runs with only the production dependencies; and the supported
 * Node versions of `engines` are ones every locked package accepts, so `npm ci` prints no EBADENGINE there.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const require = createRequire(import.meta.url);
const semver = require('semver') as {
  satisfies(version: string, range: string): boolean;
};

const work = mkdtempSync(join(tmpdir(), 'sentinel-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('packs the built CLI, and only it, into a tarball that runs', () => {
    // The tree `npm test` has just built, packed as published: the `files` list decides what goes in. The
    // `prepare` build itself (from a clone without dist/) is checked by scripts/git-install-check.sh in CI;
    // running it here would build everything a second time.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    const inside = packed[0]!.files.map((file) => file.path);
    expect(inside).toEqual(
      expect.arrayContaining(['bin/mcp-sentinel.js', 'dist/cli/main.js', 'schemas/config.schema.json']),
    );
    expect(inside.some((path) => path.startsWith('src/') || path.startsWith('test/'))).toBe(false);

    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['xzf', join(work, packed[0]!.filename), '-C', unpacked]);
    linkProductionDependencies(join(unpacked, 'package', 'node_modules'));
    const version = execFileSync(
      process.execPath,
      [join(unpacked, 'package', 'bin', 'mcp-sentinel.js'), '--version'],
      {
        encoding: 'utf8',
      },
    );
    const expected = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    expect(version.trim()).toBe(expected);
  }, 60_000);
});

/**
 * The locked packages a production install (`npm install --omit=dev`) has, linked from this project's
 * node_modules: a module of the CLI that imports a dev dependency fails to load.
 */
function linkProductionDependencies(target: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = path.startsWith('node_modules/') ? path.slice('node_modules/'.length) : '';
    if (!name || name.includes('/node_modules/') || entry.dev) continue;
    mkdirSync(dirname(join(target, name)), { recursive: true });
    symlinkSync(join(ROOT, path), join(target, name), 'dir');
  }
}

describe('engines', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node?: string }; optional?: boolean }>;
  };
  // The first release engines admits on each major line from 20 to 26 (a range such as ">=20.19" admits
  // 21.0.0 and 22.0.0, which eslint and vite refuse).
  const versions = [20, 21, 22, 23, 24, 25, 26].flatMap((major) => {
    const first = Array.from({ length: 40 }, (_, minor) => `${major}.${minor}.0`).find((v) =>
      semver.satisfies(v, pkg.engines.node),
    );
    return first ? [first] : [];
  });

  it('admits the supported lines', () => {
    expect(versions).toEqual(expect.arrayContaining(['20.19.0', '22.13.0', '24.0.0']));
  });

  it.each(versions)('every locked package accepts Node %s', (version) => {
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => !entry.optional && entry.engines?.node)
      .filter(([, entry]) => !semver.satisfies(version, entry.engines!.node!))
      .map(([path, entry]) => `${path} (${entry.engines!.node})`);
    expect(refusing).toEqual([]);
  });

  it('lists package.json and the lock file with the same engines', () => {
    expect(lock.packages['']!.engines?.node).toBe(pkg.engines.node);
  });
});
