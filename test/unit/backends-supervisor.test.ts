/**
 * The backend lifecycle as a state machine, in-process: scripted connection attempts and restart
 * strategies, and the states (and the errors) a user would see in `status` or `doctor`. Generations:
 * whatever an attempt finds out after a newer one began is dropped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SentinelError } from '../../src/errors.js';
import { createLogger, setLogLevel } from '../../src/log.js';
import { NEVER_RESTART, RestartPolicy, type RestartStrategy } from '../../src/backends/restart-policy.js';
import { Supervisor, type Attempt } from '../../src/backends/supervisor.js';
import type { BackendState } from '../../src/backends/types.js';

type Step = 'ok' | 'fail' | 'permanent' | 'hang';

interface Machine {
  supervisor: Supervisor;
  /** Every state the hooks were told of, in order. */
  states: BackendState[];
  attempts: Attempt[];
  disconnects: number;
  /** Settles the attempt that is hanging. */
  release(outcome: 'ok' | 'fail'): void;
}

function machine(script: Step[], strategy: RestartStrategy = backoff(), disabled = false): Machine {
  let release: (outcome: 'ok' | 'fail') => void = () => undefined;
  const m: Machine = {
    states: [],
    attempts: [],
    disconnects: 0,
    release: (o: 'ok' | 'fail') => release(o),
  } as unknown as Machine;
  m.supervisor = new Supervisor(
    'fx',
    strategy,
    {
      connect: async (attempt) => {
        m.attempts.push(attempt);
        const step = script.shift() ?? 'ok';
        if (step === 'hang')
          await new Promise<void>((resolve, reject) => {
            release = (o) => (o === 'ok' ? resolve() : reject(new SentinelError('BACKEND_CONNECT', 'late')));
          });
        if (step === 'fail')
          throw new SentinelError('BACKEND_CONNECT', 'backend "fx" could not connect: refused');
        if (step === 'permanent')
          throw new SentinelError('BACKEND_SPAWN', 'command "fx" was not found', { permanent: true });
      },
      disconnect: async () => {
        m.disconnects++;
      },
      changed: (state) => m.states.push(state),
    },
    createLogger('test'),
    disabled,
  );
  return m;
}

/** Restarts after 10 ms, at most `max` in the window. */
function backoff(max = 3): RestartStrategy {
  return new RestartPolicy(
    { maxRestarts: max, windowMs: 60_000, initialDelayMs: 10, maxDelayMs: 10 },
    Date.now,
    () => 1,
  );
}

interface Case {
  name: string;
  script: Step[];
  strategy?: RestartStrategy;
  disabled?: boolean;
  run(m: Machine): Promise<void>;
  states: BackendState[];
  final: BackendState;
  error?: { code: string; message: string | RegExp };
}

const settle = () => vi.advanceTimersByTimeAsync(100);

const cases: Case[] = [
  {
    name: 'a start that connects is ready',
    script: ['ok'],
    run: (m) => m.supervisor.start(),
    states: ['ready'],
    final: 'ready',
  },
  {
    name: 'a failed start is restarted after the strategy’s delay',
    script: ['fail', 'ok'],
    run: async (m) => {
      await m.supervisor.start();
      await settle();
    },
    states: ['restarting', 'ready'],
    final: 'ready',
  },
  {
    name: 'a permanent failure is final at once, as itself',
    script: ['permanent'],
    run: (m) => m.supervisor.start(),
    states: ['failed'],
    final: 'failed',
    error: { code: 'BACKEND_SPAWN', message: 'command "fx" was not found' },
  },
  {
    name: 'with NEVER_RESTART the first failure is final, as itself',
    script: ['fail', 'ok'],
    strategy: NEVER_RESTART,
    run: async (m) => {
      await m.supervisor.start();
      await settle();
    },
    states: ['failed'],
    final: 'failed',
    error: { code: 'BACKEND_CONNECT', message: 'backend "fx" could not connect: refused' },
  },
  {
    name: 'when the restart budget is spent it gives up, saying after how many',
    script: ['fail', 'fail', 'ok'],
    strategy: backoff(1),
    run: async (m) => {
      await m.supervisor.start();
      await settle();
    },
    states: ['restarting', 'failed'],
    final: 'failed',
    error: { code: 'BACKEND_FAILED', message: /^backend "fx" gave up after 1 restarts in 60 s: .*refused$/ },
  },
  {
    name: 'a ready backend whose connection is lost restarts',
    script: ['ok', 'ok'],
    run: async (m) => {
      await m.supervisor.start();
      m.supervisor.lost(new SentinelError('BACKEND_DOWN', 'backend "fx" exited with code 1'));
      await settle();
    },
    states: ['ready', 'restarting', 'ready'],
    final: 'ready',
  },
  {
    name: 'a stop during a connect drops what that connect finds out',
    script: ['hang'],
    run: async (m) => {
      const started = m.supervisor.start();
      await vi.advanceTimersByTimeAsync(0);
      m.supervisor.stop();
      expect(m.attempts[0]!.signal.aborted).toBe(true);
      m.release('ok');
      await started;
    },
    states: [],
    final: 'stopped',
  },
  {
    name: 'a failure of a superseded attempt changes nothing',
    script: ['hang'],
    run: async (m) => {
      const started = m.supervisor.start();
      await vi.advanceTimersByTimeAsync(0);
      m.supervisor.begin();
      m.release('fail');
      await started;
    },
    states: [],
    final: 'starting',
  },
  {
    name: 'seeded, it is idle; the first use starts it; the idle timeout stops it again',
    script: ['ok'],
    run: async (m) => {
      m.supervisor.seed(() => undefined);
      await m.supervisor.wake();
      await m.supervisor.sleep();
    },
    states: ['idle', 'ready', 'idle'],
    final: 'idle',
  },
  {
    name: 'a failed backend connects again when asked (after a sign-in)',
    script: ['permanent', 'ok'],
    run: async (m) => {
      await m.supervisor.start();
      await m.supervisor.reconnect();
    },
    states: ['failed', 'starting', 'ready'],
    final: 'ready',
  },
  {
    name: 'a disabled backend never starts',
    script: ['ok'],
    disabled: true,
    run: (m) => m.supervisor.start(),
    states: [],
    final: 'disabled',
    error: { code: 'BACKEND_DISABLED', message: 'backend "fx" is disabled in the config' },
  },
];

describe('the backend lifecycle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setLogLevel('silent');
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('$name', async (c) => {
    const m = machine([...c.script], c.strategy, c.disabled);
    await c.run(m);
    expect(m.states).toEqual(c.states);
    expect(m.supervisor.state).toBe(c.final);
    if (c.error) {
      expect(m.supervisor.error?.code).toBe(c.error.code);
      expect(m.supervisor.error?.message).toMatch(c.error.message);
    } else if (c.final !== 'stopped') {
      expect(m.supervisor.error).toBeUndefined();
    }
  });

  it('closes the connection of a failed attempt before restarting', async () => {
    const m = machine(['fail', 'ok']);
    await m.supervisor.start();
    expect(m.disconnects).toBe(1);
    m.supervisor.stop();
  });
});
