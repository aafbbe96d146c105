/**
 * Lines written while one chunk of input is handled leave in one write per stream. A chunk from a
 * backend's stdout often holds several responses, and one from the host several requests: each becomes a
 * line to the host (or to a backend), and without this each line is a write of its own (a system call,
 * and a wake-up of the reader on the other end). Every stream that takes lines joins the batch (the
 * host's stdout, each stdio backend's stdin); `batchWrites` corks them all while it handles a chunk and
 * uncorks them when it is done, which sends what was written meanwhile in one writev and adds no delay.
 *
 * Process-wide, like the output gate: a chunk from one side is what produces the lines of the other.
 */
import type { Writable } from 'node:stream';

const streams = new Set<Writable>();
/** The streams the batch under way corked (and so must uncork, whatever joins or leaves meanwhile). */
const corked = new Set<Writable>();
let depth = 0;

/**
 * Hands `chunk` to `reader`, with every joined stream corked when the chunk holds more than one line (a
 * single line gains nothing from a batch, and corking costs a little); nested calls share the outer batch.
 */
export function batchWrites(chunk: Buffer, reader: { push(chunk: Buffer): void }): void {
  const newline = chunk.indexOf(0x0a);
  if (newline === -1 || newline >= chunk.length - 2) {
    reader.push(chunk);
    return;
  }
  if (depth++ === 0) {
    for (const stream of streams) {
      stream.cork();
      corked.add(stream);
    }
  }
  try {
    reader.push(chunk);
  } finally {
    if (--depth === 0) {
      for (const stream of corked) stream.uncork();
      corked.clear();
    }
  }
}

/** Adds `stream` to the batch, until it closes. */
export function joinBatch(stream: Writable): void {
  if (streams.has(stream)) return;
  streams.add(stream);
  stream.once('close', () => {
    streams.delete(stream);
    if (corked.delete(stream)) stream.uncork();
  });
}
