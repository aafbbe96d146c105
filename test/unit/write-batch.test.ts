/** Lines written while one chunk of several lines is handled leave in one write per stream. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchWrites, joinBatch } from '../../src/write-batch.js';

/** A stream that records each write it gets (a writev of several lines is one). */
function recorder() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => String(chunk)).join(''));
      done();
    },
  });
  joinBatch(stream);
  return { stream, writes };
}

/** Writes one line to `out` per line of `chunk`, as the relay does. */
const relayTo = (out: Writable) => ({
  push: (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) out.write(`${line}!\n`);
  },
});

describe('batchWrites', () => {
  it('sends the lines of one chunk in one write, and nothing is held after it', () => {
    const { stream, writes } = recorder();
    batchWrites(Buffer.from('a\nb\nc\n'), relayTo(stream));
    expect(writes).toEqual(['a!\nb!\nc!\n']);
    expect(stream.writableCorked).toBe(0);
  });

  it('writes a chunk of one line at once, without corking', () => {
    const { stream, writes } = recorder();
    batchWrites(Buffer.from('only\r\n'), {
      push: () => {
        expect(stream.writableCorked).toBe(0);
        stream.write('one\n');
      },
    });
    expect(writes).toEqual(['one\n']);
  });

  it('lets go of a stream destroyed during a batch, and batches the others', async () => {
    const { stream, writes } = recorder();
    batchWrites(Buffer.from('x\ny\n'), {
      push: () => {
        stream.write('before close\n');
        stream.destroy();
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.writableCorked).toBe(0);
    expect(writes).toEqual([]);
    const other = recorder();
    batchWrites(Buffer.from('1\n2\n'), relayTo(other.stream));
    expect(other.writes).toEqual(['1!\n2!\n']);
  });
});
