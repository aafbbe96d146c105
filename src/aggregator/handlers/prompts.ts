/**
 * `prompts/list`, `prompts/get` and `completion/complete`: prompts routed by public name through the
 * catalog; completions routed by the prompt or resource template they complete, empty (not an error) for
 * a backend that has no completions.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { routeResource } from '../catalog.js';
import {
  backendFor,
  forwardOrExplain,
  requireString,
  toProtocolError,
  type Params,
  type RequestContext,
} from '../forward.js';
import type { AggregatorParts, Handler } from '../parts.js';

export function promptHandlers(parts: AggregatorParts): Record<string, Handler> {
  return {
    'prompts/list': async () => ({ prompts: (await parts.live.fresh('prompts')).prompts }),
    'prompts/get': (params, context) => getPrompt(parts, params, context),
    'completion/complete': (params, context) => complete(parts, params, context),
  };
}

async function getPrompt(parts: AggregatorParts, params: Params, context: RequestContext) {
  const publicName = requireString(params, 'name');
  const { live } = parts;
  const route =
    live.catalog.promptRoutes.get(publicName) ?? (await live.ready()).promptRoutes.get(publicName);
  if (!route) {
    const known = live.downPromptBackend(publicName);
    if (known) throw toProtocolError(known.unavailableError());
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${publicName}`);
  }
  const backend = backendFor(parts.manager, route.backend);
  const result = await forwardOrExplain(backend, 'prompts/get', { ...params, name: route.name }, context);
  parts.returned.record(route.backend, result);
  return result;
}

const empty = () => ({ completion: { values: [], hasMore: false } });

async function complete(parts: AggregatorParts, params: Params, context: RequestContext) {
  const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
  const catalog = await parts.live.ready();
  const completes = (name: string) => !!parts.manager.get(name)?.serverCapabilities?.completions;
  if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
    const route = catalog.promptRoutes.get(ref.name);
    if (!route) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
    if (!completes(route.backend)) return empty();
    const routed = { ...params, ref: { ...ref, name: route.name } };
    return forwardOrExplain(backendFor(parts.manager, route.backend), 'completion/complete', routed, context);
  }
  if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
    const owner =
      catalog.templateRoutes.find((t) => t.template.toString() === ref.uri)?.backend ??
      routeResource(catalog, ref.uri);
    if (!owner)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
    if (!completes(owner)) return empty();
    return forwardOrExplain(backendFor(parts.manager, owner), 'completion/complete', params, context);
  }
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    'completion/complete needs a ref of type ref/prompt or ref/resource',
  );
}
