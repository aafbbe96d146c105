/**
 * The two side effects of applying a reloaded config that are not about one backend's lifecycle: new
 * settings copied into the live settings object (which every backend and the aggregator read, so they
 * apply without a restart), and a replaced or removed backend retired: requests in flight finish first
 * (bounded by its request timeout), then its process goes.
 */
import type { Settings } from '../../config/types.js';
import type { Backend } from '../backend.js';

/** Copies `next` into `live` in place; true when a setting that shapes public names changed. */
export function applySettings(live: Settings, next: Settings): boolean {
  const renames = live.separator !== next.separator || live.maxToolNameLength !== next.maxToolNameLength;
  const { restart, ...rest } = next;
  Object.assign(live.restart, restart);
  Object.assign(live, rest);
  return renames;
}

/** Waits for `backend`'s requests in flight (at most its request timeout), then stops it. */
export async function drainThenStop(backend: Backend): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, backend.timeoutMs);
    timer.unref();
  });
  await Promise.race([backend.whenQuiet(), bound]);
  clearTimeout(timer);
  await backend.stop();
}
