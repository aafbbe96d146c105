/**
 * Tasks (2025-11-25, experimental) across backends: a task-augmented `tools/call` goes to the tool's
 * backend when that backend takes tasks for tool calls, and the task it creates is given a public id that
 * no other backend's task can have; `tasks/get`, `tasks/result`, `tasks/cancel` are routed by that id
 * (through a table, never by parsing it), `tasks/list` walks every backend that lists tasks, and status
 * notifications reach the host under the public id. A backend (or a tool) that does not take tasks gets
 * no task-augmented request: the host is told so with -32601, as the spec asks of a receiver.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { Backend } from '../backends/backend.js';
import type { TaskCapability } from './tasks-capability.js';

export { advertisedTasks } from './tasks-capability.js';

/** `_meta` key that ties a message to a task. */
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/** How many task ids are remembered (the oldest are forgotten first). */
const MAX_TASKS = 10_000;

type Params = Record<string, unknown>;
/** Sends a request to a backend on behalf of a host request (`context`: its cancellation and progress). */
type Forward<C> = (
  backend: Backend,
  method: string,
  params: Params,
  context: C,
) => Promise<Record<string, unknown>>;

function tasksOf(backend: Backend): TaskCapability | undefined {
  return (backend.serverCapabilities as { tasks?: TaskCapability } | undefined)?.tasks;
}

export class TaskRouter<C> {
  /** Public id → the backend and its own id. */
  private readonly routes = new Map<string, { backend: string; taskId: string }>();
  private readonly publicIds = new Map<string, string>();

  constructor(
    private readonly backends: () => Backend[],
    private readonly forward: Forward<C>,
  ) {}

  /** A task-augmented tools/call of `tool` (the backend's own name) at `backend`. */
  async callTool(backend: Backend, params: Params, context: C): Promise<Record<string, unknown>> {
    if (!tasksOf(backend)?.requests?.tools?.call)
      throw new ProtocolError(
        ProtocolErrorCode.MethodNotFound,
        `backend "${backend.name}" does not run tool calls as tasks: call ${String(params.name)} without "task"`,
      );
    const tool = backend.lists.tools.find((t) => t.name === params.name);
    const support = (tool as { execution?: { taskSupport?: string } } | undefined)?.execution?.taskSupport;
    if (tool && (support ?? 'forbidden') === 'forbidden')
      throw new ProtocolError(
        ProtocolErrorCode.MethodNotFound,
        `tool ${String(params.name)} of "${backend.name}" does not run as a task: call it without "task"`,
      );
    const result = await this.forward(backend, 'tools/call', params, context);
    return this.publicResult(backend.name, result);
  }

  async get(params: Params, context: C): Promise<Record<string, unknown>> {
    const { backend, taskId } = this.route(params);
    return this.publicTask(
      backend.name,
      await this.forward(backend, 'tasks/get', { ...params, taskId }, context),
    );
  }

  async result(params: Params, context: C): Promise<Record<string, unknown>> {
    const { backend, taskId } = this.route(params);
    return this.publicResult(
      backend.name,
      await this.forward(backend, 'tasks/result', { ...params, taskId }, context),
    );
  }

  async cancel(params: Params, context: C): Promise<Record<string, unknown>> {
    const { backend, taskId } = this.route(params);
    return this.publicTask(
      backend.name,
      await this.forward(backend, 'tasks/cancel', { ...params, taskId }, context),
    );
  }

  /** One page per backend that lists tasks, in config order; the cursor says which and where. */
  async list(params: Params, context: C): Promise<Record<string, unknown>> {
    const listing = this.backends().filter((b) => b.state === 'ready' && tasksOf(b)?.list);
    const at = decodeCursor(params.cursor);
    const index = at ? listing.findIndex((b) => b.name === at.backend) : 0;
    if (index < 0) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor for tasks/list');
    const backend = listing[index];
    if (!backend) return { tasks: [] };
    const page = await this.forward(backend, 'tasks/list', at?.cursor ? { cursor: at.cursor } : {}, context);
    const tasks = Array.isArray(page.tasks)
      ? page.tasks.map((t) => this.publicTask(backend.name, t as Params))
      : [];
    const next =
      typeof page.nextCursor === 'string'
        ? encodeCursor(backend.name, page.nextCursor)
        : listing[index + 1]
          ? encodeCursor(listing[index + 1]!.name)
          : undefined;
    return { ...page, tasks, ...(next ? { nextCursor: next } : { nextCursor: undefined }) };
  }

  /** A backend's `notifications/tasks/status`, as the host must see it. */
  statusNotification(backend: string, params: Params): Params {
    return this.publicTask(backend, params);
  }

  private route(params: Params): { backend: Backend; taskId: string } {
    const id = params.taskId;
    if (typeof id !== 'string')
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, '"taskId" must be a string');
    const route = this.routes.get(id);
    const backend = route && this.backends().find((b) => b.name === route.backend);
    if (!route || !backend) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${id}`);
    return { backend, taskId: route.taskId };
  }

  private publicId(backend: string, taskId: string): string {
    const key = `${backend}\0${taskId}`;
    let id = this.publicIds.get(key);
    if (id) return id;
    id = `${backend}:${taskId}`;
    for (let n = 2; this.routes.has(id); n++) id = `${backend}:${taskId}#${n}`;
    this.publicIds.set(key, id);
    this.routes.set(id, { backend, taskId });
    if (this.routes.size > MAX_TASKS) {
      const [oldest, route] = this.routes.entries().next().value!;
      this.routes.delete(oldest);
      this.publicIds.delete(`${route.backend}\0${route.taskId}`);
    }
    return id;
  }

  /** A Task object (or a result carrying one under `task`) with its id made public. */
  private publicTask(backend: string, value: Params): Params {
    const mapped =
      typeof value.taskId === 'string' ? { ...value, taskId: this.publicId(backend, value.taskId) } : value;
    return this.publicMeta(backend, mapped);
  }

  private publicResult(backend: string, result: Record<string, unknown>): Record<string, unknown> {
    const task = result.task as Params | undefined;
    const mapped =
      task && typeof task === 'object' ? { ...result, task: this.publicTask(backend, task) } : result;
    return this.publicMeta(backend, mapped);
  }

  /** The related-task id in `_meta`, made public too. */
  private publicMeta<T extends Params>(backend: string, value: T): T {
    const meta = value._meta as Params | undefined;
    const related = meta?.[RELATED_TASK] as { taskId?: unknown } | undefined;
    if (typeof related?.taskId !== 'string') return value;
    return {
      ...value,
      _meta: { ...meta, [RELATED_TASK]: { ...related, taskId: this.publicId(backend, related.taskId) } },
    };
  }
}

function encodeCursor(backend: string, cursor?: string): string {
  return Buffer.from(JSON.stringify({ backend, cursor })).toString('base64url');
}

function decodeCursor(cursor: unknown): { backend: string; cursor?: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8')) as {
      backend?: unknown;
      cursor?: unknown;
    };
    if (typeof decoded.backend === 'string')
      return {
        backend: decoded.backend,
        cursor: typeof decoded.cursor === 'string' ? decoded.cursor : undefined,
      };
  } catch {
    // fall through
  }
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor for tasks/list');
}
