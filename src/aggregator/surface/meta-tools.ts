/**
 * The search surface's two meta-tools. `sentinel__find_tools` answers a task in plain words with the best
 * matching tools (public name, description, input schema); `sentinel__call_tool` calls one of them. A call
 * through `call_tool` is rewritten into the direct `tools/call` before routing (`asDirectCall`, on the SDK
 * path and the stdio fast path alike), so its progress, cancellation, errors and result are exactly those
 * of the direct call. Their descriptions name the servers behind them and what each offers, briefly, so a
 * model knows when searching is worth it.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { ToolSearchIndex } from './search-index.js';
import { fitBytes } from './claude-code.js';

export const FIND_TOOLS = 'sentinel__find_tools';
export const CALL_TOOL = 'sentinel__call_tool';

export interface ServerSummary {
  /** The server's key in the config. */
  name: string;
  /** The server's own name or title (serverInfo), when it says more than the key. */
  title?: string;
  /** The first sentence of its instructions, when it sent any. */
  about?: string;
  /** Public names of its tools, in catalog order. */
  tools: string[];
}

const MAX_DESCRIPTION_BYTES = 1800;

export function findToolsDefinition(servers: readonly ServerSummary[], unlisted: number): Tool {
  const parts = servers.filter((s) => s.tools.length > 0).map(describeServer);
  let list = '';
  for (const [i, part] of parts.entries()) {
    const next = list ? `${list}; ${part}` : part;
    if (next.length > MAX_DESCRIPTION_BYTES - 400) {
      list += `; and ${parts.length - i} more servers`;
      break;
    }
    list = next;
  }
  const description =
    `Finds the right tool for a task among ${unlisted} tools that are not listed directly, from: ${list}. ` +
    'Describe the task in plain words ("read a file", "save a note"); returns the best matches with ' +
    `their names and input schemas. Then call one with ${CALL_TOOL}.`;
  return {
    name: FIND_TOOLS,
    title: 'Find tools',
    description: fitBytes(description, MAX_DESCRIPTION_BYTES),
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'The task, in plain words' },
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: 20,
          description: 'How many tools to return (default 5)',
        },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
}

export const CALL_TOOL_DEFINITION: Tool = {
  name: CALL_TOOL,
  title: 'Call a tool',
  description:
    `Calls a tool that ${FIND_TOOLS} found, by its name, with arguments matching its input schema. ` +
    "Returns that tool's own result.",
  inputSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', description: `The tool's name, as ${FIND_TOOLS} gave it` },
      arguments: { type: 'object', description: 'The arguments of that tool' },
    },
    required: ['name'],
  },
};

function describeServer(server: ServerSummary): string {
  const shown = server.tools.slice(0, 4).map(shortName).join(', ');
  const more = server.tools.length > 4 ? ', …' : '';
  const about = [server.title, server.about].filter(Boolean).join(': ');
  const count = `${server.tools.length} tool${server.tools.length === 1 ? '' : 's'}`;
  return `${server.name} (${about ? `${about}; ` : ''}${count}: ${shown}${more})`;
}

/** A public name without its server prefix, for the short lists in the description. */
function shortName(publicName: string): string {
  const cut = publicName.indexOf('__');
  return cut === -1 ? publicName : publicName.slice(cut + 2);
}

export class MetaCallError extends Error {}

/**
 * The direct `tools/call` params a `sentinel__call_tool` call stands for; other params unchanged. Throws
 * MetaCallError for a call_tool call without a valid name or arguments.
 */
export function asDirectCall<P extends Record<string, unknown>>(params: P): P {
  if (params.name !== CALL_TOOL) return params;
  const args = (params.arguments ?? {}) as Record<string, unknown>;
  const name = args.name;
  const inner = args.arguments;
  if (typeof name !== 'string' || name === '')
    throw new MetaCallError(`${CALL_TOOL} needs "name": the tool to call, as ${FIND_TOOLS} gave it`);
  if (name === CALL_TOOL) throw new MetaCallError(`${CALL_TOOL} cannot call itself`);
  if (inner !== undefined && (typeof inner !== 'object' || inner === null || Array.isArray(inner)))
    throw new MetaCallError(`${CALL_TOOL}: "arguments" must be an object`);
  return { ...params, name, arguments: inner ?? {} };
}

/** The find_tools result: the matches with what a model needs to call them. */
export function findToolsResult(
  index: ToolSearchIndex,
  args: Record<string, unknown>,
): Record<string, unknown> {
  const query = typeof args.query === 'string' ? args.query.trim() : '';
  const limit = typeof args.limit === 'number' && args.limit >= 1 ? Math.min(20, Math.floor(args.limit)) : 5;
  if (!query) {
    return {
      content: [{ type: 'text', text: `${FIND_TOOLS} needs "query": the task, in plain words` }],
      isError: true,
    };
  }
  const matches = index.find(query, limit);
  if (matches.length === 0) {
    return {
      content: [
        { type: 'text', text: `No tool matches "${query}" among ${index.size} tools. Try other words.` },
      ],
    };
  }
  const tools = matches.map(({ name, server, tool }) => ({
    name,
    server,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description ?? '',
    inputSchema: tool.inputSchema,
  }));
  const text = JSON.stringify({ tools, call: `${CALL_TOOL} {"name": <name>, "arguments": {...}}` });
  return { content: [{ type: 'text', text }] };
}
