/** Token estimates of long results: right for ordinary text, and bounded in time for pathological text. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_LIST_TOKENS,
  countTokens,
  countToolListTokens,
  measureLongText,
  surelyWithin,
} from '../../src/aggregator/surface/tokens.js';

describe('measuring long text', () => {
  it('says ordinary text within the limit is within, with the whole text as head', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(100);
    const tokens = await countTokens(text);
    expect(await measureLongText(text, tokens + 50, tokens + 50)).toEqual({
      within: true,
      headChars: text.length,
    });
    const over = await measureLongText(text, Math.floor(tokens / 2), 100);
    expect(over.within).toBe(false);
    expect(over.headChars).toBeGreaterThan(200);
    expect(over.headChars).toBeLessThan(800);
  });

  it('stops early on a megabyte of base64 or of one repeated character', async () => {
    for (const text of [randomBytes(750_000).toString('base64'), 'x'.repeat(1_000_000)]) {
      const started = performance.now();
      expect((await measureLongText(text, 25_000, 8_000)).within).toBe(false);
      expect(performance.now() - started).toBeLessThan(3_000);
    }
  });

  it('knows text of at most `limit` bytes fits without counting', () => {
    expect(surelyWithin('abc', 3)).toBe(true);
    expect(surelyWithin('ü'.repeat(10), 15)).toBe(false);
  });
});

describe('tool lists', () => {
  it('counts an empty list as the tokenizer does, and a list by its JSON', async () => {
    expect(await countToolListTokens([])).toBe(await countTokens(JSON.stringify([])));
    expect(EMPTY_LIST_TOKENS).toBe(await countTokens('[]'));
    const tools = [{ name: 'echo', inputSchema: { type: 'object' } }];
    expect(await countToolListTokens(tools)).toBe(await countTokens(JSON.stringify(tools)));
  });
});
