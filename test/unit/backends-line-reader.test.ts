/** Line framing of a backend's stdout and stderr, by property: any re-chunking of the bytes gives the same lines. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineReader } from '../../src/backends/line-reader.js';

function read(chunks: Buffer[], maxLineBytes: number) {
  const lines: string[] = [];
  const overflows: string[] = [];
  const reader = new LineReader({
    maxLineBytes,
    onLine: (l) => lines.push(l),
    onOverflow: (_n, head) => overflows.push(head()),
  });
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return { lines, overflows };
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

const line = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''));

describe('LineReader (property)', () => {
  it('yields the same lines however the bytes are chunked, multi-byte characters and CRLF included', () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        (lines, crlf, cuts) => {
          const bytes = Buffer.from(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''));
          expect(read(split(bytes, cuts), 1_000).lines).toEqual(lines);
        },
      ),
    );
  });

  it('drops only the over-long lines, reports each once with its head, and keeps the lines around them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (lengths, cuts) => {
          const lines = lengths.map((n, i) => String.fromCharCode(97 + (i % 26)).repeat(n));
          const bytes = Buffer.from(lines.map((l) => l + '\n').join(''));
          const { lines: kept, overflows } = read(split(bytes, cuts), 20);
          expect(kept).toEqual(lines.filter((l) => l.length <= 20));
          expect(overflows.length).toBe(lines.filter((l) => l.length > 20).length);
          for (const head of overflows) expect(head.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
