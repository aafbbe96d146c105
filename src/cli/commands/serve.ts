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
 * meanwhile are kept and handed on in order after that answer. The host's messages pass through the
 * pipeline of src/aggregator/pipeline/ (modern-host gateway or early-initialize → fast path → dispatch → host-peer,
 * and back through the gateway); this command only wires it to the stdio transport, the backends and
 * the shutdown.
 *
 * The warm start (../warm-start.ts): when every backend would start lazily and has a cached manifest,
 * `initialize` and the lists are answered from the manifests at once, and the SDK and the backend layer
 * load only after that (this path must import neither zod, Ajv, the SDK nor the backend layer).
 */
import { HostStdioTransport } from '../../aggregator/host-transport.js';
import { createHostFront } from '../../aggregator/pipeline/front.js';
import { loadConfig } from '../../config/load.js';
import { log } from '../../log.js';
import { loadEnvironment } from '../../refs/env.js';
import { createSecretStore } from '../../secrets/index.js';
import type { CommonOptions, Runtime } from '../runtime.js';
import { installShutdown } from '../shutdown.js';
import { findWarmStart } from '../warm-start.js';
import { keepYoungGenerationSmall } from '../young-generation.js';

function waitingLine(configPath: string): string {
  return `mcp-sentinel is serving ${configPath} on stdio and waiting for a host (an MCP client such as Claude Desktop) to connect; to try it by hand run "mcp-sentinel tools" or "mcp-sentinel doctor"; Ctrl-C stops it\n`;
}

/** The host's requests in flight are answered (with the reason they were not completed); no more are read. */
async function stopTakingRequests(transport: HostStdioTransport, why: string): Promise<void> {
  transport.stopReading();
  transport.failPending(`mcp-sentinel is shutting down (${why}); the request was not completed`);
  await transport.flush();
}

export async function serve(options: CommonOptions): Promise<void> {
  const youngGeneration = keepYoungGenerationSmall();
  const loaded = await loadConfig({ config: options.config });
  const env = await loadEnvironment({ configPath: loaded.path, envFile: options.envFile });
  // Started by hand on a terminal, not by a host: say what it is doing instead of seeming to hang.
  if (process.stdin.isTTY) process.stderr.write(waitingLine(loaded.path));
  const secrets = createSecretStore({ env });
  const warm = await findWarmStart(loaded, env, secrets, log);

  const stalled: { shutdown?: (why: string) => void } = {};
  const transport = new HostStdioTransport({
    log,
    stallTimeoutMs: loaded.settings.hostStallTimeoutMs,
    onStalled: () => stalled.shutdown?.('the host stopped reading its output'),
  });
  // The front of the host pipeline answers `initialize` (or `server/discover`) once the rest exists.
  const front = createHostFront({
    send: (message) => transport.send(message),
    retryWindowMs: loaded.settings.requestTimeoutMs,
    log,
    early: warm,
  });
  transport.onmessage = front.receive;

  let close: () => Promise<void> = async () => undefined;
  let closing = false;
  stalled.shutdown = installShutdown({
    close: async (why) => {
      closing = true;
      // Stop taking requests, answer the ones in flight, then take every backend's process tree down.
      await stopTakingRequests(transport, why);
      await close();
      // A child the warm start spawned that no backend took yet (backends/prespawn.ts).
      await (await import('../../backends/prespawn.js')).closeOffered();
    },
    flush: () => transport.flush(),
    graceMs: () => loaded.settings.stopGraceMs,
  });
  await transport.start();
  if (warm) await warm.needed;

  const [
    { createAggregator },
    { connectPipeline, createHostPeer },
    { createManager },
    { createManifestStore },
    { manifestDir },
    { watchConfig },
    { createSignInCoordinator },
    { primedStore },
  ] = await Promise.all([
    import('../../aggregator/server.js'),
    import('../../aggregator/pipeline/connect.js'),
    import('../runtime.js'),
    import('../../backends/manifest/store.js'),
    import('../../backends/manifest/cache-dir.js'),
    import('../config-reload.js'),
    import('../../aggregator/sign-in.js'),
    import('../../backends/manifest/warm-set.js'),
  ]);
  if (closing) return; // the host left during the warm start: nothing was started
  const runtime: Runtime = { loaded, env, secrets };
  const aggregatorRef: { current?: ReturnType<typeof createAggregator> } = {};
  const manifests = primedStore(createManifestStore(manifestDir(), log.child('cache')), warm?.backends);
  const hostBridge = {
    capabilities: front.clientCapabilities,
    request: (method: string, params: Record<string, unknown> | undefined, signal: AbortSignal) =>
      aggregatorRef.current!.host.request(method, params, signal),
  };
  const signIn = createSignInCoordinator({ log, host: hostBridge });
  runtime.onSignIn = signIn.onSignIn;
  const manager = createManager(runtime, hostBridge, undefined, { manifests });
  const aggregator = createAggregator(manager, loaded.settings, log, front.clientInfo, createHostPeer);
  signIn.attach(aggregator, manager);
  aggregatorRef.current = aggregator;
  const stopWatching = watchConfig({ runtime, envFile: options.envFile, manager, host: hostBridge });
  close = async () => {
    stopWatching();
    await manager.stopAll();
    await aggregator.server.close().catch(() => undefined);
    await transport.close();
  };

  manager.once('started', youngGeneration.release);
  await connectPipeline(front, aggregator, manager, transport);
  log.debug(`serving ${manager.backends.length} backends from ${loaded.path}`);
}
