/**
 * The aggregator a one-shot command (`tools`, `call`, `resources`, `prompts`) builds from the config: every
 * backend connected as `serve` would, behind the SDK server a host would talk to, with nothing to tell a
 * host about list changes. `serve` builds its own, with its own host pipeline (and never loads the SDK
 * server).
 */
import { createHostServer } from '../aggregator/host-server.js';
import { createAggregator } from '../aggregator/server.js';
import { log } from '../log.js';
import { createManager, loadRuntime, type CommonOptions } from './runtime.js';

export async function localAggregator(options: CommonOptions) {
  const runtime = await loadRuntime(options);
  const manager = createManager(runtime);
  const settings = runtime.loaded.settings;
  const aggregator = createAggregator(manager, settings, log, () => undefined, createHostServer);
  return { manager, settings, aggregator };
}
