/**
 * Reload in place, through the built CLI: each kind of config edit (saved the way editors save, by writing
 * a new file and renaming it over the old one) does what it says. Added backends start, removed ones stop
 * and their names go, a changed one restarts alone while its call in flight completes, unchanged ones keep
 * their process, settings apply, an invalid edit keeps the old config serving, and nothing is left running.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { isRunning } from '../helpers/processes.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

type Config = { settings?: Record<string, unknown>; mcpServers: Record<string, object> };

describe('reloading the config in place', () => {
  let host: TestHost;
  let changes = 0;
  let config: Config;

  /** Saves the way most editors do: a new file renamed over the old one. */
  const save = (text: string) => {
    const temporary = `${host.configPath}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, host.configPath);
  };
  const edit = (next: Config) => {
    config = next;
    save(JSON.stringify(next, null, 2));
  };
  const names = async () => (await host.client.listTools()).tools.map((t) => t.name).sort();
  /** Backend name → pid, read from each child's environment. */
  const pids = (): Record<string, number> =>
    Object.fromEntries(
      host.processTree().flatMap((pid) => {
        try {
          const name = /FIXTURE_NAME=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))?.[1];
          return name ? [[name, pid]] : [];
        } catch {
          return [];
        }
      }),
    );
  const listChangedAfter = async (before: number, expectNames: (list: string[]) => boolean) => {
    await waitFor('tools/list_changed', () => changes > before, 15_000);
    return waitFor('the new tool list', async () => {
      const list = await names();
      return expectNames(list) && list;
    });
  };

  beforeAll(async () => {
    config = {
      mcpServers: {
        a: fixtureServer('a'),
        b: fixtureServer('b', { FIXTURE_SPECIAL: '1' }),
        c: fixtureServer('c', { FIXTURE_TOOLS: 'echo,${C_TOOL}' }),
      },
    };
    host = await TestHost.start({ config });
    writeFileSync(join(host.dir, '.env'), 'C_TOOL=first\n');
    edit(config); // the .env is read with the config
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    await waitFor('three backends', () => Object.keys(pids()).length === 3 && names());
    await waitFor('c with its .env tool', async () => (await names()).includes('c__first'));
  });

  afterAll(async () => {
    const closed = await host?.close();
    expect(closed?.leftovers).toEqual([]);
  });

  it('starts an added backend and announces its tools; the others keep their processes', async () => {
    const before = pids();
    const sent = changes;
    edit({ ...config, mcpServers: { ...config.mcpServers, d: fixtureServer('d') } });
    const list = await listChangedAfter(sent, (l) => l.includes('d__echo'));
    expect(list).toContain('a__echo');
    expect((await callTool(host, 'd__echo', { x: 1 })).text).toBe('d/echo: {"x":1}');
    const after = pids();
    for (const name of ['a', 'b', 'c']) expect(after[name]).toBe(before[name]);
    await host.waitForStderr('added d');
  });

  it('restarts a changed backend alone, and its call in flight completes', async () => {
    const before = pids();
    const sent = changes;
    const slow = callTool(host, 'b__slow', { ms: 1500 });
    await new Promise((r) => setTimeout(r, 200)); // let the call reach b
    const { b, ...rest } = config.mcpServers;
    edit({
      ...config,
      mcpServers: {
        ...rest,
        b: { ...b, env: { ...(b as { env: object }).env, FIXTURE_TOOLS: 'echo,extra' } },
      },
    });
    await listChangedAfter(sent, (l) => l.includes('b__extra'));
    expect(await slow).toEqual({ text: expect.stringContaining('slow') as string, isError: false });
    expect((await callTool(host, 'b__extra')).text).toBe('b/extra: {}');
    const after = pids();
    expect(after.b).toBeDefined();
    expect(after.b).not.toBe(before.b);
    for (const name of ['a', 'c', 'd']) expect(after[name]).toBe(before[name]);
    await waitFor('the old b to exit', () => !isRunning(before.b!));
  });

  it('restarts only the backend whose .env variable changed', async () => {
    const before = pids();
    const sent = changes;
    const temporary = join(host.dir, '.env.tmp');
    writeFileSync(temporary, 'C_TOOL=second\n');
    renameSync(temporary, join(host.dir, '.env'));
    const list = await listChangedAfter(sent, (l) => l.includes('c__second'));
    expect(list).not.toContain('c__first');
    const after = pids();
    expect(after.c).not.toBe(before.c);
    for (const name of ['a', 'b', 'd']) expect(after[name]).toBe(before[name]);
  });

  it('stops a removed backend and its names go', async () => {
    const before = pids();
    const sent = changes;
    const { d: _d, ...rest } = config.mcpServers;
    edit({ ...config, mcpServers: rest });
    const list = await listChangedAfter(sent, (l) => !l.includes('d__echo'));
    expect(list).toContain('a__echo');
    await waitFor('d to exit', () => !isRunning(before.d!));
    await expect(callTool(host, 'd__echo')).rejects.toThrow(/Unknown tool/);
    const after = pids();
    for (const name of ['a', 'b', 'c']) expect(after[name]).toBe(before[name]);
  });

  it.each([
    ['invalid JSON', () => save('{ "mcpServers": { "a": '), /not valid JSON/],
    [
      'an invalid value',
      () =>
        save(
          JSON.stringify({
            mcpServers: { ...config.mcpServers, a: { ...config.mcpServers.a, timeoutMs: 'soon' } },
          }),
        ),
      /mcpServers\.a\.timeoutMs/,
    ],
  ])(
    'keeps serving the previous config after an edit with %s, and says where',
    async (_kind, write, says) => {
      const before = pids();
      const listed = await names();
      const stderrBefore = host.stderr.length;
      write();
      await waitFor('the refusal on stderr', () => says.test(host.stderr.slice(stderrBefore)));
      expect(host.stderr.slice(stderrBefore)).toContain('still serving the previous config');
      expect(await names()).toEqual(listed);
      expect((await callTool(host, 'a__echo')).text).toBe('a/echo: {}');
      expect(pids()).toEqual(before);
      edit(config); // a valid save again: nothing to change
      await host.waitForStderr('is valid again');
    },
  );

  it('applies changed settings: new public names, the same processes', async () => {
    const before = pids();
    const sent = changes;
    edit({ ...config, settings: { separator: '--' } });
    const list = await listChangedAfter(sent, (l) => l.includes('a--echo'));
    expect(list).not.toContain('a__echo');
    expect((await callTool(host, 'b--extra')).text).toBe('b/extra: {}');
    expect(pids()).toEqual(before);
  });
});
