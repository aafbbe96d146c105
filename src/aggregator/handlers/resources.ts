/**
 * `resources/*`: mcp-sentinel's own resources first; then the backend of a URI (listed, templated, or
 * returned by it earlier: resource-routes.ts); a URI nobody listed or returned goes to the backends that
 * serve resources, in config order, until one has it. Subscriptions are remembered (replay.ts) so that a
 * backend's new session gets them again and only subscribed updates reach the host.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { Backend } from '../../backends/backend.js';
import { routeResource } from '../catalog.js';
import { isNotFound } from '../resource-routes.js';
import { backendFor, forwardOrExplain, requireString, type Params, type RequestContext } from '../forward.js';
import { ownContext, type AggregatorParts, type Handler } from '../parts.js';

export function resourceHandlers(parts: AggregatorParts): Record<string, Handler> {
  return {
    'resources/list': async () => ({
      resources: [...parts.own.listedResources(), ...(await parts.live.fresh('resources')).resources],
    }),
    'resources/templates/list': async () => ({
      resourceTemplates: (await parts.live.fresh('resources')).resourceTemplates,
    }),
    'resources/read': (params, context) => read(parts, params, context),
    'resources/subscribe': (params, context) => subscribe(parts, params, context),
    'resources/unsubscribe': (params, context) => unsubscribe(parts, params, context),
  };
}

async function read(parts: AggregatorParts, params: Params, context: RequestContext) {
  const uri = requireString(params, 'uri');
  const ownResource = parts.own.resource(uri);
  if (ownResource) return ownResource.read(uri, ownContext(params, context));
  const owner = await ownerOf(parts, uri);
  if (!owner) return (await fromAnyOwner(parts, 'resources/read', params, context, uri)).result;
  const result = await forwardOrExplain(backendFor(parts.manager, owner), 'resources/read', params, context);
  parts.returned.record(owner, result);
  return result;
}

async function subscribe(parts: AggregatorParts, params: Params, context: RequestContext) {
  const uri = requireString(params, 'uri');
  const owner = await ownerOf(parts, uri);
  if (!owner) {
    const { result, backend } = await fromAnyOwner(parts, 'resources/subscribe', params, context, uri);
    parts.replay.subscribed(uri, backend.name);
    return result;
  }
  const backend = backendFor(parts.manager, owner);
  const result = await forwardOrExplain(backend, 'resources/subscribe', params, context);
  parts.replay.subscribed(uri, owner);
  return result;
}

async function unsubscribe(parts: AggregatorParts, params: Params, context: RequestContext) {
  const uri = requireString(params, 'uri');
  const owner = parts.replay.subscriber(uri) ?? (await ownerOf(parts, uri));
  parts.replay.unsubscribed(uri);
  if (!owner) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
  return forwardOrExplain(backendFor(parts.manager, owner), 'resources/unsubscribe', params, context);
}

/** The backend of a URI: listed or templated, else returned by a backend earlier. */
async function ownerOf(parts: AggregatorParts, uri: string): Promise<string | undefined> {
  const { live, returned } = parts;
  return routeResource(live.catalog, uri) ?? returned.owner(uri) ?? routeResource(await live.ready(), uri);
}

/**
 * A URI nobody listed or returned: the ready backends that serve resources are asked in config order,
 * and the first that has it answers (remembered for the next time).
 */
async function fromAnyOwner(
  parts: AggregatorParts,
  method: string,
  params: Params,
  context: RequestContext,
  uri: string,
): Promise<{ result: Record<string, unknown>; backend: Backend }> {
  const candidates = parts.manager.backends.filter(
    (b) =>
      (b.state === 'ready' || b.state === 'idle') &&
      b.serverCapabilities?.resources &&
      (method === 'resources/read' || b.serverCapabilities.resources.subscribe),
  );
  for (const backend of candidates) {
    try {
      const result = await forwardOrExplain(backend, method, params, context);
      parts.returned.record(backend.name, { contents: [{ uri }] });
      return { result, backend };
    } catch (error) {
      if (!isNotFound(error) || context.signal.aborted) throw error;
    }
  }
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
}
