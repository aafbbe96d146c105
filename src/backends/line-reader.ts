/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line. Used for a
 * stdio backend's stdout (JSON-RPC, one message per line) and stderr (forwarded to our stderr).
 */
import { isAscii } from 'node:buffer';

const HEAD_BYTES = 4096;

export interface LineReaderOptions {
  maxLineBytes: number;
  /** `ascii` is the line's bytes when it is pure ASCII (then an index into one is an index into both). */
  onLine(line: string, ascii?: Buffer): void;
  /** Called once per over-long line; the rest of that line is discarded. `head()` gives its first bytes. */
  onOverflow(bytes: number, head: () => string): void;
}

export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly options: LineReaderOptions) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      this.append(chunk.subarray(start, newline));
      this.flushLine();
      start = newline + 1;
    }
  }

  /** Emits whatever is buffered as a final line (at end of stream). */
  end(): void {
    if (this.size > 0) this.flushLine();
  }

  private append(part: Buffer): void {
    if (part.length === 0 || this.discarding) return;
    if (this.size + part.length > this.options.maxLineBytes) {
      const held = this.chunks;
      this.options.onOverflow(this.size + part.length, () =>
        Buffer.concat([...held, part])
          .subarray(0, HEAD_BYTES)
          .toString('utf8'),
      );
      this.chunks = [];
      this.size = 0;
      this.discarding = true;
      return;
    }
    this.chunks.push(part);
    this.size += part.length;
  }

  private flushLine(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    // Pure ASCII (most JSON-RPC, whatever its size) decodes as Latin-1 to the same string, about three
    // times faster than the UTF-8 decoder (isAscii itself is a SIMD scan).
    const ascii = bytes.length > 256 && isAscii(bytes);
    const line = ascii ? bytes.toString('latin1') : bytes.toString('utf8');
    this.chunks = [];
    this.size = 0;
    this.options.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, ascii ? bytes : undefined);
  }
}
