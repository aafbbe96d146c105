/**
 * The OS keychain as a SecretStore, through @napi-rs/keyring: service "mcp-sentinel", account = secret name.
 * On Linux that is an item of the Secret Service with attributes `service=mcp-sentinel username=<name>`, so
 * `secret-tool lookup service mcp-sentinel username <name>` reads it.
 *
 * Why it looks like this:
 * - Only AsyncEntry: the blocking Entry would stall the event loop (and every backend) on a slow keychain.
 * - Linux entries are pinned to the Secret Service: by default keyring-rs silently falls back to the kernel
 *   keyring, whose secrets vanish on reboot and whose failures read as "not found".
 * - Every call races a timer (3 s, like gh's keyring wrapper), because the AbortSignal is not always honoured.
 * - Native error text is classified, never passed on: our messages carry names and remedies only.
 */
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';

/** The native binding is loaded on first use: a config without `secret:` references never maps it (~7 MB). */
let binding: Promise<typeof import('@napi-rs/keyring')> | undefined;
const keyring = () => {
  // Before the native library first connects: it reads the bus address from the environment.
  if (!binding) ensureSessionBus();
  return (binding ??= import('@napi-rs/keyring'));
};
import { SentinelError } from '../errors.js';
import { envVarForSecret } from './env-fallback.js';
import { secretServiceLocked, UNLOCK_HINT } from './lock-state.js';
import { ensureSessionBus } from './session-bus.js';
import { assertSecretName, isValidSecretName, type SecretProbe, type SecretStore } from './store.js';

export const KEYCHAIN_SERVICE = 'mcp-sentinel';
const DEFAULT_TIMEOUT_MS = 3_000;
/** Not a valid secret name, so a probe can never read a real secret. */
const PROBE_ACCOUNT = '_probe';
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

export interface KeychainOptions {
  timeoutMs?: number;
  /** Platform for messages and hints; defaults to process.platform. */
  platform?: NodeJS.Platform;
  /** Keychain service of the entries; defaults to KEYCHAIN_SERVICE. Sign-in tokens live under their own. */
  service?: string;
}

export function keychainDescription(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (D-Bus)';
}

export function createKeychainStore(options: KeychainOptions = {}): SecretStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const platform = options.platform ?? process.platform;
  const description = keychainDescription(platform);
  const service = options.service ?? KEYCHAIN_SERVICE;
  const call = <T>(what: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> =>
    withTimeout(what, op, timeoutMs, platform);
  const entry = async (name: string): Promise<AsyncEntry> =>
    new (await keyring()).AsyncEntry(service, name, ENTRY_OPTIONS);

  return {
    description,
    async get(name) {
      assertSecretName(name);
      const value = await call(`read secret "${name}"`, async (signal) =>
        (await entry(name)).getPassword(signal),
      );
      return value ?? undefined;
    },
    async set(name, value) {
      assertSecretName(name);
      await call(`store secret "${name}"`, async (signal) => (await entry(name)).setPassword(value, signal));
    },
    async delete(name) {
      assertSecretName(name);
      return call(`delete secret "${name}"`, async (signal) => (await entry(name)).deleteCredential(signal));
    },
    async list() {
      const credentials = await call('list secrets', async (signal) =>
        (await keyring()).findCredentialsAsync(service, null, signal),
      );
      // findCredentials also returns the values; keep the names and drop the rest at once.
      const names = new Set(credentials.map((credential) => credential.account).filter(isValidSecretName));
      return [...names].sort();
    },
    async probe(): Promise<SecretProbe> {
      try {
        await call('reach the keychain', async (signal) => (await entry(PROBE_ACCOUNT)).getPassword(signal));
        if (platform === 'linux' && (await secretServiceLocked()) === true) {
          return {
            ok: false,
            store: description,
            error: new SentinelError('KEYCHAIN_LOCKED', 'the login keyring of the Secret Service is locked', {
              hint: UNLOCK_HINT,
            }),
          };
        }
        return { ok: true, store: description };
      } catch (error) {
        return {
          ok: false,
          store: description,
          error: toKeychainError(error, 'reach the keychain', platform),
        };
      }
    },
  };
}

/** Runs one keychain call with a deadline; a late answer is ignored. Exported for tests. */
export async function withTimeout<T>(
  what: string,
  op: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  platform: NodeJS.Platform,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new SentinelError(
          'KEYCHAIN_TIMEOUT',
          `the keychain did not answer within ${timeoutMs / 1000} s (${what})`,
          {
            hint: timeoutHint(platform, what),
          },
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([op(controller.signal), timeout]);
  } catch (error) {
    throw toKeychainError(error, what, platform);
  } finally {
    clearTimeout(timer);
  }
}

/** Maps a native keyring failure to a typed error by category; the native text itself is dropped. */
export function toKeychainError(
  error: unknown,
  what: string,
  platform: NodeJS.Platform = process.platform,
): SentinelError {
  if (error instanceof SentinelError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const fallbackHint = `or provide the secret as ${fallbackVariable(what)} in the environment`;

  if (/did not receive a reply|timeout was reached|timed out/i.test(text)) {
    return new SentinelError('KEYCHAIN_TIMEOUT', `the keychain did not answer (${what})`, {
      hint: timeoutHint(platform, what),
    });
  }
  if (
    /unlock prompt|islocked|is locked|locked object|interaction is not allowed|no result found|object does not exist at path/i.test(
      text,
    )
  ) {
    return new SentinelError(
      'KEYCHAIN_LOCKED',
      `the keychain is locked or has no default keyring (could not ${what})`,
      {
        hint:
          platform === 'linux'
            ? `${UNLOCK_HINT}; ${fallbackHint}`
            : `unlock the ${keychainDescription(platform)}, ${fallbackHint}`,
      },
    );
  }
  if (/ambiguous/i.test(text)) {
    return new SentinelError('KEYCHAIN_UNAVAILABLE', `several keychain items match (could not ${what})`, {
      hint: `remove the duplicates for service "${KEYCHAIN_SERVICE}" in your keychain tool, then retry`,
    });
  }
  if (platform === 'linux') {
    const noBus =
      /autolaunch|DBUS_SESSION_BUS_ADDRESS|failed to connect|could not connect|no such file or directory/i.test(
        text,
      );
    const noProvider = /not provided by any|ServiceUnknown|org\.freedesktop\.secrets/i.test(text);
    const [reason, remedy] = noBus
      ? [
          'no D-Bus session bus is reachable (DBUS_SESSION_BUS_ADDRESS)',
          'run inside a desktop login session, or start one with dbus-run-session and a Secret Service such as gnome-keyring',
        ]
      : noProvider
        ? [
            'no Secret Service provider (such as gnome-keyring or KeePassXC) is running',
            'install and start one (Debian/Ubuntu: apt-get install gnome-keyring)',
          ]
        : [
            'the Secret Service failed',
            'check that your keyring works, e.g. with: secret-tool search service mcp-sentinel',
          ];
    return new SentinelError(
      'KEYCHAIN_UNAVAILABLE',
      `the keychain is unavailable: ${reason} (could not ${what})`,
      {
        hint: `${remedy}; ${fallbackHint}`,
      },
    );
  }
  return new SentinelError(
    'KEYCHAIN_UNAVAILABLE',
    `the ${keychainDescription(platform)} is unavailable (could not ${what})`,
    {
      hint: `check that the ${keychainDescription(platform)} works for your user, ${fallbackHint}`,
    },
  );
}

/** The variable that stands in for the secret a call was about (`read secret "x"`), or the pattern. */
function fallbackVariable(what: string): string {
  const name = /secret "([^"]+)"/.exec(what)?.[1];
  return name && isValidSecretName(name) ? envVarForSecret(name) : 'MCP_SENTINEL_SECRET_<NAME>';
}

function timeoutHint(platform: NodeJS.Platform, what = ''): string {
  const variable = fallbackVariable(what);
  return platform === 'linux'
    ? `the Secret Service may be waiting for an unlock prompt; unlock your keyring, or set ${variable}`
    : `check that the ${keychainDescription(platform)} is unlocked, or set ${variable}`;
}
