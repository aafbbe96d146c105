/**
 * `mcp-sentinel serve`: the stdio MCP server the desktop host launches. stdout carries JSON-RPC only,
 * from the first byte; everything else goes to stderr.
 *
 * Backends start when the host's `initialize` arrives, so that each is told which client capabilities
 * (sampling, elicitation, roots) the host really has. `initialize` itself is answered at once.
 */
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { HostStdioTransport } from '../../aggregator/host-transport.js';
import { createAggregator } from '../../aggregator/server.js';
import { createToolCallFastPath } from '../../aggregator/fast-path.js';
import { log } from '../../log.js';
import { createManager, loadRuntime, type CommonOptions } from '../runtime.js';
import { installShutdown } from '../shutdown.js';

export async function serve(options: CommonOptions): Promise<void> {
  keepStdoutForProtocol();
  const runtime = await loadRuntime(options);
  let hostCapabilities: ClientCapabilities | undefined;
  const aggregatorRef: { current?: ReturnType<typeof createAggregator> } = {};
  const manager = createManager(runtime, {
    capabilities: () => hostCapabilities,
    request: (method, params, signal) => aggregatorRef.current!.host.request(method, params, signal),
  });
  const aggregator = createAggregator(manager, runtime.loaded.settings, log);
  aggregatorRef.current = aggregator;

  const transport = new HostStdioTransport({ log });
  installShutdown({
    close: async (why) => {
      // Stop taking requests, answer the ones in flight, then take every backend's process tree down.
      transport.stopReading();
      transport.failPending(`mcp-sentinel is shutting down (${why}); the request was not completed`);
      await transport.flush();
      await manager.stopAll();
      await aggregator.server.close().catch(() => undefined);
    },
    flush: () => transport.flush(),
  });
  await aggregator.server.connect(transport);

  const handle = transport.onmessage;
  const fastPath = createToolCallFastPath(aggregator.catalog, manager, (message) => transport.send(message));
  transport.onmessage = (message: JSONRPCMessage) => {
    if (fastPath.handle(message)) return;
    if ('method' in message && message.method === 'initialize' && 'id' in message) {
      hostCapabilities =
        (message.params as { capabilities?: ClientCapabilities } | undefined)?.capabilities ?? {};
      handle?.(message);
      setImmediate(() => void manager.startAll());
      return;
    }
    handle?.(message);
  };
  log.debug(`serving ${manager.backends.length} backends from ${runtime.loaded.path}`);
}

/** A dependency that logs with console.log must not corrupt the JSON-RPC stream: send it to stderr. */
function keepStdoutForProtocol(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
