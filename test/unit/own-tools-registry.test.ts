/** The registry of mcp-sentinel's own tools and resources: reserved names, listing, lookup. */
import { describe, expect, it } from 'vitest';
import { OwnRegistry } from '../../src/aggregator/own-tools.js';

const tool = (name: string, listed?: () => boolean) => ({
  definition: { name, inputSchema: { type: 'object' as const } },
  listed,
  call: async () => ({ content: [] }),
});

describe('own tools registry', () => {
  it('refuses names outside the reserved sentinel__ prefix and names defined twice', () => {
    const registry = new OwnRegistry();
    expect(() => registry.defineTool(tool('status'))).toThrow(/must start with sentinel__/);
    registry.defineTool(tool('sentinel__status'));
    expect(() => registry.defineTool(tool('sentinel__status'))).toThrow(/defined twice/);
  });

  it('lists the tools whose listed() says so, and finds hidden ones by name', () => {
    let shown = false;
    const registry = new OwnRegistry();
    registry.defineTool(tool('sentinel__a'));
    registry.defineTool(tool('sentinel__b', () => shown));
    expect(registry.listedTools().map((t) => t.name)).toEqual(['sentinel__a']);
    shown = true;
    expect(registry.listedTools().map((t) => t.name)).toEqual(['sentinel__a', 'sentinel__b']);
    expect(registry.tool('sentinel__b')).toBeDefined();
    expect(registry.tool('other')).toBeUndefined();
  });

  it('routes a URI to the resource entry that matches it', () => {
    const registry = new OwnRegistry();
    registry.defineResource({
      list: () => [{ uri: 'sentinel://status', name: 'status' }],
      matches: (uri) => uri === 'sentinel://status',
      read: async (uri) => ({ contents: [{ uri, text: 'ok' }] }),
    });
    expect(registry.listedResources()).toEqual([{ uri: 'sentinel://status', name: 'status' }]);
    expect(registry.resource('sentinel://status')).toBeDefined();
    expect(registry.resource('sentinel://results/x')).toBeUndefined();
  });
});
