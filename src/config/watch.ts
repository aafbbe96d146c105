/**
 * Watches files for edits in a way that survives how editors save: most write a new file and rename it
 * over the old one, which ends a watch on the file itself. So each file's directory is watched, and
 * events are filtered by file name. Bursts (an editor's write, chmod and rename) are coalesced into one
 * call. The watchers never keep the process alive.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export function watchFiles(files: string[], onChange: () => void, debounceMs = 100): () => void {
  const byDir = new Map<string, Set<string>>();
  for (const file of files.map((f) => resolve(f))) {
    const names = byDir.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file));
    byDir.set(dirname(file), names);
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        // Some platforms give no name: then any event in the directory may be ours.
        if (!name || names.has(String(name))) changed();
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // A directory that cannot be watched: edits there need a restart, as before.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
