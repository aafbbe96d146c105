/**
 * `mcp-sentinel serve`: the stdio MCP server the desktop host launches. stdout carries JSON-RPC only,
 * from the first byte; everything else goes to stderr.
 *
 * Startup order, for a host that is waiting: the config and `.env` are read and checked first (a bad one
 * exits 2 with nothing on stdout); the SDK and the backend layer load while the host sends `initialize`.
 * Backends start when `initialize` has arrived, so each is told which client capabilities (sampling,
 * elicitation, roots) the host really has; `initialize` is answered (src/aggregator/identity.ts) once they
 * have settled (at most settings.startupTimeoutMs, the bound of the first tools/list anyway), because the
 * answer carries what they offer: their capabilities and their instructions. Messages that arrive
 * meanwhile are kept and handed to the SDK server in order after that answer (it sees `initialize` too;
 * its own answer is dropped by the transport as a duplicate).
 *
 * The warm start (../warm-start.ts): when every backend would start lazily and has a cached manifest,
 * `initialize` and the lists are answered from the manifests at once, and the SDK and the backend layer
 * load only after that (this path must import neither zod, Ajv, the SDK nor the backend layer).
 */
import type { ClientCapabilities, JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Advertised } from '../../aggregator/advertised.js';
import { HostStdioTransport } from '../../aggregator/host-transport.js';
import { initializeResult, SERVER_INFO } from '../../aggregator/identity.js';
import { ModernHostGateway } from '../../aggregator/modern-host/index.js';
import { loadConfig } from '../../config/load.js';
import { log } from '../../log.js';
import { describeError } from '../../errors.js';
import { loadEnvironment } from '../../refs/env.js';
import { createSecretStore } from '../../secrets/index.js';
import type { CommonOptions, Runtime } from '../runtime.js';
import { installShutdown } from '../shutdown.js';
import { findWarmStart } from '../warm-start.js';

function waitingLine(configPath: string): string {
  return `mcp-sentinel is serving ${configPath} on stdio and waiting for a host (an MCP client such as Claude Desktop) to connect; to try it by hand run "mcp-sentinel tools" or "mcp-sentinel doctor"; Ctrl-C stops it\n`;
}

export async function serve(options: CommonOptions): Promise<void> {
  const loaded = await loadConfig({ config: options.config });
  const env = await loadEnvironment({ configPath: loaded.path, envFile: options.envFile });
  // Started by hand on a terminal, not by a host: say what it is doing instead of seeming to hang.
  if (process.stdin.isTTY) process.stderr.write(waitingLine(loaded.path));
  const secrets = createSecretStore({ env });
  const warm = await findWarmStart(loaded, env, secrets, log);
  /** True once `initialize` was answered from the manifests (the warm start). */
  let answeredEarly = false;

  const stalled: { shutdown?: (why: string) => void } = {};
  const transport = new HostStdioTransport({
    log,
    stallTimeoutMs: loaded.settings.hostStallTimeoutMs,
    onStalled: () => stalled.shutdown?.('the host stopped reading its output'),
  });
  let hostCapabilities: ClientCapabilities | undefined;
  /** Filled in once the SDK server and the backends exist. */
  const ready: {
    deliver?: (message: JSONRPCMessage) => void;
    startBackends?: () => void;
    advertised?: () => Promise<Advertised>;
  } = {};
  let setUp!: () => void;
  const up = new Promise<void>((resolve) => (setUp = resolve));
  const waiting: JSONRPCMessage[] = [];
  /** True while `initialize` waits for its answer: what the host sends meanwhile waits too. */
  let holding = false;
  const release = () => {
    holding = false;
    if (ready.deliver) for (const message of waiting.splice(0)) ready.deliver(message);
  };
  const answerInitialize = async (id: RequestId, protocolVersion: unknown) => {
    await up;
    setImmediate(ready.startBackends!);
    const advertised = await ready.advertised!().catch((error: unknown) => {
      log.warn(`answering initialize with the default capabilities: ${describeError(error)}`);
      return undefined;
    });
    await transport.send({
      jsonrpc: '2.0',
      id,
      result: initializeResult(protocolVersion, advertised),
    } as JSONRPCMessage);
  };
  // A host that speaks the 2026-07-28 revision (no initialize) is served through the gateway.
  const modern = new ModernHostGateway({
    sendToHost: (message) => transport.send(message as JSONRPCMessage),
    deliver: (message) => ready.deliver!(message as JSONRPCMessage),
    discover: () => ready.advertised!(),
    serverInfo: SERVER_INFO,
    retryWindowMs: loaded.settings.requestTimeoutMs,
    log,
  });
  modern.onFirstRequest = (capabilities) => {
    hostCapabilities = capabilities;
    void up.then(() => setImmediate(ready.startBackends!));
  };
  const onMessage = (message: JSONRPCMessage) => {
    if (modern.takes(message as never)) {
      warm?.load(); // the gateway answers through the full server
      void up.then(() => modern.receive(message as never));
      return;
    }
    if (warm && !ready.deliver && !holding && warm.handle(message, (m) => transport.send(m as never))) {
      if ('method' in message && message.method === 'initialize') {
        hostCapabilities =
          (message.params as { capabilities?: ClientCapabilities } | undefined)?.capabilities ?? {};
        answeredEarly = true;
      }
      waiting.push(message); // for the full server too, once it is up
      return;
    }
    if ('method' in message && message.method === 'initialize' && 'id' in message && !holding) {
      const params = message.params as
        { capabilities?: ClientCapabilities; protocolVersion?: unknown } | undefined;
      hostCapabilities = params?.capabilities ?? {};
      holding = true;
      waiting.push(message);
      void answerInitialize(message.id, params?.protocolVersion).finally(release);
      return;
    }
    if (ready.deliver && !holding) ready.deliver(message);
    else waiting.push(message);
  };
  transport.onmessage = onMessage;

  let close: () => Promise<void> = async () => undefined;
  let closing = false;
  stalled.shutdown = installShutdown({
    close: async (why) => {
      closing = true;
      // Stop taking requests, answer the ones in flight, then take every backend's process tree down.
      transport.stopReading();
      transport.failPending(`mcp-sentinel is shutting down (${why}); the request was not completed`);
      await transport.flush();
      await close();
    },
    flush: () => transport.flush(),
  });
  await transport.start();
  if (warm) await warm.needed;

  const [
    { createAggregator },
    { createToolCallFastPath },
    { createManager },
    { createManifestStore },
    { manifestDir },
    { watchConfig },
    { createSignInCoordinator },
    { GatewayTransport },
    { primedStore },
  ] = await Promise.all([
    import('../../aggregator/server.js'),
    import('../../aggregator/fast-path.js'),
    import('../runtime.js'),
    import('../../backends/manifest/store.js'),
    import('../../backends/manifest/cache-dir.js'),
    import('../config-reload.js'),
    import('../../aggregator/sign-in.js'),
    import('../../aggregator/modern-host/transport.js'),
    import('../../backends/manifest/warm-set.js'),
  ]);
  if (closing) return; // the host left during the warm start: nothing was started
  const runtime: Runtime = { loaded, env, secrets };
  const aggregatorRef: { current?: ReturnType<typeof createAggregator> } = {};
  const manifests = primedStore(createManifestStore(manifestDir(), log.child('cache')), warm?.backends);
  const hostBridge = {
    capabilities: () => hostCapabilities,
    request: (method: string, params: Record<string, unknown> | undefined, signal: AbortSignal) =>
      aggregatorRef.current!.host.request(method, params, signal),
  };
  const signIn = createSignInCoordinator({ log, host: hostBridge });
  runtime.onSignIn = signIn.onSignIn;
  const manager = createManager(runtime, hostBridge, undefined, { manifests });
  const aggregator = createAggregator(manager, loaded.settings, log);
  signIn.attach(aggregator, manager);
  aggregatorRef.current = aggregator;
  const stopWatching = watchConfig({ runtime, envFile: options.envFile, manager, host: hostBridge });
  close = async () => {
    stopWatching();
    await manager.stopAll();
    await aggregator.server.close().catch(() => undefined);
  };

  // Protocol.connect() chains any handler already set; take ours off so the SDK's is the bare dispatcher.
  // (connect() only awaits the already-started transport: no message can arrive in between.)
  transport.onmessage = undefined;
  const serverSide = new GatewayTransport(transport, modern);
  await aggregator.server.connect(serverSide);
  const sdk = serverSide.onmessage!;
  const fastPath = createToolCallFastPath(
    aggregator.catalog,
    manager,
    (message) => serverSide.send(message),
    aggregator.recordResult,
    aggregator.finishToolResult,
  );
  transport.onmessage = onMessage;
  const deliver = (message: JSONRPCMessage) => {
    if (!fastPath.handle(message)) sdk(message);
  };
  const startBackends = () => void manager.startAll();
  Object.assign(ready, { deliver, startBackends, advertised: aggregator.advertised });
  setUp();
  if (answeredEarly) {
    // As answerInitialize does: the backends start (seeded from the manifests), and the capabilities the
    // host was told of are noted, for the list changes it may be sent.
    startBackends();
    void aggregator.advertised().catch(() => undefined);
  }
  if (!holding) release();
  log.debug(`serving ${manager.backends.length} backends from ${loaded.path}`);
}
