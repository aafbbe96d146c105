/** The restart schedule: exponential with jitter, capped, and a budget per window so a crash loop cannot storm. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RestartPolicy } from '../../src/backends/restart-policy.js';

const settings = { initialDelayMs: 100, maxDelayMs: 1_000, maxRestarts: 5, windowMs: 60_000 };

describe('RestartPolicy', () => {
  it('doubles the delay from the initial one up to the cap, with at most half of it as jitter', () => {
    let now = 0;
    const low = new RestartPolicy(
      settings,
      () => now,
      () => 0,
    );
    const high = new RestartPolicy(
      settings,
      () => now,
      () => 0.999999,
    );
    const bases = [100, 200, 400, 800, 1_000];
    for (const base of bases) {
      now += 10;
      expect(low.next()).toBe(base / 2);
      expect(high.next()).toBeCloseTo(base, 0);
    }
  });

  it('gives up after maxRestarts within the window, and allows restarts again once the window has passed', () => {
    let now = 0;
    const policy = new RestartPolicy(
      settings,
      () => now,
      () => 0.5,
    );
    for (let i = 0; i < 5; i++) expect(policy.next()).toBeDefined();
    expect(policy.next()).toBeUndefined();
    now += 30_000;
    expect(policy.next()).toBeUndefined();
    now += 30_001;
    expect(policy.next()).toBe(75); // the budget and the exponent start over
    expect(policy.limitDescription()).toBe('5 restarts in 60 s');
  });

  it('never allows more than maxRestarts in any window, and never a delay above the cap (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          initialDelayMs: fc.integer({ min: 1, max: 5_000 }),
          maxDelayMs: fc.integer({ min: 1, max: 60_000 }),
          maxRestarts: fc.integer({ min: 0, max: 10 }),
          windowMs: fc.integer({ min: 1, max: 600_000 }),
        }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 60 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (config, gaps, jitter) => {
          let now = 0;
          const policy = new RestartPolicy(
            config,
            () => now,
            () => jitter,
          );
          const allowed: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const delay = policy.next();
            if (delay === undefined) continue;
            allowed.push(now);
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(Math.max(config.maxDelayMs, 0));
            expect(allowed.filter((t) => now - t < config.windowMs).length).toBeLessThanOrEqual(
              config.maxRestarts,
            );
          }
        },
      ),
    );
  });
});
