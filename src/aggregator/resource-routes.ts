/**
 * Where a resource URI that no list names is read from. Backends hand out URIs that are in no list and
 * match no template (a tool's `resource_link` to a file it just wrote, an embedded resource, a session
 * resource created during the call): the URIs each backend returned are remembered, and a read of one goes
 * back to that backend. A URI nobody returned goes to the backends that serve resources, in config order,
 * until one has it. The catalog's own routes (listed URIs, templates) always come first.
 */

/** How many returned URIs are remembered (the oldest are forgotten first). */
const MAX_REMEMBERED = 10_000;

/** Error codes that mean "not mine": the next backend is asked. */
const NOT_FOUND_CODES = new Set([-32002, -32602]);

export class ReturnedResources {
  private readonly owners = new Map<string, string>();

  /** Remembers the resource URIs in a backend's result (tools/call, prompts/get, resources/read). */
  record(backend: string, result: unknown): void {
    for (const uri of urisIn(result)) {
      this.owners.delete(uri); // re-inserted as the newest
      this.owners.set(uri, backend);
      if (this.owners.size > MAX_REMEMBERED) {
        const oldest = this.owners.keys().next().value;
        if (oldest !== undefined) this.owners.delete(oldest);
      }
    }
  }

  /** The backend that returned `uri` last. */
  owner(uri: string): string | undefined {
    return this.owners.get(uri);
  }
}

/** True when a backend's error to a read means it does not know the URI (so another may). */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && NOT_FOUND_CODES.has(code);
}

function urisIn(result: unknown): string[] {
  if (!isObject(result)) return [];
  const uris: string[] = [];
  const fromContent = (item: unknown) => {
    if (!isObject(item)) return;
    if (item.type === 'resource_link' && typeof item.uri === 'string') uris.push(item.uri);
    if (item.type === 'resource' && isObject(item.resource) && typeof item.resource.uri === 'string')
      uris.push(item.resource.uri);
  };
  if (Array.isArray(result.content)) result.content.forEach(fromContent);
  if (Array.isArray(result.messages)) {
    for (const message of result.messages) {
      if (!isObject(message)) continue;
      if (Array.isArray(message.content)) message.content.forEach(fromContent);
      else fromContent(message.content);
    }
  }
  if (Array.isArray(result.contents)) {
    for (const item of result.contents)
      if (isObject(item) && typeof item.uri === 'string') uris.push(item.uri);
  }
  return uris;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
