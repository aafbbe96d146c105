/**
 * Per-server filters in the routing catalog: `prompts` and `resources` globs (like `tools`) decide what of a
 * backend the host is shown, and a hidden resource no longer collides with another server's.
 */
import { describe, expect, it } from 'vitest';
import { buildCatalog, type CatalogSource } from '../../src/aggregator/catalog.js';
import { DEFAULT_SETTINGS } from '../../src/config/types.js';

const lists = (uri: string) => ({
  tools: [{ name: 'echo', inputSchema: { type: 'object' as const } }],
  prompts: [{ name: 'simple-prompt' }, { name: 'args-prompt' }],
  resources: [
    { uri: `${uri}/static/a.md`, name: 'a' },
    { uri: `${uri}/static/b.md`, name: 'b' },
  ],
  resourceTemplates: [{ uriTemplate: `${uri}/dynamic/{id}`, name: 'dynamic' }],
});

function build(sources: CatalogSource[]) {
  const collisions: string[] = [];
  const catalog = buildCatalog(sources, DEFAULT_SETTINGS, (message) => collisions.push(message));
  return { catalog, collisions };
}

describe('catalog filters for prompts and resources', () => {
  it('lists only the prompts, resources and templates the globs allow', () => {
    const { catalog } = build([
      {
        name: 'ev',
        prefix: 'ev',
        lists: lists('demo://r'),
        promptFilter: { exclude: ['args-*'] },
        resourceFilter: { include: ['demo://r/static/**'], exclude: ['**/b.md'] },
      },
    ]);
    expect(catalog.prompts.map((p) => p.name)).toEqual(['ev__simple-prompt']);
    expect(catalog.resources.map((r) => r.uri)).toEqual(['demo://r/static/a.md']);
    expect(catalog.resourceTemplates).toEqual([]);
    expect(catalog.promptRoutes.has('ev__args-prompt')).toBe(false);
    expect(catalog.tools.map((t) => t.name)).toEqual(['ev__echo']);
  });

  it('lets a second server that lists the same URIs hide them instead of colliding', () => {
    const first: CatalogSource = { name: 'one', prefix: 'one', lists: lists('demo://r') };
    const second: CatalogSource = { name: 'two', prefix: 'two', lists: lists('demo://r') };
    expect(build([first, second]).collisions.filter((m) => m.includes('is hidden'))).toHaveLength(3);

    const filtered = build([first, { ...second, resourceFilter: { exclude: ['demo://r/**'] } }]);
    expect(filtered.collisions.filter((m) => m.includes('is hidden'))).toEqual([]);
    expect(filtered.catalog.resources).toHaveLength(2);
    expect(filtered.catalog.resourceTemplates).toHaveLength(1);
  });
});
