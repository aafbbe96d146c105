import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { keepYoungGenerationSmall } from '../../src/cli/young-generation.js';

const newSpaceSize = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Allocates `rounds` batches of objects that all stay reachable, the way a start does. */
function keepAllocating(rounds: number): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < rounds; i++) kept.push(Array.from({ length: 1_000 }, (_, j) => ({ i, j, s: `v${j}` })));
  return kept;
}

describe('the young generation of serve', () => {
  it('keeps its size while held, and grows again once released', () => {
    const young = keepYoungGenerationSmall([], '');
    expect(young.held).toBe(true);
    const before = newSpaceSize();
    keepAllocating(400);
    expect(newSpaceSize()).toBeLessThanOrEqual(before);
    young.release();
    keepAllocating(400);
    expect(newSpaceSize()).toBeGreaterThan(before);
  });

  it('is left as the user chose on the command line or in NODE_OPTIONS', () => {
    expect(keepYoungGenerationSmall(['--max-semi-space-size=32'], '').held).toBe(false);
    expect(keepYoungGenerationSmall([], '--semi-space-growth-factor=4').held).toBe(false);
    expect(keepYoungGenerationSmall([], '--trace-gc --min-semi-space-size=2').held).toBe(false);
  });
});
