/**
 * The routing catalog: what the host sees (public tools, prompts, resources, templates) and, for every
 * public name or URI, which backend and original name it goes to. Rebuilt whenever a backend changes;
 * requests are routed through these tables, never by splitting a public name.
 */
import { createRequire } from 'node:module';
import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/server';
import type { Settings, ToolFilter } from '../config/types.js';
import type { BackendLists } from '../backends/backend.js';
import { NameAllocator, toPublicName } from './names.js';
import { UriTemplate } from './uri-template.js';

// Loaded on the first filter: a config without tool filters never pays for it (serve's warm start).
const require = createRequire(import.meta.url);
let globs: typeof import('picomatch') | undefined;
const picomatch = (patterns: string[]) =>
  (globs ??= require('picomatch') as typeof import('picomatch'))(patterns);

export interface Route {
  backend: string;
  /** The backend's own name for the tool or prompt. */
  name: string;
}

export interface CatalogSource {
  name: string;
  prefix: string;
  filter?: ToolFilter;
  /** `filter`, compiled once (createToolFilter); compiled on every build when absent. */
  allowed?: (name: string) => boolean;
  /** `prompts.include`/`exclude` (prompt names) and `resources.include`/`exclude` (URIs and URI templates). */
  promptFilter?: ToolFilter;
  resourceFilter?: ToolFilter;
  lists: BackendLists;
  /**
   * A backend that is not ready now but was before (restarting, failed): its tools and prompts claim their
   * names in config order, as they would if it were ready, but nothing of it is exported or routed.
   */
  reserveOnly?: boolean;
}

export interface Catalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  toolRoutes: Map<string, Route>;
  promptRoutes: Map<string, Route>;
  resourceRoutes: Map<string, string>;
  templateRoutes: { template: UriTemplate; uriTemplate: string; backend: string }[];
  /** Public names of tools hidden by `tools.include`/`exclude`, to refuse calls with a clear reason. */
  filteredTools: Map<string, string>;
}

export function createToolFilter(filter: ToolFilter | undefined): (name: string) => boolean {
  if (!filter?.include?.length && !filter?.exclude?.length) return () => true;
  const include = filter.include?.length ? picomatch(filter.include) : () => true;
  const exclude = filter.exclude?.length ? picomatch(filter.exclude) : () => false;
  return (name) => include(name) && !exclude(name);
}

export function buildCatalog(
  sources: CatalogSource[],
  settings: Settings,
  onCollision: (message: string) => void,
): Catalog {
  const max = settings.maxToolNameLength;
  const build: Build = {
    catalog: {
      tools: [],
      prompts: [],
      resources: [],
      resourceTemplates: [],
      toolRoutes: new Map(),
      promptRoutes: new Map(),
      resourceRoutes: new Map(),
      templateRoutes: [],
      filteredTools: new Map(),
    },
    settings,
    toolNames: new NameAllocator(max),
    promptNames: new NameAllocator(max),
    onCollision,
  };
  for (const source of sources) {
    addTools(build, source);
    addPrompts(build, source);
    if (source.reserveOnly) continue;
    const resourceAllowed = createToolFilter(source.resourceFilter);
    addResources(build, source, resourceAllowed);
    addTemplates(build, source, resourceAllowed);
  }
  return build.catalog;
}

/** A catalog being built, with the name allocators that keep public names unique across backends. */
interface Build {
  catalog: Catalog;
  settings: Settings;
  toolNames: NameAllocator;
  promptNames: NameAllocator;
  onCollision: (message: string) => void;
}

function addTools({ catalog, settings, toolNames, onCollision }: Build, source: CatalogSource): void {
  const max = settings.maxToolNameLength;
  const allowed = source.allowed ?? createToolFilter(source.filter);
  for (const tool of source.lists.tools) {
    const preferred = toPublicName(source.name, source.prefix, settings.separator, tool.name, max);
    if (!allowed(tool.name)) {
      catalog.filteredTools.set(preferred, source.name);
      continue;
    }
    const name = toolNames.allocate(source.name, tool.name, preferred, (given) =>
      onCollision(
        `tool "${tool.name}" of "${source.name}" is exported as "${given}": "${preferred}" is already taken`,
      ),
    );
    if (source.reserveOnly) continue;
    catalog.toolRoutes.set(name, { backend: source.name, name: tool.name });
    catalog.tools.push(name === tool.name ? tool : { ...tool, name });
  }
}

function addPrompts({ catalog, settings, promptNames, onCollision }: Build, source: CatalogSource): void {
  const max = settings.maxToolNameLength;
  const promptAllowed = createToolFilter(source.promptFilter);
  for (const prompt of source.lists.prompts) {
    if (!promptAllowed(prompt.name)) continue;
    const preferred = toPublicName(source.name, source.prefix, settings.separator, prompt.name, max);
    const name = promptNames.allocate(source.name, prompt.name, preferred, (given) =>
      onCollision(
        `prompt "${prompt.name}" of "${source.name}" is exported as "${given}": "${preferred}" is already taken`,
      ),
    );
    if (source.reserveOnly) continue;
    catalog.promptRoutes.set(name, { backend: source.name, name: prompt.name });
    catalog.prompts.push(name === prompt.name ? prompt : { ...prompt, name });
  }
}

function addResources(
  { catalog, onCollision }: Build,
  source: CatalogSource,
  allowed: (uri: string) => boolean,
): void {
  for (const resource of source.lists.resources) {
    if (!allowed(resource.uri)) continue;
    const owner = catalog.resourceRoutes.get(resource.uri);
    if (owner !== undefined) {
      onCollision(`resource ${resource.uri} of "${source.name}" is hidden: "${owner}" lists the same URI`);
      continue;
    }
    catalog.resourceRoutes.set(resource.uri, source.name);
    catalog.resources.push(resource);
  }
}

function addTemplates(
  { catalog, onCollision }: Build,
  source: CatalogSource,
  allowed: (uriTemplate: string) => boolean,
): void {
  for (const template of source.lists.resourceTemplates) {
    if (!allowed(template.uriTemplate)) continue;
    const listed = catalog.templateRoutes.find((route) => route.uriTemplate === template.uriTemplate);
    if (listed) {
      // Reads of matching URIs go to the first; listing the template twice would only repeat it.
      onCollision(
        `resource template ${template.uriTemplate} of "${source.name}" is hidden: "${listed.backend}" lists the same template`,
      );
      continue;
    }
    try {
      catalog.templateRoutes.push({
        template: new UriTemplate(template.uriTemplate),
        uriTemplate: template.uriTemplate,
        backend: source.name,
      });
      catalog.resourceTemplates.push(template);
    } catch {
      onCollision(
        `resource template ${template.uriTemplate} of "${source.name}" is not a valid URI template and was skipped`,
      );
    }
  }
}

/** The backend that serves a resource URI: an exact listed URI first, then the first matching template. */
export function routeResource(catalog: Catalog, uri: string): string | undefined {
  const exact = catalog.resourceRoutes.get(uri);
  if (exact !== undefined) return exact;
  for (const { template, backend } of catalog.templateRoutes) {
    if (template.matches(uri)) return backend;
  }
  return undefined;
}
