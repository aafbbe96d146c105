/**
 * The first stage of the host pipeline, there from the first byte: `serve` answers `initialize` before
 * the SDK and the backends have loaded (src/aggregator/identity.ts is SDK-free). The answer carries what
 * the backends offer, so it waits for `connect` (the rest of the pipeline) and for the aggregator's
 * answer; whatever the host sends meanwhile is kept and handed on in order after that answer.
 * `initialize` itself ends here: what the host said of itself (capabilities, clientInfo) is kept here for
 * the rest of mcp-sentinel, and the SDK server, which needs none of it, never sees it (host-server.ts).
 */
import type {
  ClientCapabilities,
  Implementation,
  JSONRPCMessage,
  RequestId,
} from '@modelcontextprotocol/server';
import type { Deliver } from './stages.js';

export interface Downstream {
  /** The `initialize` result for the protocol version the host asked for. */
  answer(protocolVersion: unknown): Promise<Record<string, unknown>>;
  /** `initialize` was answered before the pipeline existed (the warm start): what `answer` does but send. */
  answeredEarly(): void;
  /** The rest of the pipeline. */
  deliver: Deliver;
}

export interface EarlyInitialize {
  /** Where the host transport hands every message. */
  receive: Deliver;
  /** Settles once `connect` was called. */
  connected: Promise<void>;
  /** The rest of the pipeline exists: held messages go on once `initialize` (if any) is answered. */
  connect(downstream: Downstream): void;
  /** Whether a message now would only be held: the rest of the pipeline is not there, nothing waits. */
  beforeConnect(): boolean;
  /**
   * A message an earlier stage answered already (the warm start): kept for the rest of the pipeline like
   * the others (but `initialize`), so that it stands where it would had it answered everything itself.
   */
  answered(message: JSONRPCMessage): void;
  /** What the host said it can do in `initialize` (undefined before it said anything). */
  clientCapabilities(): ClientCapabilities | undefined;
  /** Who the host said it is in `initialize` (undefined before it said anything). */
  clientInfo(): Implementation | undefined;
}

type InitializeParams = {
  capabilities?: ClientCapabilities;
  clientInfo?: Implementation;
  protocolVersion?: unknown;
};

export function createEarlyInitialize(send: (message: JSONRPCMessage) => Promise<void>): EarlyInitialize {
  let downstream: Downstream | undefined;
  let connected: () => void;
  const up = new Promise<void>((resolve) => (connected = resolve));
  let said: InitializeParams | undefined;
  const waiting: JSONRPCMessage[] = [];
  /** True while `initialize` waits for its answer: what the host sends meanwhile waits too. */
  let holding = false;
  let answeredEarly = false;
  const release = () => {
    holding = false;
    if (downstream) for (const message of waiting.splice(0)) downstream.deliver(message);
  };
  const answer = async (id: RequestId, protocolVersion: unknown) => {
    await up;
    const result = await downstream!.answer(protocolVersion);
    await send({ jsonrpc: '2.0', id, result } as JSONRPCMessage);
  };
  return {
    receive(message) {
      if ('method' in message && message.method === 'initialize' && 'id' in message && !holding) {
        said = (message.params as InitializeParams | undefined) ?? {};
        holding = true;
        void answer(message.id, said.protocolVersion).finally(release);
        return;
      }
      if (downstream && !holding) downstream.deliver(message);
      else waiting.push(message);
    },
    connect(next) {
      downstream = next;
      connected();
      if (answeredEarly) next.answeredEarly();
      if (!holding) release();
    },
    beforeConnect: () => !downstream && !holding,
    answered(message) {
      if ('method' in message && message.method === 'initialize') {
        said = (message.params as InitializeParams | undefined) ?? {};
        answeredEarly = true;
        return;
      }
      waiting.push(message);
    },
    connected: up,
    clientCapabilities: () => (said ? (said.capabilities ?? {}) : undefined),
    clientInfo: () => said?.clientInfo,
  };
}
