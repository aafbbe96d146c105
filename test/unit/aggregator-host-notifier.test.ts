/**
 * What the host hears unasked (host-notifier.ts), in-process with a stand-in manager and catalog: list
 * changes only after `initialized`, once per burst and only of the kinds it was told of; subscribed
 * resource updates only; backend log messages at or above the host's level, under the backend's name.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendManager } from '../../src/backends/manager.js';
import { HostNotifier } from '../../src/aggregator/host-notifier.js';
import type { LiveCatalog, ListSignatures } from '../../src/aggregator/live-catalog.js';
import type { SessionReplay } from '../../src/aggregator/replay.js';

type Event =
  | { change: Partial<ListSignatures> }
  | { reconfigured: Partial<ListSignatures>; renamed: boolean }
  | { log: string }
  | { updated: string };

function setUp(options: { advertised: Record<string, unknown>; hostLevel?: string; initialized?: boolean }) {
  const manager = new EventEmitter();
  let signatures: ListSignatures = { tools: 't0', prompts: 'p0', resources: 'r0' };
  const live = {
    started: true,
    get signatures() {
      return { ...signatures };
    },
    refresh: () => true,
  } as unknown as LiveCatalog & { onSettled?: (s: ListSignatures) => void };
  const replay = {
    level: options.hostLevel,
    onChange: () => undefined,
    subscriber: (uri: string) => (uri === 'file:///watched' ? 'fs' : undefined),
  } as unknown as SessionReplay;
  const sent: { method: string; params?: Record<string, unknown> }[] = [];
  const notifier = new HostNotifier({
    manager: manager as unknown as BackendManager,
    live,
    replay,
    tasks: { statusNotification: (_backend, params) => params },
    send: (method, params) => void sent.push({ method, ...(params && { params }) }),
    advertised: () => options.advertised,
  });
  live.onSettled?.(signatures); // the host was told of the lists as they were
  if (options.initialized ?? true) notifier.hostInitialized();
  vi.advanceTimersByTime(25);
  sent.length = 0;
  const backend = { name: 'fs' };
  const emit = (event: Event) => {
    if ('change' in event) {
      signatures = { ...signatures, ...event.change };
      manager.emit('change', backend);
    } else if ('reconfigured' in event) {
      signatures = { ...signatures, ...event.reconfigured };
      manager.emit('reconfigured', {}, event.renamed);
    } else if ('log' in event) manager.emit('log', backend, { level: event.log, data: 'x' });
    else manager.emit('resourceUpdated', backend, event.updated);
  };
  return { emit, sent, notifier };
}

const ALL = { tools: {}, prompts: {}, resources: {} };

describe('the host notifier', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it.each<{
    name: string;
    advertised?: Record<string, unknown>;
    hostLevel?: string;
    events: Event[];
    sent: string[];
  }>([
    {
      name: 'announces a burst of tool changes once',
      events: [{ change: { tools: 't1' } }, { change: { tools: 't2' } }, { change: { tools: 't3' } }],
      sent: ['notifications/tools/list_changed'],
    },
    {
      name: 'announces each kind that changed',
      events: [{ change: { tools: 't1', prompts: 'p1' } }, { change: { resources: 'r1' } }],
      sent: [
        'notifications/tools/list_changed',
        'notifications/prompts/list_changed',
        'notifications/resources/list_changed',
      ],
    },
    {
      name: 'says nothing of prompts and resources the host was not told of',
      advertised: { tools: {} },
      events: [{ change: { prompts: 'p1', resources: 'r1' } }],
      sent: [],
    },
    {
      name: 'announces every kind again after a reload renamed them',
      events: [{ reconfigured: {}, renamed: true }],
      sent: [
        'notifications/tools/list_changed',
        'notifications/prompts/list_changed',
        'notifications/resources/list_changed',
      ],
    },
    {
      name: 'says nothing after a reload that changed nothing',
      events: [{ reconfigured: {}, renamed: false }],
      sent: [],
    },
    {
      name: 'passes backend log messages at or above the host level only',
      hostLevel: 'warning',
      events: [{ log: 'info' }, { log: 'warning' }, { log: 'error' }],
      sent: ['notifications/message:warning', 'notifications/message:error'],
    },
    {
      name: 'passes updates of subscribed resources only',
      events: [{ updated: 'file:///other' }, { updated: 'file:///watched' }],
      sent: ['notifications/resources/updated:file:///watched'],
    },
  ])('$name', ({ advertised, hostLevel, events, sent: expected }) => {
    const { emit, sent } = setUp({ advertised: advertised ?? ALL, hostLevel });
    for (const event of events) emit(event);
    vi.advanceTimersByTime(25);
    const seen = sent.map((n) =>
      n.method === 'notifications/message'
        ? `${n.method}:${String(n.params?.level)}`
        : n.method === 'notifications/resources/updated'
          ? `${n.method}:${String(n.params?.uri)}`
          : n.method,
    );
    expect(seen).toEqual(expected);
  });

  it('tells a host nothing before it said initialized, then what changed meanwhile', () => {
    const { emit, sent, notifier } = setUp({ advertised: ALL, initialized: false });
    emit({ change: { tools: 't1' } });
    emit({ log: 'error' });
    vi.advanceTimersByTime(25);
    expect(sent).toEqual([]);
    notifier.hostInitialized();
    vi.advanceTimersByTime(25);
    expect(sent.map((n) => n.method)).toEqual(['notifications/tools/list_changed']);
  });

  it('names the backend in the logger of its log messages', () => {
    const { emit, sent } = setUp({ advertised: ALL });
    emit({ log: 'info' });
    expect(sent).toEqual([
      { method: 'notifications/message', params: { level: 'info', data: 'x', logger: 'fs' } },
    ]);
  });
});
