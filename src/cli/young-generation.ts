/**
 * The V8 young generation of a `serve` process, kept at its starting size while it starts.
 *
 * The start of `serve` (loading the SDK's protocol code and wire schemas, starting every backend and
 * reading their lists at once) allocates much that survives: V8 answers that by doubling the young
 * generation's semi-spaces up to 16 MB each, and that memory stays committed for the life of a process
 * that is then mostly idle (about 10 MB of peak RSS with 10 backends). With a growth factor of 1 the
 * semi-spaces keep their starting size and what survives moves on to the old generation, which holds
 * only what is live. Once the backends have started, V8's own growth comes back: a host sending large
 * results through pays no more scavenges than before. Host configs launch `node <cli> serve`, so the
 * command-line `--max-semi-space-size` is out of reach; the growth factor is read each time V8 would grow
 * the space, so it can be set at run time (and only then: on the command line V8 takes a factor below 2
 * as 2 when it sets the heap up). A flag this Node does not know is ignored (V8 prints nothing on
 * stdout). Whoever starts node with a young-generation flag of their own keeps it.
 */
import { setFlagsFromString } from 'node:v8';
import { setCodeCacheVariant } from './chunk-code-cache.js';

const OWN_CHOICE = /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)\b/;
/** V8's default factor, in every Node that mcp-sentinel runs on. */
const V8_DEFAULT_GROWTH = 2;

export interface YoungGeneration {
  /** Whether the factor was set (false: node was started with a young-generation flag). */
  held: boolean;
  /** Gives V8 its own growth back (once the start is over). */
  release(): void;
}

export function keepYoungGenerationSmall(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): YoungGeneration {
  if (execArgv.some((arg) => OWN_CHOICE.test(arg)) || OWN_CHOICE.test(nodeOptions))
    return { held: false, release: () => undefined };
  setFlagsFromString('--semi-space-growth-factor=1');
  setCodeCacheVariant('young-held');
  let released = false;
  return {
    held: true,
    release() {
      if (released) return;
      released = true;
      setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH}`);
      setCodeCacheVariant('');
    },
  };
}
