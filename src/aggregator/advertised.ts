/**
 * What mcp-sentinel tells the host it can do, from what its backends can do: a host that sees `prompts`
 * or `completions` asks for them, so they are advertised only when some backend has them. A backend that
 * has not answered yet (still starting when the host initialized) may have anything, so it counts as
 * having everything; one that failed before ever connecting counts as having nothing. Tools (the catalog
 * changes as backends come and go) and logging (mcp-sentinel's own level filter) are always there;
 * resources also when mcp-sentinel has resources of its own (own-tools.ts).
 */
import type { InstructionSource } from './instructions.js';
import { mergeInstructions } from './instructions.js';
import { INSTRUCTIONS } from './identity.js';
import { advertisedTasks } from './tasks-capability.js';

/** One backend as far as the `initialize` answer is concerned. */
export interface AdvertisedSource extends InstructionSource {
  /** Its capabilities from its last connection; undefined when it never connected. */
  capabilities?: Record<string, unknown>;
  /** True while it may still connect for the first time (its capabilities are not known yet). */
  pending: boolean;
}

export interface Advertised {
  capabilities: Record<string, unknown>;
  instructions: string;
}

export function advertise(
  sources: AdvertisedSource[],
  separator: string,
  own: { resources?: boolean } = {},
): Advertised {
  const has = (test: (caps: Record<string, unknown>) => boolean) =>
    sources.some((s) => s.pending || (s.capabilities !== undefined && test(s.capabilities)));
  const resources = (caps: Record<string, unknown>) => caps.resources as { subscribe?: boolean } | undefined;

  const capabilities: Record<string, unknown> = { tools: { listChanged: true } };
  if (own.resources || has((caps) => resources(caps) !== undefined)) {
    capabilities.resources = {
      ...(has((caps) => resources(caps)?.subscribe === true) ? { subscribe: true } : {}),
      listChanged: true,
    };
  }
  if (has((caps) => caps.prompts !== undefined)) capabilities.prompts = { listChanged: true };
  if (has((caps) => caps.completions !== undefined)) capabilities.completions = {};
  const tasks = advertisedTasks(sources.map((s) => s.capabilities));
  if (tasks) capabilities.tasks = tasks;
  capabilities.logging = {};
  const instructions = sources.length === 0 ? INSTRUCTIONS : mergeInstructions(sources, separator);
  return { capabilities, instructions };
}

/** What the backends offer now, as the `initialize` answer tells it (disabled backends count for nothing). */
export function advertiseBackends(
  backends: readonly {
    name: string;
    state: string;
    config: { prefix?: string };
    instructions?: string;
    serverCapabilities?: Record<string, unknown>;
  }[],
  separator: string,
  own: { hasResources(): boolean },
): Advertised {
  const sources = backends
    .filter((b) => b.state !== 'disabled')
    .map((b) => ({
      name: b.name,
      prefix: b.config.prefix ?? b.name,
      instructions: b.instructions,
      capabilities: b.serverCapabilities,
      pending: b.state === 'starting' && b.serverCapabilities === undefined,
    }));
  return advertise(sources, separator, { resources: own.hasResources() });
}
