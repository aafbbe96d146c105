/**
 * `tools/list` and `tools/call` answered by the handlers (not the fast path): the list fitted to the host (surface/), and calls routed
 * to mcp-sentinel's own tools first, then through the catalog to a backend (task-augmented calls to
 * tasks.ts). The stdio fast path (fast-path.ts) takes most plain calls before they get here.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { SentinelError } from '../../errors.js';
import {
  backendFor,
  errorResult,
  forward,
  requireString,
  type Params,
  type RequestContext,
} from '../forward.js';
import { ownContext, type AggregatorParts, type Handler } from '../parts.js';
import { asDirectCall, MetaCallError } from '../surface/index.js';

export function toolHandlers(parts: AggregatorParts): Record<string, Handler> {
  return {
    'tools/list': async () => {
      await parts.live.fresh('tools');
      return { tools: (await parts.surface.view()).tools };
    },
    'tools/call': (params, context) => callTool(parts, params, context),
  };
}

async function callTool(parts: AggregatorParts, given: Params, context: RequestContext) {
  const params = directCall(given);
  const publicName = requireString(params, 'name');
  const args = params.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, '"arguments" must be an object');
  const ownTool = parts.own.tool(publicName);
  if (ownTool) return ownTool.call((args ?? {}) as Params, ownContext(params, context));
  const { live } = parts;
  const route = live.catalog.toolRoutes.get(publicName) ?? (await live.ready()).toolRoutes.get(publicName);
  if (!route) {
    const known = live.downToolBackend(publicName);
    if (known) return errorResult(known.unavailableError());
    const filteredBy = live.catalog.filteredTools.get(publicName);
    if (filteredBy)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Tool ${publicName} is excluded by mcpServers.${filteredBy}.tools`,
      );
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${publicName}`);
  }
  const backend = backendFor(parts.manager, route.backend);
  const routed = { ...params, name: route.name };
  if (params.task !== undefined) return parts.tasks.callTool(backend, routed, context);
  try {
    const result = await forward(backend, 'tools/call', routed, context);
    parts.returned.record(backend.name, result);
    return await parts.finishToolResult(publicName, result);
  } catch (error) {
    if (error instanceof SentinelError) return errorResult(error);
    throw error;
  }
}

/** A `sentinel__call_tool` call as the direct call it stands for (surface/meta-tools.ts). */
function directCall(params: Params): Params {
  try {
    return asDirectCall(params);
  } catch (error) {
    if (error instanceof MetaCallError)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
    throw error;
  }
}
