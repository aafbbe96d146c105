/**
 * Token estimates with a real tokenizer (gpt-tokenizer's o200k_base encoding), loaded on first use only:
 * its tables take ~150 ms to load, which `serve` must not pay before it answers `initialize`. Counts are
 * estimates for any host (Claude's tokenizer differs slightly), and much closer than characters ÷ 4.
 */
type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

let encoding: Promise<Encoding> | undefined;

export function loadTokenizer(): Promise<Encoding> {
  encoding ??= import('gpt-tokenizer/encoding/o200k_base');
  return encoding;
}

export async function countTokens(text: string): Promise<number> {
  return (await loadTokenizer()).countTokens(text);
}

/** Tokens of `[]`, an empty tool list (checked against the tokenizer in the tests). */
export const EMPTY_LIST_TOKENS = 1;

/**
 * Tokens of a tool list as a host sends it to the model (its JSON). An empty list (doctor when no backend
 * is up) needs no tokenizer: it is not loaded for it.
 */
export async function countToolListTokens(tools: readonly object[]): Promise<number> {
  if (tools.length === 0) return EMPTY_LIST_TOKENS;
  return countTokens(JSON.stringify(tools));
}

/** A BPE token is at least one UTF-8 byte: text that fits in `limit` bytes fits in `limit` tokens. */
export function surelyWithin(text: string, limit: number): boolean {
  return text.length * 3 <= limit || Buffer.byteLength(text, 'utf8') <= limit;
}

/** Piece size for counting long text: BPE is quadratic in the length of a run without spaces. */
const PIECE = 256;

export interface LongTextMeasure {
  /** Whether the text is within `limit` tokens. */
  within: boolean;
  /** How many leading characters make up about `headTokens` tokens. */
  headChars: number;
}

/**
 * Counts the tokens of `text` in pieces of ~256 characters (cut at a space where one is near), stopping
 * as soon as `limit` is passed: bounded time whatever the text is (a megabyte of base64, a run of one
 * character), at the price of a slight over-count at the cuts.
 */
export async function measureLongText(
  text: string,
  limit: number,
  headTokens: number,
): Promise<LongTextMeasure> {
  const { countTokens: count } = await loadTokenizer();
  let tokens = 0;
  let headChars = 0;
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + PIECE, text.length);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + PIECE / 2) end = space;
    }
    tokens += count(text.slice(start, end));
    if (tokens <= headTokens) headChars = end;
    if (tokens > limit) return { within: false, headChars };
    start = end;
  }
  return { within: true, headChars: text.length };
}
