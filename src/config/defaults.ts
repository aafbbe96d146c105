/**
 * The default value of every setting, as plain data: the definition (definition.ts) writes them into the
 * JSON Schema, and loading fills them in (load.ts) without importing zod.
 */

/** The hosts whose tool surface mcp-sentinel fits (settings.host, settings.hosts.<host>, `tools --host`). */
export const SURFACE_HOST_IDS = [
  'claude-desktop',
  'claude-code',
  'vscode',
  'copilot-cli',
  'cursor',
  'other',
] as const;

export const DEFAULT_RESTART = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRestarts: 5,
  windowMs: 300_000,
} as const;

export const DEFAULT_SETTINGS = {
  separator: '__',
  maxToolNameLength: 64,
  startupTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 32 * 1024 * 1024,
  hostStallTimeoutMs: 60_000,
  stopGraceMs: 2_000,
  restart: DEFAULT_RESTART,
  start: 'lazy',
  idleTimeoutMs: 0,
} as const;
