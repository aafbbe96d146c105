/**
 * The table of host request methods mcp-sentinel answers, each to one handler (handlers/*). In `serve` the
 * host pipeline's dispatch stage calls `dispatch` (pipeline/dispatch.ts); without a pipeline (the CLI's try
 * commands) the SDK server does, through its `fallbackRequestHandler`. No handler is registered through
 * the SDK's per-method schemas: params reach the handler as the host sent them, for the backend to judge.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { Params, RequestContext, Result } from './forward.js';
import type { Handler } from './parts.js';

export class RequestRouter {
  private readonly handlers = new Map<string, Handler>();

  /** Adds handlers; a method defined twice is a programming error. */
  define(table: Record<string, Handler>): this {
    for (const [method, handler] of Object.entries(table)) {
      if (this.handlers.has(method)) throw new Error(`request handler for ${method} is defined twice`);
      this.handlers.set(method, handler);
    }
    return this;
  }

  has(method: string): boolean {
    return this.handlers.has(method);
  }

  get methods(): string[] {
    return [...this.handlers.keys()];
  }

  dispatch(method: string, params: Params | undefined, context: RequestContext): Promise<Result> {
    const handler = this.handlers.get(method);
    if (!handler)
      return Promise.reject(new ProtocolError(ProtocolErrorCode.MethodNotFound, 'Method not found'));
    return handler(params ?? {}, context);
  }
}
