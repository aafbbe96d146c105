/**
 * `mcp-sentinel secrets set|list|get|delete`: manage the keychain secrets that `secret:NAME` references use.
 *
 * A value never comes from argv (other local users can read the process list): `set` reads it from a hidden
 * prompt on a terminal, or from stdin when piped. `get` prints a value only with --reveal, and only to
 * stdout. Failures are thrown as SentinelError for the top-level catch (exit 2 for a bad name or usage,
 * 1 for keychain trouble).
 */
import type { Command } from 'commander';
import chalk, { chalkStderr } from 'chalk';
import type { ServerConfig } from '../../config/types.js';
import { SentinelError } from '../../errors.js';
import { runThenExit } from '../render-error.js';
import { loadEnvironment } from '../../refs/env.js';
import { listServerReferences } from '../../refs/fields.js';
import {
  assertSecretName,
  createSecretStore,
  envVarForSecret,
  secretFromEnv,
  type SecretStore,
} from '../../secrets/index.js';

export interface ConfigForSecrets {
  path: string;
  servers: Record<string, ServerConfig>;
}

export interface SecretsCommandDeps {
  /** The config `secrets list` compares against; undefined when there is none. */
  loadConfigForSecrets: (opts: { config?: string }) => Promise<ConfigForSecrets | undefined>;
  /** The store to use; defaults to the keychain with the MCP_SENTINEL_SECRET_<NAME> fallback from process.env. */
  createStore?: (env: Record<string, string | undefined>) => SecretStore;
}

export interface SecretListing {
  store: string;
  config: string | null;
  secrets: { name: string; stored: boolean; fromEnv: boolean; usedBy: string[] }[];
  /** Referenced by the config, but neither stored nor provided by the environment. */
  missing: string[];
  /** Set when the keychain could not be listed: `stored` is then unknown (false) for every secret. */
  keychainError?: { code: string; message: string };
}

export function registerSecretsCommand(program: Command, deps: SecretsCommandDeps): Command {
  const makeStore = (env: Record<string, string | undefined> = process.env): SecretStore =>
    deps.createStore ? deps.createStore(env) : createSecretStore({ env });

  const secrets = program
    .command('secrets')
    .description('manage the keychain secrets that secret:NAME references use');

  secrets
    .command('set')
    .description(
      'store a secret; the value is read from a hidden prompt, or from stdin when piped (never from arguments)',
    )
    .argument('<name>', 'secret name, e.g. github-pat')
    .action(async (name: string) => {
      await runThenExit(() => setSecret(name, makeStore));
    });

  const environmentFor = (configOption: string | undefined) => environmentOf(deps, configOption);

  secrets
    .command('list')
    .description('list stored secret names, and which ones the config uses or still needs')
    .option('-c, --config <path>', 'config file to compare against')
    .option('--json', 'print JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      await runThenExit(() => listSecrets(options, deps, makeStore));
    });

  secrets
    .command('get')
    .description('print a secret value to stdout (requires --reveal)')
    .argument('<name>', 'secret name')
    .option('--reveal', 'really print the value')
    .option('-c, --config <path>', 'config file whose .env may provide MCP_SENTINEL_SECRET_<NAME>')
    .action(async (name: string, options: { reveal?: boolean; config?: string }) => {
      await runThenExit(async () => {
        assertSecretName(name);
        if (!options.reveal) {
          throw new SentinelError('USAGE', `refusing to print secret "${name}" without --reveal`, {
            hint: `run: mcp-sentinel secrets get ${name} --reveal (the value goes to stdout)`,
          });
        }
        const { env } = await environmentFor(options.config);
        const value = await makeStore(env).get(name);
        if (value === undefined) throw notFound(name);
        process.stdout.write(process.stdout.isTTY ? `${value}\n` : value);
      });
    });

  secrets
    .command('delete')
    .description('delete a stored secret')
    .argument('<name>', 'secret name')
    .action(async (name: string) => {
      await runThenExit(async () => {
        assertSecretName(name);
        const store = makeStore();
        if (!(await store.delete(name))) throw notFound(name);
        process.stdout.write(
          `${chalk.green('✔')} deleted secret ${chalk.bold(name)} from the ${store.description}\n`,
        );
      });
    });

  return secrets;
}

async function setSecret(name: string, makeStore: () => SecretStore): Promise<number | void> {
  assertSecretName(name);
  const store = makeStore();
  if (process.stdin.isTTY && !(await confirmReplace(store, name))) {
    process.stdout.write(`kept the stored value of ${chalk.bold(name)}; nothing was changed\n`);
    return 0;
  }
  const value = await readSecretValue(name);
  await store.set(name, value);
  process.stdout.write(`${chalk.green('✔')} stored secret ${chalk.bold(name)} in the ${store.description}\n`);
  if (secretFromEnv(process.env, name) !== undefined) {
    process.stderr.write(
      `${chalk.yellow('note')} ${envVarForSecret(name)} is set in this environment and takes precedence over the stored value\n`,
    );
  }
}

/** The environment MCP_SENTINEL_SECRET_<NAME> is read from, as serve sees it: process env over a .env beside the config. */
async function environmentOf(deps: SecretsCommandDeps, configOption: string | undefined) {
  const config = await deps.loadConfigForSecrets({ config: configOption });
  const env = await loadEnvironment({ configPath: config?.path });
  return { config, env };
}

async function listSecrets(
  options: { config?: string; json?: boolean },
  deps: SecretsCommandDeps,
  makeStore: (env: Record<string, string | undefined>) => SecretStore,
): Promise<void> {
  const { config, env } = await environmentOf(deps, options.config);
  const store = makeStore(env);
  let stored: string[] = [];
  let keychainError: SentinelError | undefined;
  try {
    stored = await store.list();
  } catch (error) {
    // Containers and CI have no keychain but MCP_SENTINEL_SECRET_*: still show what they provide.
    if (!(error instanceof SentinelError) || !error.code.startsWith('KEYCHAIN_')) throw error;
    keychainError = error;
  }
  const listing = buildListing(stored, config, env, store.description);
  if (keychainError) {
    listing.keychainError = { code: keychainError.code, message: keychainError.message };
    process.stderr.write(
      `${chalkStderr.yellow('warn')} ${keychainError.message}; showing only what the environment provides\n` +
        (keychainError.hint ? `  ${chalkStderr.cyan('hint:')} ${keychainError.hint}\n` : ''),
    );
    process.exitCode = 1;
  }
  process.stdout.write(options.json ? JSON.stringify(listing, null, 2) + '\n' : renderListing(listing));
}

function notFound(name: string): SentinelError {
  return new SentinelError('SECRET_NOT_FOUND', `secret "${name}" is not in the keychain`, {
    hint: `run: mcp-sentinel secrets list (or: mcp-sentinel secrets set ${name})`,
  });
}

export function buildListing(
  stored: string[],
  config: ConfigForSecrets | undefined,
  env: Record<string, string | undefined>,
  store: string,
): SecretListing {
  const usedBy = new Map<string, Set<string>>();
  for (const [server, entry] of Object.entries(config?.servers ?? {})) {
    for (const { ref } of listServerReferences(entry, `mcpServers.${server}`)) {
      if (ref.kind !== 'secret') continue;
      const users = usedBy.get(ref.name) ?? new Set<string>();
      users.add(server);
      usedBy.set(ref.name, users);
    }
  }
  const storedSet = new Set(stored);
  const names = [...new Set([...stored, ...usedBy.keys()])].sort();
  const secrets = names.map((name) => ({
    name,
    stored: storedSet.has(name),
    fromEnv: secretFromEnv(env, name) !== undefined,
    usedBy: [...(usedBy.get(name) ?? [])].sort(),
  }));
  const missing = secrets.filter((s) => !s.stored && !s.fromEnv).map((s) => s.name);
  return { store, config: config?.path ?? null, secrets, missing };
}

function renderListing(listing: SecretListing): string {
  const lines: string[] = [];
  const width = Math.max(0, ...listing.secrets.map((s) => s.name.length));
  const present = listing.secrets.filter((s) => s.stored || s.fromEnv);
  const title = listing.keychainError
    ? `Secrets from the environment (the ${listing.store} could not be listed)`
    : `Secrets in the ${listing.store}`;
  lines.push(chalk.bold(title) + (listing.config ? chalk.dim(` (config: ${listing.config})`) : ''));
  if (present.length === 0) lines.push(chalk.dim('  none stored'));
  for (const s of present) {
    const notes: string[] = [];
    if (s.fromEnv) notes.push(`${s.stored ? 'overridden by' : 'from'} ${envVarForSecret(s.name)}`);
    if (s.usedBy.length > 0) notes.push(`used by ${s.usedBy.join(', ')}`);
    else if (listing.config) notes.push(chalk.dim('not used by the config'));
    lines.push(`  ${chalk.green('✔')} ${s.name.padEnd(width)}  ${notes.join('; ')}`.trimEnd());
  }
  const missing = listing.secrets.filter((s) => listing.missing.includes(s.name));
  if (missing.length > 0) {
    lines.push(
      chalk.bold(
        listing.keychainError
          ? 'Needed by the config and not in the environment (the keychain could not be checked)'
          : 'Needed by the config but not stored',
      ),
    );
    for (const s of missing) {
      lines.push(
        `  ${chalk.red('✖')} ${s.name.padEnd(width)}  needed by ${s.usedBy.join(', ')}; run: mcp-sentinel secrets set ${s.name}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** On a terminal, before replacing a stored secret: asks, default no. True when there is none to replace. */
async function confirmReplace(store: SecretStore, name: string): Promise<boolean> {
  const existing = await store.get(name).catch(() => undefined);
  if (existing === undefined) return true;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Secret ${name} is already stored. Replace it? [y/N] `);
    return /^y/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** The value for `secrets set`: hidden prompt on a terminal, all of stdin otherwise, minus one trailing newline. */
async function readSecretValue(name: string): Promise<string> {
  let raw: string;
  if (process.stdin.isTTY) {
    const { default: password } = await import('@inquirer/password');
    try {
      raw = await password({ message: `Value for secret ${name}:` });
    } catch (error) {
      if (error instanceof Error && error.name === 'ExitPromptError') {
        throw new SentinelError('USAGE', 'cancelled; nothing was stored');
      }
      throw error;
    }
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    raw = Buffer.concat(chunks).toString('utf8');
  }
  const value = raw.replace(/\r?\n$/, '');
  if (value === '') {
    throw new SentinelError('USAGE', `refusing to store an empty value for secret "${name}"`, {
      hint: `type the value at the prompt, or pipe it: printf %s "$VALUE" | mcp-sentinel secrets set ${name}`,
    });
  }
  return value;
}
