/**
 * The `tasks` capability mcp-sentinel advertises, from its backends' (tasks.ts routes the requests). Apart
 * from tasks.ts because the `initialize` answer needs it before the SDK has loaded (warm-answers.ts).
 */

export interface TaskCapability {
  list?: object;
  cancel?: object;
  requests?: { tools?: { call?: object } };
}

/** The `tasks` capability the host is told of: what any backend offers, undefined when none does. */
export function advertisedTasks(
  capabilities: (Record<string, unknown> | undefined)[],
): TaskCapability | undefined {
  const all = capabilities
    .map((c) => c?.tasks as TaskCapability | undefined)
    .filter((t) => t?.requests?.tools?.call);
  if (all.length === 0) return undefined;
  return {
    ...(all.some((t) => t!.list) ? { list: {} } : {}),
    ...(all.some((t) => t!.cancel) ? { cancel: {} } : {}),
    requests: { tools: { call: {} } },
  };
}
