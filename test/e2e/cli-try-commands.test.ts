/** `call`, `resources` and `prompts` against the config, through the built CLI, as the host would see them. */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, writeTempConfig } from '../helpers/host.js';
import { fixtureServer } from '../helpers/servers.js';

const config = writeTempConfig({ mcpServers: { fx: fixtureServer('fx') } });
afterAll(() => config.cleanup());
const cli = (args: string[]) => runCli([...args, '--config', config.path], { timeoutMs: 60_000 });

describe('trying the config from a shell', () => {
  it('call TOOL --args JSON prints the result, and --json the protocol result', async () => {
    const plain = await cli(['call', 'fx__echo', '--args', '{"message":"hi"}']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe('fx/echo: {"message":"hi"}\n');
    const json = await cli(['call', 'fx__echo', '--args', '{"n":1}', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ content: [{ type: 'text', text: 'fx/echo: {"n":1}' }] });
  });

  it('refuses --args that are not a JSON object, and says which tool is unknown', async () => {
    const bad = await cli(['call', 'fx__echo', '--args', '{oops']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--args is not valid JSON');
    const unknown = await cli(['call', 'fx__nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toMatch(/fx__nope/);
  });

  it('resources and prompts list what the host will see', async () => {
    const resources = await cli(['resources', '--json']);
    expect(resources.code, resources.stderr).toBe(0);
    const listed = JSON.parse(resources.stdout) as { resources: { uri: string }[] };
    expect(listed.resources.map((r) => r.uri)).toContain('fixture://fx/info');
    const prompts = await cli(['prompts']);
    expect(prompts.code, prompts.stderr).toBe(0);
    expect(prompts.stdout).toMatch(/^fx__greet/m);
    expect(prompts.stdout).toContain('1 prompts');
  });
});
