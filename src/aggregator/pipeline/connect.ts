/**
 * Connects an aggregator to the host pipeline: the fast path for plain tool calls, then the SDK server
 * through its link. The host transport keeps owning the wire (exactly one response per request, and the
 * redaction of everything but results: outbound-redaction.ts).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { BackendManager } from '../../backends/manager.js';
import { createToolCallFastPath } from '../fast-path.js';
import type { Aggregator } from '../server.js';
import { SdkLink } from './sdk-link.js';
import { composeStages, type Deliver, type Stage } from './stages.js';
import type { EarlyInitialize } from './early-initialize.js';

export interface HostSide {
  send(message: JSONRPCMessage): Promise<void>;
  /** Called when the host side closes (the SDK server then fails its reverse requests in flight). */
  onclose?: () => void;
}

/** Builds the stages after early-initialize, connects the SDK server to their end and opens the gate. */
export async function connectPipeline(
  early: EarlyInitialize,
  aggregator: Aggregator,
  manager: BackendManager,
  host: HostSide,
): Promise<Deliver> {
  const link = new SdkLink((message) => host.send(message));
  await aggregator.server.connect(link);
  host.onclose = () => void link.close();
  const fastPath = createToolCallFastPath(
    aggregator.catalog,
    manager,
    (message) => host.send(message),
    aggregator.recordResult,
    aggregator.finishToolResult,
  );
  const fastPathStage: Stage = (message, next) => {
    if (!fastPath.handle(message)) next(message);
  };
  const deliver = composeStages([fastPathStage], link.deliver);
  early.connect({ answer: (version) => aggregator.initialize(version), deliver });
  return deliver;
}
