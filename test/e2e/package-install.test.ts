/**
 * mcp-sentinel installs the ways people install it: `npm pack` (and so a git URL or `npm install -g <path>`)
 * builds the CLI on the way through the `prepare` script, from sources without a build; and the supported
 * Node versions of `engines` are ones every locked package accepts, so `npm ci` prints no EBADENGINE there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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

describe('npm pack from sources without a build', () => {
  it('builds the CLI into the tarball, which runs', () => {
    // The project's files as a clone has them (tracked and new, never dist/), with its installed node_modules.
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((file) => file && !file.startsWith('dist/'));
    const source = join(work, 'source');
    for (const file of files) {
      mkdirSync(dirname(join(source, file)), { recursive: true });
      try {
        cpSync(join(ROOT, file), join(source, file));
      } catch {
        // a file deleted in the working tree but still tracked
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');

    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: source,
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
    symlinkSync(join(ROOT, 'node_modules'), join(unpacked, 'package', 'node_modules'), 'dir');
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
  }, 180_000);
});

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
