/**
 * One request of a 2026-07-28 host as the gateway keeps it while the 2025-era server behind it answers:
 * under which id it runs there, which host request (the original, then each retry) waits for its answer,
 * what the host declared on it, and the backend requests (elicitation, sampling, roots) it has led to.
 */
export type RequestId = string | number;

/** A request of the 2025-era server toward the host, which the gateway answers. */
export interface ReverseRequest {
  /** The id the 2025-era server gave it. */
  id: RequestId;
  /** `keyOf(id)`. */
  key: string;
  method: string;
  params?: Record<string, unknown>;
}

export interface Exchange {
  /** The id the request runs under at the 2025-era server. */
  internalId: string;
  /** The host request waiting for the answer; undefined while the host has an `input_required` to retry. */
  hostId: RequestId | undefined;
  method: string;
  capabilities: Record<string, unknown>;
  logLevel?: string;
  /** Backend requests not yet put to the host. */
  queued: ReverseRequest[];
  /** Backend requests put to the host in the last `input_required`, by their `inputRequests` key. */
  asked: Map<string, ReverseRequest>;
  /** Backend requests the host did not declare the capability for: refused when the round is answered. */
  held: ReverseRequest[];
  /** How many inputs were asked so far (names are unique within an exchange). */
  asks: number;
  /** The `requestState` of the last `input_required`. */
  state?: string;
  /** The final answer, when it came while the host had yet to retry. */
  final?: Record<string, unknown>;
  /** The host request failed (it could take none of the inputs asked): the final answer is dropped. */
  abandoned?: boolean;
  gather?: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
  expiresAfterMs: number;
}

export const keyOf = (id: RequestId): string => `${typeof id}:${String(id)}`;

const LOG_SEVERITY = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** Whether a request in flight asked for log messages of this level (`_meta` logLevel). */
export function wantsLog(exchanges: Iterable<Exchange>, level: unknown): boolean {
  const severity = LOG_SEVERITY.indexOf(typeof level === 'string' ? level : 'emergency');
  for (const exchange of exchanges)
    if (exchange.logLevel && severity >= LOG_SEVERITY.indexOf(exchange.logLevel)) return true;
  return false;
}
