/**
 * Processes the benchmark starts, and the guarantee that none outlives it: every child is spawned in its
 * own process group, every descendant seen is remembered (pid + start time, so a reused pid is never
 * killed), and `stopTree` / `killAll` end them. Also reads memory figures from /proc.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const seen = new Map(); // pid -> start time (clock ticks since boot)

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), start: rest[19], state: rest[0] };
  } catch {
    return undefined;
  }
}

/** Every process below `root`, found through the parent links in /proc. */
export function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(name);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(Number(name));
    children.set(s.ppid, list);
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Remembers `pid` and everything below it, so a crash of the benchmark still ends them. */
export function track(pid) {
  for (const p of [pid, ...descendants(pid)]) {
    const s = stat(p);
    if (s && !seen.has(p)) seen.set(p, s.start);
  }
}

function alive(pid) {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z' && s.start === seen.get(pid);
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options, detached: true });
  track(child.pid);
  return child;
}

/** Ends `pid` and its tree: `polite()` first (e.g. closing stdin), then SIGTERM, then SIGKILL. */
export async function stopTree(pid, polite, graceMs = 3_000) {
  if (pid === undefined) return;
  track(pid);
  const tree = [pid, ...descendants(pid)];
  await polite?.();
  const gone = () => tree.every((p) => !alive(p));
  const wait = async (ms) => {
    for (let t = 0; t < ms && !gone(); t += 20) await new Promise((r) => setTimeout(r, 20));
  };
  await wait(graceMs);
  for (const p of tree) if (alive(p)) kill(p, 'SIGTERM');
  await wait(1_000);
  for (const p of tree) if (alive(p)) kill(p, 'SIGKILL');
  await wait(500);
}

/** Synchronous last resort (process 'exit'): SIGKILL everything ever tracked that still runs. */
export function killAll() {
  for (const pid of seen.keys()) if (alive(pid)) kill(pid, 'SIGKILL');
}

/** Processes below the benchmark that are still running (should be none at the end). */
export function leftovers() {
  return descendants(process.pid).filter((p) => stat(p)?.state !== 'Z');
}

function status(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { hwm: 0, rss: 0 };
  }
}

/** Peak RSS (MB) of one process, and the sum of the peaks of it and all its descendants. */
export function peakRss(pid) {
  const own = status(pid).hwm;
  let tree = own;
  for (const p of descendants(pid)) tree += status(p).hwm;
  return { ownMb: own / 1024, treeMb: tree / 1024 };
}

export function peakRssOf(pids) {
  return pids.reduce((sum, p) => sum + status(p).hwm, 0) / 1024;
}
