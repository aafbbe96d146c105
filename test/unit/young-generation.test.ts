/**
 * serve's young generation: held at its starting size while the backends start, V8's own growth back
 * after that, and a young-generation flag given to node left alone. The sizes are read in a fresh node
 * (the built module, as `serve` runs it), where no earlier test has grown the young generation already.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keepYoungGenerationSmall } from '../../src/cli/young-generation.js';
import { ROOT } from '../helpers/paths.js';

const BUILT = pathToFileURL(join(ROOT, 'dist/cli/young-generation.js')).href;

/** New-space sizes in a fresh node: at the start, after a start-like burst held, after the same released. */
const PROBE = `
import { getHeapSpaceStatistics } from 'node:v8';
import { keepYoungGenerationSmall } from '${BUILT}';
const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const kept = [];
const burst = () => { for (let i = 0; i < 400; i++) kept.push(Array.from({ length: 1000 }, (_, j) => ({ i, j }))); };
const young = keepYoungGenerationSmall([], '');
const start = size();
burst();
const held = size();
young.release();
burst();
console.log(JSON.stringify({ start, held, released: size() }));
`;

describe('the young generation of serve', () => {
  it('keeps its size through a burst of surviving allocations while held, and grows again once released', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const sizes = JSON.parse(run.stdout) as { start: number; held: number; released: number };
    // Held, V8 takes at most its first step (1 to 2 MB); released, the same burst takes it to its maximum.
    expect(sizes.held).toBeLessThanOrEqual(2 * sizes.start);
    expect(sizes.released).toBeGreaterThan(2 * sizes.held);
  });

  it('is left as the user chose on the command line or in NODE_OPTIONS', () => {
    expect(keepYoungGenerationSmall(['--max-semi-space-size=32'], '').held).toBe(false);
    expect(keepYoungGenerationSmall([], '--semi-space-growth-factor=4').held).toBe(false);
    expect(keepYoungGenerationSmall([], '--trace-gc --min-semi-space-size=2').held).toBe(false);
  });
});
