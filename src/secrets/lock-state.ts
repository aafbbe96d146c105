/**
 * Whether the Secret Service's default collection (the login keyring) is locked. Reading a missing item
 * works on a locked collection, so the keychain probe alone reports a locked keyring as usable; the
 * collection's own `Locked` property tells. Asked through `dbus-send` (Debian/Ubuntu package "dbus"), with a
 * deadline; undefined when it cannot be told (no dbus-send, no collection, no answer).
 */
import { execFile } from 'node:child_process';

const COLLECTIONS = ['/org/freedesktop/secrets/aliases/default', '/org/freedesktop/secrets/collection/login'];

function lockedProperty(path: string, timeoutMs: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    execFile(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        `--reply-timeout=${timeoutMs}`,
        '--dest=org.freedesktop.secrets',
        path,
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      ],
      { timeout: timeoutMs + 500, env: process.env },
      (error, stdout) => {
        if (error) return resolve(undefined);
        const match = /boolean (true|false)/.exec(stdout);
        resolve(match ? match[1] === 'true' : undefined);
      },
    );
  });
}

export async function secretServiceLocked(timeoutMs = 2_000): Promise<boolean | undefined> {
  for (const path of COLLECTIONS) {
    const locked = await lockedProperty(path, timeoutMs);
    if (locked !== undefined) return locked;
  }
  return undefined;
}

/** A hint that unlocks the login keyring (`gnome-keyring-daemon --unlock` alone starts a second daemon). */
export const UNLOCK_HINT =
  'unlock the "Login" keyring: log in to the desktop session, or open Passwords and Keys (seahorse) and unlock it; on a machine without a desktop: printf %s "$PASSWORD" | gnome-keyring-daemon --replace --unlock --components=secrets';
