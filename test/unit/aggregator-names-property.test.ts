/** Public names, by property: always valid for hosts, never two tools under one name, the same on every start. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NameAllocator, toPublicName } from '../../src/aggregator/names.js';

const backendName = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const toolName = fc.oneof(
  fc.string({ minLength: 0, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[a-z_.-]{1,120}$/),
  fc.constantFrom('echo', 'a__search', 'x'.repeat(200), 'with space', 'ümlaut', '🔥', ''),
);
const source = fc.record({
  backend: backendName,
  prefix: fc.option(fc.constantFrom('', 'a', 'a_', 'b__c'), { nil: undefined }),
  tools: fc.array(toolName, { maxLength: 12 }),
});
const separator = fc.constantFrom('__', '_', '-', '.');

function allocate(
  sources: { backend: string; prefix?: string; tools: string[] }[],
  sep: string,
  max: number,
): Map<string, string> {
  const names = new NameAllocator(max);
  const given = new Map<string, string>();
  for (const { backend, prefix, tools } of sources) {
    for (const tool of new Set(tools)) {
      const preferred = toPublicName(backend, prefix ?? backend, sep, tool, max);
      given.set(
        `${backend}\0${tool}`,
        names.allocate(backend, tool, preferred, () => undefined),
      );
    }
  }
  return given;
}

const uniqueBackends = fc.uniqueArray(source, { selector: (s) => s.backend, maxLength: 6 });

describe('public names (property)', () => {
  it('are always valid: letters, digits, "_" and "-", 1 to max characters', () => {
    fc.assert(
      fc.property(uniqueBackends, separator, fc.integer({ min: 16, max: 128 }), (sources, sep, max) => {
        const pattern = new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`);
        for (const name of allocate(sources, sep, max).values()) expect(name).toMatch(pattern);
      }),
    );
  });

  it('are injective: two different tools never share a name, even when prefixes and sanitizing collide', () => {
    fc.assert(
      fc.property(uniqueBackends, separator, fc.integer({ min: 16, max: 64 }), (sources, sep, max) => {
        const names = [...allocate(sources, sep, max).values()];
        expect(new Set(names).size).toBe(names.length);
      }),
    );
  });

  it('are stable: the same config and tools give the same names every time', () => {
    fc.assert(
      fc.property(uniqueBackends, separator, fc.integer({ min: 16, max: 64 }), (sources, sep, max) => {
        expect([...allocate(sources, sep, max)]).toEqual([...allocate(structuredClone(sources), sep, max)]);
      }),
    );
  });

  it('keep a name that is already valid and short enough exactly as prefix + separator + name', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,10}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        (backend, tool) => {
          expect(toPublicName(backend, backend, '__', tool, 64)).toBe(`${backend}__${tool}`);
        },
      ),
    );
  });

  it('give a later backend\u2019s tool named like an earlier backend\u2019s public name a different name (no shadowing)', () => {
    const given = allocate(
      [
        { backend: 'a', tools: ['search'] },
        { backend: 'b', prefix: '', tools: ['a__search'] },
      ],
      '__',
      64,
    );
    expect(given.get('a\0search')).toBe('a__search');
    expect(given.get('b\0a__search')).toMatch(/^a__search_[0-9a-f]{8}$/);
  });
});
