/**
 * The failures of a remote backend's SDK transport as types, so errors.ts and failure-text.ts classify by
 * type and HTTP status instead of matching the SDK's wording. Two of them the SDK reports as plain Errors
 * with the facts only in their text, so they are made here, where they happen: a POST of the SSE transport
 * that got an error status (our fetch throws PostStatusError before the SDK words it), and the Streamable
 * HTTP transport giving up reopening its event stream (our reconnection scheduler decides when, and says
 * so with EventStreamGaveUp).
 */
import {
  SdkHttpError,
  SseError,
  type FetchLike,
  type StreamableHTTPClientTransportOptions,
} from '@modelcontextprotocol/client';
import { MAX_RETRY_MS } from './http-channel/event-lines.js';

/** A POST of the SSE transport that the server answered with an error status. */
export class PostStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    // The SDK's own words for it, so logs and doctor read as before.
    super(`Error POSTing to endpoint (HTTP ${status})${body ? `: ${body}` : ''}`);
    this.name = 'PostStatusError';
  }
}

/** The Streamable HTTP transport's event stream could not be reopened: the server is most likely gone. */
export class EventStreamGaveUp extends Error {
  constructor(readonly attempts: number) {
    super(`its event stream could not be reopened after ${attempts} attempts`);
    this.name = 'EventStreamGaveUp';
  }
}

/** The HTTP status an SDK transport failed with, if it was one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof SdkHttpError || error instanceof PostStatusError) return error.status;
  if (error instanceof SseError) return error.code;
  return undefined;
}

/** The SSE transport's fetch for its POSTs: an error status becomes a PostStatusError. */
export function typedPostFailures(fetch: FetchLike): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (response.ok || (init?.method ?? 'GET').toUpperCase() !== 'POST') return response;
    // http-guard.ts has already cut the body down to a one-line summary.
    throw new PostStatusError(response.status, await response.text().catch(() => ''));
  };
}

/** How often the event stream is reopened before giving up (the SDK's default). */
const REOPEN_ATTEMPTS = 2;

/**
 * The Streamable HTTP transport's reconnection with the SDK's delays (1 s growing ×1.5 up to 30 s, or the
 * server's `retry:`, taken up to 30 s), where the give-up is ours: `gaveUp` gets an EventStreamGaveUp
 * instead of the SDK's untyped "Maximum reconnection attempts" error, which it then never emits (its own
 * limit is never hit).
 */
export function reconnection(
  gaveUp: (error: EventStreamGaveUp) => void,
): Pick<StreamableHTTPClientTransportOptions, 'reconnectionOptions' | 'reconnectionScheduler'> {
  return {
    reconnectionOptions: {
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 30_000,
      reconnectionDelayGrowFactor: 1.5,
      maxRetries: Number.MAX_SAFE_INTEGER,
    },
    reconnectionScheduler: (reconnect, delay, attempt) => {
      if (attempt >= REOPEN_ATTEMPTS) return void gaveUp(new EventStreamGaveUp(attempt));
      // The SDK takes a server's `retry:` as it is: it is taken up to 30 s here, as everywhere else.
      const timer = setTimeout(reconnect, Math.min(delay, MAX_RETRY_MS));
      return () => clearTimeout(timer);
    },
  };
}
