/**
 * The front of the host pipeline, there from the first byte and free of SDK imports: a host that speaks
 * the 2026-07-28 revision (server/discover, per-request `_meta`) is taken by the modern-host gateway
 * (modern-host/); before the rest exists, the warm start answers what the cached manifests can
 * (`early`, src/cli/warm-start.ts); every other message goes to early-initialize. All of them wait for
 * the rest of the pipeline (`connect`); what mcp-sentinel sends the host goes out through `toHost`,
 * which the gateway translates for a modern host and passes on unchanged otherwise.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Logger } from '../../log.js';
import { SERVER_INFO } from '../identity.js';
import { ModernHostGateway } from '../modern-host/index.js';
import type { Advertised } from '../advertised.js';
import { createEarlyInitialize, type Downstream } from './early-initialize.js';
import { composeStages, type Deliver, type Stage } from './stages.js';

/** Answers from cached manifests before the rest of the pipeline has loaded (the warm start). */
export interface EarlyAnswers {
  /** Answers `message` when it can (true), or not (false: it goes on). */
  handle(message: JSONRPCMessage, send: (message: Record<string, unknown>) => Promise<void>): boolean;
  /** Asks for the rest of the pipeline now (for what only it answers). */
  load(): void;
}

export interface HostFrontOptions {
  /** Writes a message to the host (the host transport). */
  send(message: JSONRPCMessage): Promise<void>;
  /** How long a modern host may take to retry an `input_required`. */
  retryWindowMs: number;
  log: Logger;
  early?: EarlyAnswers;
}

export interface FrontDownstream extends Downstream {
  /** What `server/discover` answers: what `initialize` would advertise. */
  discover(): Promise<Advertised>;
  /** Starts the backends (a modern host sends no `initialize` to start them on). */
  startBackends(): void;
}

export interface HostFront {
  receive: Deliver;
  /** Everything mcp-sentinel sends the host, after the first stages. */
  toHost(message: JSONRPCMessage): Promise<void>;
  connect(downstream: FrontDownstream): void;
  /** What the host can take (sampling, elicitation, roots), once it said. */
  clientCapabilities(): Record<string, unknown> | undefined;
  /** Who the host is (`initialize`'s clientInfo, or a modern host's `_meta`), once it said. */
  clientInfo(): Record<string, unknown> | undefined;
}

export function createHostFront(options: HostFrontOptions): HostFront {
  const early = createEarlyInitialize(options.send);
  let downstream: FrontDownstream | undefined;
  let modernCapabilities: Record<string, unknown> | undefined;
  let modernClientInfo: Record<string, unknown> | undefined;
  const modern = new ModernHostGateway({
    sendToHost: (message) => options.send(message as JSONRPCMessage),
    deliver: (message) => downstream!.deliver(message as JSONRPCMessage),
    discover: () => downstream!.discover(),
    serverInfo: SERVER_INFO,
    retryWindowMs: options.retryWindowMs,
    log: options.log,
  });
  modern.onFirstRequest = (capabilities, clientInfo) => {
    modernCapabilities = capabilities;
    modernClientInfo = clientInfo;
    void early.connected.then(() => setImmediate(() => downstream!.startBackends()));
  };
  const { early: answers } = options;
  const modernStage: Stage = (message, next) => {
    if (!modern.takes(message)) return next(message);
    answers?.load(); // the gateway answers through the full server
    void early.connected.then(() => modern.receive(message));
  };
  const warmStage: Stage = (message, next) => {
    const send = (answer: Record<string, unknown>) => options.send(answer as JSONRPCMessage);
    if (answers && early.beforeConnect() && answers.handle(message, send)) early.answered(message);
    else next(message);
  };
  return {
    receive: composeStages([modernStage, warmStage], early.receive),
    toHost: (message) => modern.send(message),
    connect(next) {
      downstream = next;
      early.connect(next);
    },
    clientCapabilities: () => modernCapabilities ?? early.clientCapabilities(),
    clientInfo: () => modernClientInfo ?? early.clientInfo(),
  };
}
