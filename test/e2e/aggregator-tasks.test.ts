/**
 * Tasks (2025-11-25) through mcp-sentinel: a task-augmented call to a backend that runs tasks creates a
 * task under a public id, which tasks/get, tasks/result, tasks/list and status notifications all use; a
 * backend that does not run tasks refuses the augmentation clearly, on the stdio fast path as on the
 * SDK path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  TaskStatusNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { TestHost } from '../helpers/host.js';
import { EVERYTHING } from '../helpers/paths.js';
import { behaviourServer } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

const RESEARCH = 'everything__simulate-research-query';

describe('tasks across backends', () => {
  let host: TestHost;
  const statuses: { taskId: string; status: string }[] = [];

  beforeAll(async () => {
    host = await TestHost.start({
      config: {
        mcpServers: {
          everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
          fx: behaviourServer('fx'),
        },
      },
      connect: false,
    });
    host.client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
      statuses.push({ taskId: n.params.taskId, status: n.params.status });
    });
    await host.client.connect(host.transport);
  });
  afterAll(async () => {
    expect((await host.close()).leftovers).toEqual([]);
  });

  it('advertises tasks for tool calls because a backend runs them', () => {
    expect(host.client.getServerCapabilities()?.tasks).toMatchObject({ requests: { tools: { call: {} } } });
  });

  it('runs a task under a public id: get, list, result and status notifications use it', async () => {
    await waitFor('the task tool in the list', async () =>
      (await host.client.listTools()).tools.some((t) => t.name === RESEARCH),
    );
    const created = await host.client.request(
      {
        method: 'tools/call',
        params: { name: RESEARCH, arguments: { topic: 'tides' }, task: { ttl: 60_000 } },
      },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    expect(taskId).toMatch(/^everything:/);

    const got = await host.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    expect(got.taskId).toBe(taskId);
    const listed = await host.client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listed.tasks.map((t) => t.taskId)).toContain(taskId);

    const result = await host.client.request(
      { method: 'tasks/result', params: { taskId } },
      CallToolResultSchema,
      { timeout: 30_000 },
    );
    expect(JSON.stringify(result.content)).toContain('tides');
    const related = result._meta?.['io.modelcontextprotocol/related-task'] as { taskId?: string } | undefined;
    if (related) expect(related.taskId).toBe(taskId);
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) expect(status.taskId).toMatch(/^everything:/);
    const done = await host.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    expect(done.status).toBe('completed');
  }, 30_000);

  it('refuses an unknown task id with -32602', async () => {
    const error = await host.client
      .request({ method: 'tasks/get', params: { taskId: 'fx:nothing' } }, GetTaskResultSchema)
      .then(
        () => undefined,
        (e: unknown) => e as { code: number },
      );
    expect(error).toMatchObject({ code: -32602 });
  });

  it('refuses a task-augmented call to a backend without tasks, on the fast path as on the SDK path', async () => {
    // fx is a ready stdio backend: a plain call takes the fast path, a task-augmented one must not.
    const error = await host.client
      .request(
        { method: 'tools/call', params: { name: 'fx__echo', arguments: {}, task: { ttl: 1_000 } } },
        CreateTaskResultSchema,
      )
      .then(
        () => undefined,
        (e: unknown) => e as { code: number; message: string },
      );
    expect(error).toMatchObject({ code: -32601 });
    expect(error?.message).toMatch(/does not run tool calls as tasks/);
    const plain = await host.client.callTool({ name: 'fx__echo', arguments: { after: 1 } });
    expect(plain.content).toEqual([{ type: 'text', text: 'fx/echo: {"after":1}' }]);
  });
});
