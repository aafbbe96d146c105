/**
 * Lists everything a backend offers, following pagination. Each page's items go through the one check of
 * list-items.ts and are passed on unchanged (input schemas included): one malformed tool is dropped with
 * a warning instead of failing the whole backend.
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
import { keepWellFormed, LIST_METHODS, type ListMethod } from './list-items.js';
import type { BackendSession } from './modern-session.js';
import { PASS_THROUGH } from './pass-through.js';
import type { BackendLists, ListKind } from './types.js';

const MAX_PAGES = 100;

export async function listAll<T>(
  client: Pick<BackendSession, 'request'>,
  method: ListMethod,
  timeout: number,
  log: Logger,
  /** Sees every page's result as it came (for its caching hints: cache-hints.ts). */
  onPage?: (result: Record<string, unknown>) => void,
): Promise<T[]> {
  const { key } = LIST_METHODS[method];
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
    if (Array.isArray(batch)) items.push(...keepWellFormed<T>(method, batch, (message) => log.warn(message)));
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
      return { tools: await listAll<Tool>(client, 'tools/list', timeout, log, onPage) };
    case 'prompts':
      return { prompts: await listAll<Prompt>(client, 'prompts/list', timeout, log, onPage) };
    case 'resources': {
      const [resources, resourceTemplates] = await Promise.all([
        listAll<Resource>(client, 'resources/list', timeout, log, onPage),
        listAll<ResourceTemplate>(client, 'resources/templates/list', timeout, log, onPage),
      ]);
      return { resources, resourceTemplates };
    }
  }
}
