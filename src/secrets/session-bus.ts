/**
 * The D-Bus session bus when the environment does not name it. Hosts (and the MCP Inspector) start servers
 * with only HOME, PATH, SHELL, TERM and USER, so DBUS_SESSION_BUS_ADDRESS is missing although the user's
 * session bus runs; like libsecret users (and systemd's default), fall back to the socket at
 * `$XDG_RUNTIME_DIR/bus`, then `/run/user/<uid>/bus`. Linux only; nothing changes when the variable is set.
 */
import { statSync } from 'node:fs';

/** The bus address to use, or undefined to leave the environment as it is. Pure apart from `isSocket`. */
export function fallbackBusAddress(
  env: Record<string, string | undefined>,
  uid: number | undefined,
  isSocket: (path: string) => boolean,
): string | undefined {
  if (env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  const candidates = [
    env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/bus` : undefined,
    uid !== undefined ? `/run/user/${uid}/bus` : undefined,
  ];
  const found = candidates.find((path) => path !== undefined && isSocket(path));
  return found ? `unix:path=${found}` : undefined;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Sets DBUS_SESSION_BUS_ADDRESS for this process (and what libdbus reads) when it is missing and a bus is found. */
export function ensureSessionBus(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'linux') return;
  const address = fallbackBusAddress(process.env, process.getuid?.(), isSocket);
  if (address) process.env.DBUS_SESSION_BUS_ADDRESS = address;
}
