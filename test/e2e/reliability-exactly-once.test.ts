/**
 * Every host request gets exactly one response, whatever happens, by property over real processes: random
 * sequences of calls (answered, slow, hanging until the timeout, failing, malformed, crashing the backend,
 * unknown), host cancellations and SIGKILLs of backend process groups, all at once against one sentinel.
 * Over Streamable HTTP and SSE the same, without the crashes and kills (the servers there are not the
 * sentinel's to restart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TestHost } from '../helpers/host.js';
import {
  TRANSPORTS,
  behaviourBackend,
  responsesTo,
  sendRawCall,
  sendRawCancel,
  type BackendTransport,
  type BehaviourBackend,
} from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

type Op =
  | { kind: 'call'; backend: 'p' | 'q'; tool: string; delay: number }
  | { kind: 'cancel'; target: number; delay: number }
  | { kind: 'kill'; delay: number };

const delay = fc.integer({ min: 0, max: 40 });
const TOOLS = ['echo', 'echo', 'slow', 'hang', 'fail', 'malformed', 'crash', 'garbage', 'nope'];

function ops(transport: BackendTransport): fc.Arbitrary<Op> {
  const local = transport === 'stdio';
  const call = fc.record({
    kind: fc.constant('call' as const),
    backend: fc.constantFrom('p' as const, 'q' as const),
    tool: fc.constantFrom(...TOOLS.filter((tool) => local || tool !== 'crash')),
    delay,
  });
  const cancel = fc.record({ kind: fc.constant('cancel' as const), target: fc.nat(20), delay });
  const kill = fc.record({ kind: fc.constant('kill' as const), delay });
  return fc.oneof(
    { weight: 6, arbitrary: call },
    { weight: 2, arbitrary: cancel },
    ...(local ? [{ weight: 1, arbitrary: kill }] : []),
  );
}

describe.each(TRANSPORTS)('exactly one response per request (property, %s backends)', (transport) => {
  let host: TestHost;
  let backends: BehaviourBackend[] = [];
  let run = 0;

  beforeAll(async () => {
    backends = await Promise.all(
      ['p', 'q'].map((name) => behaviourBackend(transport, name, {}, { timeoutMs: 500 })),
    );
    host = await TestHost.start({
      config: {
        settings: { restart: { initialDelayMs: 20, maxDelayMs: 100, maxRestarts: 500, windowMs: 60_000 } },
        mcpServers: { p: backends[0]!.entry, q: backends[1]!.entry },
      },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    const closed = await host?.close();
    await Promise.all(backends.map((backend) => backend.close()));
    expect(closed?.leftovers).toEqual([]);
  });

  it('holds for random sequences of calls and faults', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops(transport), { minLength: 1, maxLength: 14 }), async (ops) => {
        run++;
        const ids: string[] = [];
        const cancelled = new Set<string>();
        for (const [i, o] of ops.entries()) {
          await new Promise((resolve) => setTimeout(resolve, o.delay));
          if (o.kind === 'call') {
            const id = `r${run}-${i}`;
            ids.push(id);
            const args = o.tool === 'slow' ? { ms: 100 } : {};
            sendRawCall(host, id, `${o.backend}__${o.tool}`, args);
          } else if (o.kind === 'cancel' && ids.length > 0) {
            const id = ids[o.target % ids.length]!;
            cancelled.add(id);
            sendRawCancel(host, id);
          } else if (o.kind === 'kill') {
            const victim = host.processTree()[0];
            if (victim) {
              try {
                process.kill(-victim, 'SIGKILL');
              } catch {
                // already gone
              }
            }
          }
        }
        const owed = ids.filter((id) => !cancelled.has(id));
        await waitFor(
          'every owed response',
          () => owed.every((id) => responsesTo(host, id).length > 0),
          8_000,
        );
        await new Promise((resolve) => setTimeout(resolve, 150));
        for (const id of owed) expect(responsesTo(host, id), id).toHaveLength(1);
        for (const id of cancelled) expect(responsesTo(host, id).length, id).toBeLessThanOrEqual(1);
      }),
      // Fewer runs over HTTP and SSE, whose cases are a subset of stdio's.
      { numRuns: transport === 'stdio' ? 10 : 6, endOnFailure: true },
    );
    // And the session still serves: both backends answer again once they are back.
    for (const backend of ['p', 'q']) {
      await waitFor(
        `${backend} to answer`,
        async () => {
          const id = `final-${backend}-${Date.now()}`;
          sendRawCall(host, id, `${backend}__echo`, { ok: 1 });
          const response = await waitFor('the final answer', () => responsesTo(host, id)[0], 3_000);
          return JSON.stringify(response.result ?? '').includes(`${backend}/echo`);
        },
        10_000,
      );
    }
    expect(host.nonProtocolStdout()).toEqual([]);
  });
});
