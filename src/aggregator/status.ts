/**
 * What the host can see of mcp-sentinel itself: each backend's state (ready, starting, idle until first
 * use, restarting, down, disabled, needing credentials or sign-in) and the next step, as the resource
 * `sentinel://status` (JSON) and the tool `sentinel__status` (the same, in lines a model can relay).
 *
 * Other features add to it without editing this file: `board.addSection(name, provider)` adds a top-level
 * section (sign-in state, cache state, host surface...), `board.addBackendFields(provider)` adds fields to
 * each backend's entry. Providers return plain JSON data and never a secret value.
 */
import type { Backend } from '../backends/backend.js';
import type { BackendManager } from '../backends/manager.js';
import { isStdioServer } from '../config/types.js';
import { redact } from '../log.js';
import type { OwnRegistry } from './own-tools.js';

export const STATUS_URI = 'sentinel://status';
export const STATUS_TOOL = 'sentinel__status';

export interface BackendStatus {
  name: string;
  state: string;
  transport: string;
  tools: number;
  /** Why it is not ready, when it is not. */
  reason?: string;
  /** What to do about it. */
  next?: string;
  [field: string]: unknown;
}

export interface StatusBoard {
  addSection(name: string, provider: () => unknown): void;
  addBackendFields(provider: (backend: Backend) => Record<string, unknown> | undefined): void;
  report(): Record<string, unknown>;
}

function transportOf(backend: Backend): string {
  return isStdioServer(backend.config)
    ? 'stdio'
    : backend.config.type === 'http'
      ? 'streamable-http'
      : backend.config.type;
}

/** One backend's state in words, with the next step. */
export function backendStatus(backend: Backend): BackendStatus {
  const base = {
    name: backend.name,
    state: backend.state,
    transport: transportOf(backend),
    tools: backend.lists.tools.length,
  };
  const error = backend.error;
  switch (backend.state) {
    case 'ready':
      return base;
    case 'idle':
      return {
        ...base,
        reason: 'not started yet: it starts on its first request',
        next: 'call one of its tools',
      };
    case 'starting':
      return { ...base, reason: 'starting', next: 'try again in a moment' };
    case 'disabled':
      return {
        ...base,
        reason: 'disabled in the config',
        next: `remove "disabled": true from mcpServers.${backend.name}`,
      };
    default: {
      const needsSignIn = error?.code.startsWith('AUTH_') || error?.code === 'REF_UNRESOLVED';
      return {
        ...base,
        state: needsSignIn ? 'needs-credentials' : backend.state,
        reason: error
          ? redact(error.message)
          : backend.state === 'restarting'
            ? 'being restarted'
            : backend.state,
        next: error?.hint ? redact(error.hint) : 'run `mcp-sentinel doctor` on this machine for details',
      };
    }
  }
}

/** The status as lines, for the tool's text. */
export function renderStatus(report: Record<string, unknown>): string {
  const backends = (report.backends ?? []) as BackendStatus[];
  const ready = backends.filter((b) => b.state === 'ready').length;
  const lines = [`${ready} of ${backends.length} backends ready`];
  for (const b of backends) {
    const tools = b.state === 'ready' ? `, ${b.tools} tools` : '';
    lines.push(
      `- ${b.name} (${b.transport}): ${b.state}${tools}${b.reason ? `: ${b.reason}` : ''}${b.next ? ` → ${b.next}` : ''}`,
    );
  }
  const config = report.config as { problem?: string } | undefined;
  if (config?.problem) lines.push(`config: the last edit was not applied: ${config.problem}`);
  return lines.join('\n');
}

export function createStatusBoard(manager: BackendManager): StatusBoard {
  const sections = new Map<string, () => unknown>();
  const fields: ((backend: Backend) => Record<string, unknown> | undefined)[] = [];
  return {
    addSection: (name, provider) => void sections.set(name, provider),
    addBackendFields: (provider) => void fields.push(provider),
    report() {
      const status = manager.configStatus;
      const report: Record<string, unknown> = {
        backends: manager.backends.map((backend) =>
          Object.assign(backendStatus(backend), ...fields.map((field) => field(backend) ?? {})),
        ),
        config: {
          ...(status.path ? { path: status.path } : {}),
          ...(status.appliedAt ? { appliedAt: status.appliedAt } : {}),
          ...(status.problem ? { problem: redact(status.problem.message) } : {}),
        },
      };
      for (const [name, provider] of sections) report[name] = provider();
      return report;
    },
  };
}

/** How resources/list shows the status resource (also answered from the manifests: warm-answers.ts). */
export const STATUS_RESOURCE = {
  uri: STATUS_URI,
  name: 'mcp-sentinel status',
  description:
    'Each backend mcp-sentinel serves: ready, starting, down or needing credentials, and the next step',
  mimeType: 'application/json',
} as const;

/** Defines the status resource and tool in the registry. */
export function registerStatus(own: OwnRegistry, board: StatusBoard, manager: BackendManager): void {
  own.defineResource({
    list: () => [STATUS_RESOURCE],
    matches: (uri) => uri === STATUS_URI,
    read: async () => ({
      contents: [
        { uri: STATUS_URI, mimeType: 'application/json', text: JSON.stringify(board.report(), null, 2) },
      ],
    }),
  });
  own.defineTool({
    // Listed while a backend is down, so that the model can find out why its tools are missing; the
    // resource is always there, and the tool can always be called.
    listed: () => manager.backends.some((b) => b.state === 'failed' || b.state === 'restarting'),
    definition: {
      name: STATUS_TOOL,
      description:
        "mcp-sentinel's backends: which are ready, starting, down or need credentials, and what to do next. Use it when a tool is missing or fails.",
      inputSchema: { type: 'object', properties: {} },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    call: async () => {
      const report = board.report();
      return { content: [{ type: 'text', text: renderStatus(report) }], structuredContent: report };
    },
  });
}
