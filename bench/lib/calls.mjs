/**
 * Per-call measurements over open host connections: sequential latency (p50/p90/p99, and the calls per
 * second that gives with 1 in flight), throughput with 16 in flight, and a 1 MB round trip. Columns are
 * measured in rounds, in a rotated order, so machine drift hits each of them alike.
 */
import { percentile, rotate } from './stats.mjs';

const SMALL = { message: 'ping' };
const MB = { message: 'x'.repeat(1024 * 1024) };

async function sequential(column, count) {
  const samples = new Array(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await column.call(column.tool, SMALL);
    samples[i] = (performance.now() - t) * 1000;
  }
  const elapsed = performance.now() - started;
  return {
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    perSecond1: (count / elapsed) * 1000,
  };
}

async function inFlight(column, count, width) {
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      await column.call(column.tool, SMALL);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: width }, worker));
  return (count / (performance.now() - started)) * 1000;
}

async function payload(column, count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const result = await column.call(column.tool, MB);
    samples.push(performance.now() - t);
    const text = result.content?.[0]?.text;
    if (typeof text !== 'string' || text.length < MB.message.length)
      throw new Error(`${column.label}: 1 MB result came back short`);
  }
  return percentile(samples, 50);
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
    await inFlight(column, warmup, 16);
    await payload(column, 2);
  }
  for (let round = 0; round < rounds; round++) {
    for (const column of rotate(columns, round)) {
      const r = await sequential(column, calls);
      for (const key of ['p50', 'p90', 'p99', 'perSecond1']) out[column.label][key].push(r[key]);
    }
    for (const column of rotate(columns, round + 1)) {
      out[column.label].perSecond16.push(await inFlight(column, parallelCalls, 16));
    }
    for (const column of rotate(columns, round + 2)) {
      out[column.label].mb.push(await payload(column, payloadCalls));
    }
  }
  return out;
}
