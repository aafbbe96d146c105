/**
 * mcp-sentinel's own tools and resources (names `sentinel__*`, URIs `sentinel://*`), in one small
 * registry: each feature defines its tool or resource with a handler; the aggregator lists them beside
 * the backends' catalog and routes calls and reads to the handler before any backend route. The names are
 * reserved: no backend tool can take them (the registry is consulted first).
 *
 * It owns no feature itself: the search meta-tools, kept results, sign-in and status register here.
 */
import type { Resource, Tool } from '@modelcontextprotocol/server';

export const OWN_TOOL_PREFIX = 'sentinel__';
export const OWN_URI_SCHEME = 'sentinel://';

/** What a handler gets of the host's request. */
export interface OwnCallContext {
  /** Aborted when the host cancels the request. */
  signal: AbortSignal;
  /** The `_meta` of the host's request (with its progressToken, if any). */
  meta?: Record<string, unknown>;
  /** Sends a notification tied to the request (progress). */
  sendNotification(notification: { method: string; params?: Record<string, unknown> }): Promise<void>;
}

export interface OwnTool {
  definition: Tool;
  /** Whether tools/list shows it (default: always). A hidden tool can still be called. */
  listed?: () => boolean;
  call(args: Record<string, unknown>, context: OwnCallContext): Promise<Record<string, unknown>>;
}

export interface OwnResource {
  /** Resources this entry shows in resources/list (none by default). */
  list?: () => Resource[];
  matches(uri: string): boolean;
  read(uri: string, context: OwnCallContext): Promise<Record<string, unknown>>;
}

export class OwnRegistry {
  private readonly tools = new Map<string, OwnTool>();
  private readonly resources: OwnResource[] = [];

  defineTool(tool: OwnTool): void {
    const name = tool.definition.name;
    if (!name.startsWith(OWN_TOOL_PREFIX))
      throw new Error(`own tool "${name}" must start with ${OWN_TOOL_PREFIX}`);
    if (this.tools.has(name)) throw new Error(`own tool "${name}" is defined twice`);
    this.tools.set(name, tool);
  }

  defineResource(resource: OwnResource): void {
    this.resources.push(resource);
  }

  /** The own tools tools/list shows now, in definition order. */
  listedTools(): Tool[] {
    return [...this.tools.values()].filter((t) => t.listed?.() ?? true).map((t) => t.definition);
  }

  tool(name: string): OwnTool | undefined {
    return this.tools.get(name);
  }

  listedResources(): Resource[] {
    return this.resources.flatMap((r) => r.list?.() ?? []);
  }

  /** Whether any own resource is defined (then the host is told of the resources capability). */
  hasResources(): boolean {
    return this.resources.length > 0;
  }

  resource(uri: string): OwnResource | undefined {
    return this.resources.find((r) => r.matches(uri));
  }
}
