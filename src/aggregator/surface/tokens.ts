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

/** Tokens of a tool list as a host sends it to the model (its JSON). */
export async function countToolListTokens(tools: readonly object[]): Promise<number> {
  return countTokens(JSON.stringify(tools));
}

/** A BPE token is at least one UTF-8 byte: text that fits in `limit` bytes fits in `limit` tokens. */
export function surelyWithin(text: string, limit: number): boolean {
  return text.length * 3 <= limit || Buffer.byteLength(text, 'utf8') <= limit;
}
