/** The command-line interface: commands, options and help. Each action lives in src/cli/commands/. */
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerTryCommands } from './try-commands.js';
import { SURFACE_HOST_IDS } from '../aggregator/surface/hosts.js';
import type { SurfaceHostId } from '../config/types.js';
import { setLogLevel, type LogLevel } from '../log.js';

const configOption = () =>
  new Option('-c, --config <path>', 'config file (default: search, then ~/.config/mcp-sentinel/config.json)');
// Not --env-file: Node 20 takes that option for itself wherever it appears in argv (it exits 9 for a
// missing file and loads an existing one into process.env, ahead of the real environment).
const dotenvOption = () => new Option('--dotenv <path>', 'extra .env file for $VAR references');
const logLevelOption = () =>
  new Option('--log-level <level>', 'stderr log level').choices(['debug', 'info', 'warn', 'error', 'silent']);

function applyLogLevel(options: { logLevel?: string }): void {
  if (options.logLevel) setLogLevel(options.logLevel as LogLevel);
}

/**
 * `serveOnly` builds just the default command: a desktop host starts `serve` on every launch, and loading
 * the other commands (prompts, doctor, host writers) would only delay the answer to `initialize`.
 */
export async function createProgram(
  setExitCode: (code: number) => void,
  { serveOnly = false } = {},
): Promise<Command> {
  const program = new Command('mcp-sentinel')
    .description('One stdio MCP server in front of all your MCP servers.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Before any command is added, so that every subcommand inherits it: usage errors exit 2, not 1.
    .exitOverride();

  program
    .command('serve', { isDefault: true })
    .description('run as the MCP server of a desktop host (stdio); the default command')
    .addOption(configOption())
    .addOption(dotenvOption())
    .addOption(logLevelOption())
    .action(async (options: { config?: string; dotenv?: string; logLevel?: string }) => {
      applyLogLevel(options);
      const { serve } = await import('./commands/serve.js');
      await serve({ config: options.config, envFile: options.dotenv });
    });
  if (serveOnly) return program;

  const [
    { registerSecretsCommand },
    { registerDoctorCommand },
    { registerInitCommand },
    { registerInstallCommand },
    { loadConfig },
  ] = await Promise.all([
    import('./commands/secrets.js'),
    import('./commands/doctor.js'),
    import('./commands/init.js'),
    import('./commands/install.js'),
    import('../config/load.js'),
  ]);

  registerToolsCommand(program, setExitCode);

  registerSecretsCommand(program, {
    loadConfigForSecrets: async (opts: { config?: string }) => {
      const loaded = await loadConfig({ config: opts.config }).catch((error: unknown) => {
        if (opts.config) throw error;
        return undefined;
      });
      return loaded ? { path: loaded.path, servers: loaded.config.mcpServers } : undefined;
    },
  });

  registerSignInCommands(program, setExitCode);

  registerDoctorCommand(program, setExitCode);
  registerInitCommand(program, setExitCode);
  registerInstallCommand(program, setExitCode);
  registerTryCommands(
    program,
    setExitCode,
    () => [configOption(), dotenvOption(), logLevelOption()],
    applyLogLevel,
  );

  return program;
}

/** `tools`: what the host will see, from every backend. */
function registerToolsCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('tools')
    .description('connect to every backend and print the tools the host will see')
    .addOption(configOption())
    .addOption(dotenvOption())
    .addOption(logLevelOption())
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--host <name>', 'print what this host would see (its tool surface)').choices([
        ...SURFACE_HOST_IDS,
      ]),
    )
    .action(
      async (options: {
        config?: string;
        dotenv?: string;
        logLevel?: string;
        json?: boolean;
        host?: SurfaceHostId;
      }) => {
        applyLogLevel({ logLevel: options.logLevel ?? 'warn' });
        // Loaded when run: the aggregator it brings is not needed by the other commands.
        const { listTools } = await import('./commands/tools.js');
        setExitCode(
          await listTools({
            config: options.config,
            envFile: options.dotenv,
            json: options.json,
            host: options.host,
          }),
        );
      },
    );
}

/** `login` and `logout`: the user's own sign-in to remote servers. */
function registerSignInCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('login')
    .description(
      'sign in to remote servers that need it (all of them without NAME); tokens go to the OS keychain',
    )
    .argument('[name...]', 'servers to sign in to')
    .addOption(configOption())
    .addOption(dotenvOption())
    .addOption(logLevelOption())
    .option('--no-browser', 'print the sign-in URL without opening a browser')
    .action(
      async (
        names: string[],
        options: { config?: string; dotenv?: string; logLevel?: string; browser: boolean },
      ) => {
        applyLogLevel({ logLevel: options.logLevel ?? 'warn' });
        const { login } = await import('./commands/login.js');
        setExitCode(
          await login({ config: options.config, envFile: options.dotenv, names, browser: options.browser }),
        );
      },
    );
  program
    .command('logout')
    .description(
      'forget the sign-in of a server (revoking its tokens where the server offers it) and drop every token cached for it',
    )
    .argument('<name>', 'the server')
    .addOption(configOption())
    .addOption(dotenvOption())
    .addOption(logLevelOption())
    .action(async (name: string, options: { config?: string; dotenv?: string; logLevel?: string }) => {
      applyLogLevel({ logLevel: options.logLevel ?? 'warn' });
      const { logout } = await import('./commands/logout.js');
      setExitCode(await logout({ config: options.config, envFile: options.dotenv, name }));
    });
}
