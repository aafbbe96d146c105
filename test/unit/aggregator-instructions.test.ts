/** The merged instructions: each backend's text under its prefix, within the host's 2 KB. */
import { describe, expect, it } from 'vitest';
import { MAX_INSTRUCTIONS_BYTES, mergeInstructions } from '../../src/aggregator/instructions.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('mergeInstructions', () => {
  it('names every prefix and puts each text under its server', () => {
    const text = mergeInstructions(
      [
        { name: 'github', prefix: 'github', instructions: 'Use search before create.' },
        { name: 'files', prefix: '', instructions: 'Paths are absolute.' },
        { name: 'quiet', prefix: 'q' },
      ],
      '__',
    );
    expect(text).toBe(
      'Tools, resources and prompts of 3 MCP servers github, files, quiet, through mcp-sentinel. ' +
        "Names of some servers start with their server's prefix: github__ (github), q__ (quiet).\n\n" +
        '## github (names starting github__)\nUse search before create.\n\n' +
        '## files\nPaths are absolute.',
    );
  });

  it('never mentions prefixes when no name has one', () => {
    const text = mergeInstructions([{ name: 'a', prefix: '', instructions: 'x' }], '__');
    expect(text).not.toMatch(/prefix|__/);
  });

  it.each([
    ['one long text', [5_000]],
    ['a short and a long text', [100, 5_000]],
    ['many long texts', [3_000, 3_000, 3_000, 3_000]],
    ['multi-byte text', [4_000]],
  ])('stays within 2 KB with %s, keeping short texts whole', (label, lengths) => {
    const char = label === 'multi-byte text' ? 'é' : 'w';
    const sources = lengths.map((length, i) => ({
      name: `s${i}`,
      prefix: `s${i}`,
      instructions: char.repeat(length),
    }));
    const text = mergeInstructions(sources, '__');
    expect(bytes(text)).toBeLessThanOrEqual(MAX_INSTRUCTIONS_BYTES);
    expect(text).not.toContain('\uFFFD');
    for (const [i, length] of lengths.entries()) {
      expect(text).toContain(`## s${i} (names starting s${i}__)\n${char}`);
      if (length === 100) expect(text).toContain(`${'w'.repeat(100)}\n`);
    }
  });
});
