/**
 * The first stage of the host pipeline, there from the first byte: `serve` answers `initialize` before
 * the SDK and the backends have loaded (src/aggregator/identity.ts is SDK-free). The answer carries what
 * the backends offer, so it waits for `connect` (the rest of the pipeline) and for the aggregator's
 * answer; whatever the host sends meanwhile is kept and handed on in order after that answer. The rest
 * of the pipeline sees `initialize` too (the SDK server learns the client's capabilities from it; its
 * own answer is dropped by the host transport as a second response to one request).
 */
import type { ClientCapabilities, JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
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
   * the others, so that it stands where it would had it answered everything itself.
   */
  answered(message: JSONRPCMessage): void;
  /** What the host said it can do in `initialize` (undefined before it said anything). */
  clientCapabilities(): ClientCapabilities | undefined;
}

export function createEarlyInitialize(send: (message: JSONRPCMessage) => Promise<void>): EarlyInitialize {
  let downstream: Downstream | undefined;
  let connected: () => void;
  const up = new Promise<void>((resolve) => (connected = resolve));
  let capabilities: ClientCapabilities | undefined;
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
        const params = message.params as
          { capabilities?: ClientCapabilities; protocolVersion?: unknown } | undefined;
        capabilities = params?.capabilities ?? {};
        holding = true;
        waiting.push(message);
        void answer(message.id, params?.protocolVersion).finally(release);
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
        capabilities =
          (message.params as { capabilities?: ClientCapabilities } | undefined)?.capabilities ?? {};
        answeredEarly = true;
      }
      waiting.push(message);
    },
    connected: up,
    clientCapabilities: () => capabilities,
  };
}
