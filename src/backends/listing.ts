/**
 * Lists everything a backend offers, following pagination. Items are checked shallowly and passed on
 * unchanged (input schemas included): one malformed tool is dropped with a warning instead of failing
 * the whole backend, and nothing is deep-validated twice.
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  type Prompt,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/client';
import type { Logger } from '../log.js';
import type { BackendSession } from './modern-session.js';
import { PASS_THROUGH } from './pass-through.js';
import type { BackendLists, ListKind } from './types.js';

const MAX_PAGES = 100;

export async function listAll<T>(
  client: Pick<BackendSession, 'request'>,
  method: string,
  key: string,
  timeout: number,
  log: Logger,
  idField: 'name' | 'uri' | 'uriTemplate' = key === 'resources' ? 'uri' : 'name',
  /** Sees every page's result as it came (for its caching hints: cache-hints.ts). */
  onPage?: (result: Record<string, unknown>) => void,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let result: Record<string, unknown>;
    try {
      result = await client.request({ method, params: cursor ? { cursor } : {} }, PASS_THROUGH, { timeout });
    } catch (error) {
      // A server that declares `resources` but not templates (or a list it does not implement) is common.
      if (error instanceof ProtocolError && error.code === ProtocolErrorCode.MethodNotFound) {
        log.debug(`${method} is not implemented; treating it as empty`);
        return items;
      }
      throw error;
    }
    onPage?.(result);
    const batch = result[key];
    if (Array.isArray(batch)) {
      for (const item of batch) {
        if (
          item &&
          typeof item === 'object' &&
          typeof (item as Record<string, unknown>)[idField] === 'string'
        )
          items.push(item as T);
        else log.warn(`ignored a malformed entry in ${method}: it has no string "${idField}"`);
      }
    }
    cursor = typeof result.nextCursor === 'string' && result.nextCursor ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return items;
}

/** The lists of one kind (resources come with their templates), each fetched in full. */
export async function listKind(
  client: Pick<BackendSession, 'request'>,
  kind: ListKind,
  timeout: number,
  log: Logger,
  onPage?: (result: Record<string, unknown>) => void,
): Promise<Partial<BackendLists>> {
  switch (kind) {
    case 'tools':
      return { tools: await listAll<Tool>(client, 'tools/list', 'tools', timeout, log, 'name', onPage) };
    case 'prompts':
      return {
        prompts: await listAll<Prompt>(client, 'prompts/list', 'prompts', timeout, log, 'name', onPage),
      };
    case 'resources': {
      const [resources, resourceTemplates] = await Promise.all([
        listAll<Resource>(client, 'resources/list', 'resources', timeout, log, 'uri', onPage),
        listAll<ResourceTemplate>(
          client,
          'resources/templates/list',
          'resourceTemplates',
          timeout,
          log,
          'uriTemplate',
          onPage,
        ),
      ]);
      return { resources, resourceTemplates };
    }
  }
}
