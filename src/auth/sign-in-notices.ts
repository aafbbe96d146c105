/**
 * Sign-in notices: how a change of a sign-in reaches the `serve` processes already running. Deleting or
 * replacing keychain entries is not enough there: a sign-in's token was read from the keychain once and is
 * kept in memory, and exchanged or enterprise access tokens (and the machine tokens of `oauth2` and
 * `jwt-bearer`) are never stored at all, only cached in memory; revocation at the authorization server does
 * not reach a resource server that checks JWTs itself. So `logout`, and every interactive sign-in (`login`,
 * or serve's own), leave a notice file per thing whose tokens changed (a server's URL; a sign-in to an
 * identity provider) in the per-user lock directory (signin/lock.ts), and every strategy looks at the
 * notices it depends on before it hands out a token (one `stat` each, no watcher that could fire late): a
 * changed notice drops what it keeps in memory at once, so the next request reads the keychain again or
 * makes a new grant, never with a signed-out (or replaced) user's credentials.
 *
 * A notice holds a time only, never a name or a token; its file name is a hash of what it is about.
 * `serve` also watches the notices of the backends waiting for a sign-in (`watchSignInNotice`): a `login`
 * in another terminal brings their tools without a restart.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, statSync, watch as fsWatch, type FSWatcher, type Stats } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../log.js';
import { defaultLockDir } from './signin/lock.js';

/** What a notice is about: the tokens of the server at `url` (its sign-in's, its grant's, and those made from them). */
export const serverNotice = (url: string): string => `server\n${url}`;

/** What a notice is about: the user's sign-in to an identity provider with one client. */
export const idpNotice = (issuer: string, clientId: string): string => `idp\n${issuer}\n${clientId}`;

function noticePath(dir: string, subject: string): string {
  const hash = createHash('sha256').update(subject).digest('hex').slice(0, 40);
  return join(dir, `signin-changed.${hash}`);
}

/** Leaves a notice for each of `subjects` (written to a temporary file renamed into place: never half-read). */
export async function announceSignInChange(
  subjects: readonly string[],
  dir = defaultLockDir(),
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const subject of new Set(subjects)) {
    const path = noticePath(dir, subject);
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, `${Date.now()}\n`, { mode: 0o600 });
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
}

/** `announceSignInChange` after a keychain change that is made already: a failure is only logged. */
export async function tellSignInChange(subjects: readonly string[], dir: string | undefined, log: Logger) {
  await announceSignInChange(subjects, dir).catch((error: unknown) => {
    log.warn(
      `running serve instances may keep the previous tokens until they expire: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}

/** A notice's identity: a new one is a new file (rename), so inode, time and size tell them apart. */
function fingerprint(info: Stats | undefined): string {
  return info ? `${info.ino}:${info.mtimeMs}:${info.size}` : '';
}

/**
 * The notices one strategy depends on. `add` starts watching a subject (a change from then on counts);
 * `check` calls `onChange` when one changed since it last looked, before any other caller can see that
 * notice as seen. Each caller stats for itself: a shared look started before a logout could miss it.
 */
export class SignInChangeWatch {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly onChange: () => void,
    private readonly dir: string = defaultLockDir(),
  ) {}

  add(subject: string): void {
    const path = noticePath(this.dir, subject);
    if (this.seen.has(path)) return;
    let info: Stats | undefined;
    try {
      info = statSync(path, { throwIfNoEntry: false });
    } catch {
      info = undefined;
    }
    this.seen.set(path, fingerprint(info));
  }

  async check(): Promise<void> {
    await Promise.all(
      [...this.seen.keys()].map(async (path) => {
        const now = fingerprint(await stat(path).catch(() => undefined));
        if (now === this.seen.get(path)) return;
        this.seen.set(path, now);
        // Right here, not after the other looks: a caller that sees this notice as seen finds it acted on.
        this.onChange();
      }),
    );
  }
}

/** A watch on one notice: `check` looks now; `close` stops the directory watch. */
export interface NoticeWatch {
  check(): Promise<void>;
  close(): void;
}

/**
 * Calls `onChange` soon after the notice about `subject` changes: a watch on the notice directory makes it
 * prompt (a sign-in in another terminal), and `check` looks at once for callers that cannot wait for it (a
 * directory that cannot be watched never fires). Unlike the token checks above, acting late here only
 * delays a retry, never sends a signed-out user's token.
 */
export function watchSignInNotice(
  subject: string,
  onChange: () => void,
  dir: string = defaultLockDir(),
): NoticeWatch {
  const watch = new SignInChangeWatch(onChange, dir);
  const name = basename(noticePath(dir, subject));
  let watcher: FSWatcher | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    watcher = fsWatch(dir, { persistent: false }, (_event, file) => {
      if (file === null || file === name) void watch.check();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  watch.add(subject);
  return { check: () => watch.check(), close: () => watcher?.close() };
}
