/**
 * Per-call measurements over open host connections: sequential latency (p50/p90/p99, and the calls per
 * second that gives with 1 in flight), throughput with 16 in flight, and a 1 MB round trip.
 *
 * The columns are measured interleaved, so that the load of a shared machine (which moves by a factor of
 * several within seconds) falls on each of them alike: sequential calls alternate column by column, call by
 * call (in a rotated order); the 16-in-flight throughput is measured in short bursts that alternate between
 * the columns; only one column ever has calls in flight at a time.
 */
import { percentile, rotate } from './stats.mjs';

const SMALL = { message: 'ping' };
const MB = { message: 'x'.repeat(1024 * 1024) };
/** Bursts per round of the 16-in-flight measurement. */
const BURSTS = 8;

async function timed(column, args) {
  const t = performance.now();
  const result = await column.call(column.tool, args);
  return { ms: performance.now() - t, result };
}

/** `count` sequential calls per column, alternating between the columns call by call. */
async function sequential(columns, count, round) {
  const samples = new Map(columns.map((c) => [c, []]));
  const busy = new Map(columns.map((c) => [c, 0]));
  for (let i = 0; i < count; i++) {
    for (const column of rotate(columns, round + i)) {
      const { ms } = await timed(column, SMALL);
      samples.get(column).push(ms * 1000);
      busy.set(column, busy.get(column) + ms);
    }
  }
  return new Map(
    columns.map((c) => {
      const s = samples.get(c);
      return [
        c,
        {
          p50: percentile(s, 50),
          p90: percentile(s, 90),
          p99: percentile(s, 99),
          perSecond1: (count / busy.get(c)) * 1000,
        },
      ];
    }),
  );
}

async function burst(column, count, width) {
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      await column.call(column.tool, SMALL);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: width }, worker));
  return performance.now() - started;
}

/** Calls per second with `width` in flight: `count` calls per column, in bursts that alternate columns. */
async function inFlight(columns, count, width, round) {
  const elapsed = new Map(columns.map((c) => [c, 0]));
  const per = Math.ceil(count / BURSTS);
  for (let b = 0; b < BURSTS; b++) {
    for (const column of rotate(columns, round + b)) {
      elapsed.set(column, elapsed.get(column) + (await burst(column, per, width)));
    }
  }
  return new Map(columns.map((c) => [c, ((per * BURSTS) / elapsed.get(c)) * 1000]));
}

/** The median time of a 1 MB echo, `count` per column, alternating call by call. */
async function payload(columns, count, round) {
  const samples = new Map(columns.map((c) => [c, []]));
  for (let i = 0; i < count; i++) {
    for (const column of rotate(columns, round + i)) {
      const { ms, result } = await timed(column, MB);
      samples.get(column).push(ms);
      const text = result.content?.[0]?.text;
      if (typeof text !== 'string' || text.length < MB.message.length)
        throw new Error(`${column.label}: 1 MB result came back short`);
    }
  }
  return new Map(columns.map((c) => [c, percentile(samples.get(c), 50)]));
}

/**
 * Runs `rounds` rounds over `columns` ({label, tool, call}); returns, per column label, arrays with one
 * value per round of p50, p90, p99 (µs), perSecond1, perSecond16 (calls/s) and mb (ms per 1 MB echo).
 */
export async function measureCalls(columns, { rounds, calls, parallelCalls, payloadCalls, warmup }) {
  const out = Object.fromEntries(
    columns.map((c) => [c.label, { p50: [], p90: [], p99: [], perSecond1: [], perSecond16: [], mb: [] }]),
  );
  for (const column of columns) {
    for (let i = 0; i < warmup; i++) await column.call(column.tool, SMALL);
    await burst(column, warmup, 16);
    for (let i = 0; i < 2; i++) await column.call(column.tool, MB);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [column, r] of await sequential(columns, calls, round)) {
      for (const key of ['p50', 'p90', 'p99', 'perSecond1']) out[column.label][key].push(r[key]);
    }
    for (const [column, perSecond] of await inFlight(columns, parallelCalls, 16, round)) {
      out[column.label].perSecond16.push(perSecond);
    }
    for (const [column, ms] of await payload(columns, payloadCalls, round)) out[column.label].mb.push(ms);
  }
  return out;
}
