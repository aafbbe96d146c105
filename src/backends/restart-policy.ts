/**
 * When a backend that went down is started again. The supervisor (supervisor.ts) takes any RestartStrategy:
 * the default is exponential backoff with jitter and a cap on restarts per window, so a backend that dies
 * right after every start cannot become a fork storm; `doctor` probes with NEVER_RESTART, so that a
 * failure stays visible as itself and no restart timer outlives it.
 */
import type { RestartSettings } from '../config/types.js';

export interface RestartStrategy {
  /** The delay before the next restart, or undefined for none. */
  next(): number | undefined;
  /** The budget that was spent, for "gave up after ..."; undefined when there is no budget to speak of. */
  limitDescription(): string | undefined;
}

/** One attempt only: the first failure is the backend's final state. */
export const NEVER_RESTART: RestartStrategy = {
  next: () => undefined,
  limitDescription: () => undefined,
};

export class RestartPolicy implements RestartStrategy {
  private attempts: number[] = [];

  constructor(
    private readonly settings: RestartSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next restart, or undefined when the budget for this window is spent. */
  next(): number | undefined {
    const now = this.now();
    this.attempts = this.attempts.filter((t) => now - t < this.settings.windowMs);
    if (this.attempts.length >= this.settings.maxRestarts) return undefined;
    const exponent = this.attempts.length;
    this.attempts.push(now);
    const base = Math.min(this.settings.maxDelayMs, this.settings.initialDelayMs * 2 ** exponent);
    return base / 2 + (this.random() * base) / 2;
  }

  limitDescription(): string {
    return `${this.settings.maxRestarts} restarts in ${Math.round(this.settings.windowMs / 1000)} s`;
  }
}
