/**
 * The answers of a warm start: `initialize` and the lists, from the cached manifests of backends that are
 * all idle (each would start lazily and has a manifest: backends/manifest/warm-set.ts). They are computed
 * by the functions the full server uses (catalog.ts, advertised.ts, identity.ts, surface/), over the
 * backends as the full server sees them once seeded from the same manifests, so that `serve` can answer
 * the host before the SDK and the backend layer have loaded. It never logs: the full server, handed the
 * same requests afterwards, says what it says about them once. A test compares both answers
 * (test/e2e/serve-warm-start.test.ts).
 *
 * Kept free of runtime imports of the SDK, zod, Ajv and the backend layer: that is the point of it.
 */
import type { Settings } from '../config/types.js';
import type { WarmBackend } from '../backends/manifest/warm-set.js';
import { advertise } from './advertised.js';
import { buildCatalog, createToolFilter } from './catalog.js';
import { initializeResult } from './identity.js';
import { OwnRegistry } from './own-tools.js';
import { STATUS_RESOURCE } from './status.js';
import type { ClientInfo } from './surface/hosts.js';
import { createToolSurface } from './surface/index.js';

type Params = Record<string, unknown> | undefined;
type Result = Record<string, unknown>;

export interface WarmAnswers {
  /** The answer to a request the manifests answer; undefined for every other request. */
  answer(method: string, params: Params): Promise<Result> | undefined;
  /** The backend a listed tool belongs to (by its public name). */
  backendOfTool(name: string): string | undefined;
}

export function createWarmAnswers(backends: readonly WarmBackend[], settings: Settings): WarmAnswers {
  const listed = backends.flatMap((b) => (b.manifest ? [{ ...b, manifest: b.manifest }] : []));
  const prefixOf = (b: WarmBackend) => b.config.prefix ?? b.name;
  const catalog = buildCatalog(
    listed.map((b) => ({
      name: b.name,
      prefix: prefixOf(b),
      allowed: createToolFilter(b.config.tools),
      promptFilter: b.config.prompts,
      resourceFilter: b.config.resources,
      lists: b.manifest.lists,
    })),
    settings,
    () => undefined,
  );
  // The full server's own registry at this point: the status resource (its tool is listed only while a
  // backend is down), the meta-tools (listed by the surface when it chooses search), nothing else listed.
  const own = new OwnRegistry();
  own.defineResource({
    list: () => [{ ...STATUS_RESOURCE }],
    matches: () => false,
    read: () => Promise.reject(new Error('not answered from the manifests')),
  });
  let clientInfo: ClientInfo | undefined;
  const surface = createToolSurface({
    own,
    settings,
    catalog: () => catalog,
    ready: () => Promise.resolve(),
    backends: () =>
      backends.map((b) => ({
        name: b.name,
        config: b.config,
        serverInfo: b.manifest?.serverInfo,
        instructions: b.manifest?.instructions,
      })),
    clientInfo: () => clientInfo,
  });
  const advertised = advertise(
    listed.map((b) => ({
      name: b.name,
      prefix: prefixOf(b),
      instructions: b.manifest.instructions,
      capabilities: b.manifest.capabilities as Record<string, unknown> | undefined,
      pending: false,
    })),
    settings.separator,
    { resources: own.hasResources() },
  );

  const answers: Record<string, (params: Params) => Result | Promise<Result>> = {
    initialize: (params) => {
      clientInfo = params?.clientInfo as ClientInfo | undefined;
      return initializeResult(params?.protocolVersion, advertised);
    },
    ping: () => ({}),
    'tools/list': async () => ({ tools: (await surface.view()).tools }),
    'prompts/list': () => ({ prompts: catalog.prompts }),
    'resources/list': () => ({ resources: [...own.listedResources(), ...catalog.resources] }),
    'resources/templates/list': () => ({ resourceTemplates: catalog.resourceTemplates }),
  };
  return {
    answer(method, params) {
      const answer = Object.hasOwn(answers, method) ? answers[method] : undefined;
      return answer && Promise.resolve(answer(params));
    },
    backendOfTool: (name) => catalog.toolRoutes.get(name)?.backend,
  };
}
