/**
 * Finds the descendants of a process by walking /proc, so tests can prove that nothing was left
 * running: no backend, no npx grandchild.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 is the parent pid; field 2 (the command) may contain spaces, so split after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Whether this kernel lists each task's children (CONFIG_PROC_CHILDREN): then only the tree is read. */
const hasChildrenFiles = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

/** The children of `pid`, from the children file of each of its threads; none once it is gone. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Every process of /proc by its parent: the fallback without children files. */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  return children;
}

export function descendantsOf(root: number): number[] {
  // Polled often while tests wait: reading the tree alone is much cheaper than all of /proc.
  const byParent = hasChildrenFiles ? undefined : childrenByParent();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const child of byParent ? (byParent.get(next) ?? []) : childrenOf(next)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found.filter((pid) => !isZombie(pid));
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs any more; returns those still running after `ms`. */
export async function waitGone(pids: number[], ms = 8_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pids.filter(isRunning);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter(isRunning);
  }
  return alive;
}
