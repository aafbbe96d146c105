/** The options and help of `call`, `resources` and `prompts` (src/cli/commands/try.ts). */
import type { Command, Option } from 'commander';

type Common = { config?: string; dotenv?: string; logLevel?: string; json?: boolean };

export function registerTryCommands(
  program: Command,
  setExitCode: (code: number) => void,
  commonOptions: () => Option[],
  applyLogLevel: (options: { logLevel?: string }) => void,
): void {
  const withCommon = (command: Command): Command => {
    for (const option of commonOptions()) command.addOption(option);
    return command.option('--json', 'print the protocol result as JSON');
  };
  const runtime = (options: Common) => {
    applyLogLevel({ logLevel: options.logLevel ?? 'warn' });
    return { config: options.config, envFile: options.dotenv, json: options.json };
  };

  withCommon(
    program
      .command('call')
      .description('call one tool as the host would, e.g. call everything__echo --args \'{"message":"hi"}\'')
      .argument('<tool>', 'the public tool name (see mcp-sentinel tools)')
      .option('--args <json>', 'the arguments, as a JSON object'),
  ).action(async (tool: string, options: Common & { args?: string }) => {
    const { callTool } = await import('./commands/try.js');
    setExitCode(await callTool(tool, { ...runtime(options), args: options.args }));
  });

  withCommon(
    program.command('resources').description('list the resources and templates the host will see'),
  ).action(async (options: Common) => {
    const { listResources } = await import('./commands/try.js');
    setExitCode(await listResources(runtime(options)));
  });

  withCommon(program.command('prompts').description('list the prompts the host will see')).action(
    async (options: Common) => {
      const { listPrompts } = await import('./commands/try.js');
      setExitCode(await listPrompts(runtime(options)));
    },
  );
}
