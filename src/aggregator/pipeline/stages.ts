/**
 * The host's messages pass through a short chain of stages, in order (`serve` wires it: front.ts, then
 * connect.ts): the modern-host gateway takes a 2026-07-28 host; the warm start answers from cached
 * manifests; early-initialize holds everything until `initialize` is answered; the fast path takes the
 * plain tool calls it can route itself; the dispatch stage answers the requests the router has handlers
 * for; the link to the pipeline's end (host-peer.ts) takes the rest. A stage either takes
 * a message or hands it to the next one. No SDK import here: the first stages run before the SDK loads.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

export type Deliver = (message: JSONRPCMessage) => void;

/** Takes `message`, or passes it on with `next`. */
export type Stage = (message: JSONRPCMessage, next: Deliver) => void;

/** The stages in order, ending in `end`, as one Deliver. */
export function composeStages(stages: readonly Stage[], end: Deliver): Deliver {
  return stages.reduceRight<Deliver>((next, stage) => (message) => stage(message, next), end);
}
