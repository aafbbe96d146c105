/**
 * What the aggregator needs of the host side it answers through: an end connected to a Transport, the
 * notifications toward the host and the backends' requests to it. `serve` uses the pipeline's own end
 * (pipeline/host-peer.ts); the CLI's try commands the SDK server (host-server.ts). Types only: importing
 * this module loads no SDK.
 */
import type { Transport } from '@modelcontextprotocol/server';
import type { BackendManager } from '../backends/manager.js';
import type { RequestRouter } from './router.js';

export interface HostEnd {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
  /** `notifications/tools/list_changed` to the host (sign-in changes the list). */
  sendToolListChanged(): Promise<void>;
}

export interface HostServer {
  server: HostEnd;
  /** Sends a notification to the host; a failure to send is not the caller's problem. */
  notify(method: string, params?: Record<string, unknown>): void;
  /** Sends a request of a backend to the host, with the host's answer as result. */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
}

/** Builds the host side of one aggregator; `onInitialized` runs on the host's `notifications/initialized`. */
export type HostServerFactory = (
  router: RequestRouter,
  manager: BackendManager,
  onInitialized: () => void,
) => HostServer;
