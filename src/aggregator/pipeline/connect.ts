/**
 * Connects an aggregator to the host pipeline behind its front (front.ts): the fast path for plain tool
 * calls, the dispatch stage for every request the router answers (dispatch.ts), then the pipeline's end
 * through its link (ping, the host's answers to backends' requests, its notifications); all answer
 * through the front's `toHost`. The host transport keeps owning the wire (exactly one response per
 * request, and the redaction of everything but results: outbound-redaction.ts).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { BackendManager } from '../../backends/manager.js';
import { createToolCallFastPath } from '../fast-path.js';
import type { Aggregator } from '../server.js';
import { createDispatchStage } from './dispatch.js';
import { SdkLink } from './sdk-link.js';

export { createHostPeer } from './host-peer.js';
import { composeStages, type Deliver, type Stage } from './stages.js';
import type { HostFront } from './front.js';

/** The host transport as the pipeline needs it. */
export interface HostSide {
  /** Called when the host side closes (the pipeline's end then fails its reverse requests in flight). */
  onclose?: () => void;
}

/** Builds the stages after the front, connects the aggregator's host end (host-peer.ts) to theirs and opens the front. */
export async function connectPipeline(
  front: HostFront,
  aggregator: Aggregator,
  manager: BackendManager,
  host: HostSide,
): Promise<Deliver> {
  const toHost = (message: JSONRPCMessage) => front.toHost(message);
  const link = new SdkLink(toHost);
  await aggregator.server.connect(link);
  const dispatch = createDispatchStage(aggregator.router, toHost);
  host.onclose = () => {
    dispatch.close();
    void link.close();
  };
  const fastPath = createToolCallFastPath(
    aggregator.catalog,
    manager,
    toHost,
    aggregator.recordResult,
    aggregator.finishToolResult,
  );
  const fastPathStage: Stage = (message, next) => {
    if (!fastPath.handle(message)) next(message);
  };
  const deliver = composeStages([fastPathStage, dispatch.stage], link.deliver);
  front.connect({
    answer: (version) => aggregator.initialize(version),
    discover: () => aggregator.advertised(),
    startBackends: () => void manager.startAll(),
    // As `initialize` does: the backends start, and what the host was told is noted for list changes.
    answeredEarly: () => {
      void manager.startAll();
      void aggregator.advertised().catch(() => undefined);
    },
    deliver,
  });
  return deliver;
}
