/**
 * The shape of a doctor report: plain data, the same for the human renderer and `--json` (where it is the
 * stable, documented output). Every check has a status, a one-line reason and, where there is one, a hint
 * that is the next command to run. No field ever holds a secret value, only names and key paths.
 */
import type { Issue } from '../errors.js';
import type { SurfaceSummary } from '../aggregator/surface/summary.js';
import type { HostId } from '../hosts.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  status: Status;
  reason: string;
  hint?: string;
}

export interface NamedCheck extends Check {
  /** Stable identifier of the check, e.g. `command`, `connect`, `tools`. */
  id: string;
}

export interface CredentialFinding {
  path: string;
  secretName: string;
  replacement: string;
}

export interface ConfigSection extends Check {
  /** The file that was used, when one was found. */
  path?: string;
  /** Schema problems with key paths. */
  issues: Issue[];
  servers: number;
  /** Literal credentials in the file, and whether other users can read it. */
  credentials: Check & { findings: CredentialFinding[] };
}

export interface KeychainSection extends Check {
  store: string;
  /** Whether any checked server references a `secret:`. */
  needed: boolean;
}

export interface ReferenceResult extends Check {
  server: string;
  /** Dot path of the value holding the reference. */
  path: string;
  kind: 'env' | 'secret' | 'syntax';
  name?: string;
  /** Where the value comes from when it resolves. */
  source?: 'environment' | 'keychain' | 'default';
}

export interface BackendResult extends Check {
  name: string;
  transport: 'stdio' | 'sse' | 'streamable-http';
  /** The command (stdio) or the URL without its query (remote), as written. */
  target: string;
  checks: NamedCheck[];
  server?: { name: string; version: string };
  protocolVersion?: string;
  counts?: { tools: number; resources: number; resourceTemplates: number; prompts: number };
  /** Milliseconds until the backend was ready or failed. */
  ms?: number;
  /** For remote backends: the auth strategy's own description (names, endpoints, expiry; never a token). */
  auth?: Record<string, unknown>;
  /** The manifest cache for its launch spec, and whether `serve` would start it lazily (doctor/cache.ts). */
  cache?: {
    cached: boolean;
    writtenAt?: string;
    ageMs?: number;
    tools?: number;
    lazy: boolean;
    reason: string;
  };
}

export interface HostResult extends Check {
  host: HostId;
  displayName: string;
  /** The key the sentinel's entry has in the host's config (`--name`). */
  serverKey: string;
  checks: NamedCheck[];
  /** The tool surface this host would get: surface and why, tools listed, tokens, pinned tools. */
  surface?: SurfaceSummary;
}

export interface Summary {
  ok: number;
  warn: number;
  fail: number;
  skip: number;
  status: 'ok' | 'warn' | 'fail';
  /** 0 nothing failed, 1 something failed, 2 the config could not be used. */
  exitCode: 0 | 1 | 2;
}

export interface DoctorReport {
  /** Bumped only when a field changes meaning or disappears. */
  reportVersion: 1;
  sentinelVersion: string;
  config: ConfigSection;
  keychain: KeychainSection;
  references: ReferenceResult[];
  backends: BackendResult[];
  hosts: HostResult[];
  summary: Summary;
}

const RANK: Record<Status, number> = { skip: 0, ok: 1, warn: 2, fail: 3 };

/** The worst of several statuses (skip < ok < warn < fail). */
export function worst(statuses: Status[], empty: Status = 'ok'): Status {
  return statuses.reduce<Status>(
    (acc, s) => (RANK[s] > RANK[acc] ? s : acc),
    statuses.length ? 'skip' : empty,
  );
}

/** Counts every leaf check once: config, credentials, keychain, each reference, backend and host. */
export function summarize(report: Omit<DoctorReport, 'summary'>, configError: boolean): Summary {
  const statuses: Status[] = [
    report.config.status,
    report.config.credentials.status,
    report.keychain.status,
    ...report.references.map((r) => r.status),
    ...report.backends.map((b) => b.status),
    ...report.hosts.map((h) => h.status),
  ];
  const count = (s: Status) => statuses.filter((x) => x === s).length;
  const fail = count('fail');
  const warn = count('warn');
  return {
    ok: count('ok'),
    warn,
    fail,
    skip: count('skip'),
    status: fail > 0 ? 'fail' : warn > 0 ? 'warn' : 'ok',
    exitCode: configError ? 2 : fail > 0 ? 1 : 0,
  };
}
