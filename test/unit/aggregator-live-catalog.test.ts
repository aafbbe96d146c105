/**
 * The live catalog (live-catalog.ts) in-process, over stand-in backends: it rebuilds only when what the
 * host would see changed, keeps the names of a backend that went down reserved, and remembers where a
 * name routed so that a call to it can say the backend is down.
 */
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/types.js';
import { DEFAULT_SETTINGS } from '../../src/config/defaults.js';
import type { BackendManager } from '../../src/backends/manager.js';
import { LiveCatalog } from '../../src/aggregator/live-catalog.js';
import { createLogger, setLogLevel } from '../../src/log.js';

setLogLevel('silent');

const lists = (...tools: string[]) => ({
  tools: tools.map((name) => ({ name, inputSchema: { type: 'object' as const } })),
  prompts: [],
  resources: [],
  resourceTemplates: [],
});

function backend(name: string, tools: string[]) {
  return {
    name,
    state: 'ready',
    listed: true,
    lists: lists(...tools),
    lastLists: undefined as ReturnType<typeof lists> | undefined,
    listVersions: { tools: 1, prompts: 1, resources: 1 },
    config: {},
  };
}

function setUp() {
  const backends = [backend('fs', ['read']), backend('git', ['log'])];
  const manager = {
    backends,
    get: (name: string) => backends.find((b) => b.name === name),
    whenSettled: async () => undefined,
  } as unknown as BackendManager;
  const live = new LiveCatalog(manager, DEFAULT_SETTINGS as Settings, createLogger('test'));
  return { backends, live };
}

const goDown = (b: ReturnType<typeof backend>) => {
  b.state = 'restarting';
  b.lastLists = b.lists;
  b.listed = false;
};

describe('the live catalog', () => {
  it.each([
    {
      change: 'a state change that changes no list',
      apply: (b: ReturnType<typeof backend>) => void (b.state = 'idle'),
      rebuilt: false,
    },
    {
      change: 'a new version of the tool list',
      apply: (b: ReturnType<typeof backend>) => void (b.listVersions.tools = 2),
      rebuilt: true,
    },
    { change: 'the backend going down', apply: goDown, rebuilt: true },
  ])('rebuilds on $change: $rebuilt', ({ apply, rebuilt }) => {
    const { backends, live } = setUp();
    const before = live.catalog;
    apply(backends[0]!);
    expect(live.refresh()).toBe(rebuilt);
    expect(live.catalog === before).toBe(!rebuilt);
  });

  it('keeps the names of a backend that is down out of the list, and says where they went', async () => {
    const { backends, live } = setUp();
    live.refresh(true);
    expect((await live.ready()).tools.map((t) => t.name)).toEqual(['fs__read', 'git__log']);
    goDown(backends[0]!);
    live.refresh();
    expect(live.catalog.tools.map((t) => t.name)).toEqual(['git__log']);
    expect(live.catalog.toolRoutes.has('fs__read')).toBe(false);
    expect(live.downToolBackend('fs__read')?.name).toBe('fs');
    expect(live.downToolBackend('git__log')).toBeUndefined();
  });

  it('reports the signatures the host was told of once the first wait is over', async () => {
    const { live } = setUp();
    const told: unknown[] = [];
    live.onSettled = (signatures) => told.push(signatures);
    expect(live.started).toBe(false);
    await Promise.all([live.ready(), live.ready()]);
    expect(live.started).toBe(true);
    expect(told).toEqual([live.signatures]);
  });
});
