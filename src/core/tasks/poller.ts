import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../util/logger';

/** Tunables of the polling loop; tests shrink them. */
export interface PollerTuning {
  /** First wait after work appears, and the floor when progress moves. */
  minIntervalMs: number;
  /** The interval grows by this factor each round that shows no progress … */
  growth: number;
  /** … up to this cap. */
  maxIntervalMs: number;
  /** Multiplier while the window is unfocused. */
  unfocusedFactor: number;
}

export const DEFAULT_POLLER_TUNING: PollerTuning = {
  minIntervalMs: 2_000,
  growth: 1.5,
  maxIntervalMs: 30_000,
  unfocusedFactor: 2,
};

/** What one round reports back to the loop. */
export interface RoundOutcome {
  /** Whether anything still needs polling after this round. */
  active: boolean;
  /** Whether any document moved (state or pages) in this round. */
  progressed: boolean;
  /** Whether any request of the round failed. */
  failed: boolean;
}

/**
 * One polling loop for all active work. Rounds never overlap (a chained timer, not an interval),
 * the interval adapts (fast at first, backing off to a cap, faster again when progress moves,
 * doubled after errors and while unfocused), and the loop goes idle when nothing is active.
 */
export class Poller {
  private timer: TimerHandle | undefined;
  private running = false;
  private rerun = false;
  private disposed = false;
  private intervalMs: number;
  private errorStreak = 0;
  private focused = true;

  constructor(
    private readonly round: () => Promise<RoundOutcome>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly tuning: PollerTuning = DEFAULT_POLLER_TUNING,
  ) {
    this.intervalMs = tuning.minIntervalMs;
  }

  /** Whether a round is scheduled or running. */
  get busy(): boolean {
    return this.running || this.timer !== undefined;
  }

  /** New work arrived: poll soon, with a fresh (fast) interval. */
  wake(): void {
    if (this.disposed) return;
    this.intervalMs = this.tuning.minIntervalMs;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(this.tuning.minIntervalMs);
  }

  /** Poll right now (the user pressed Refresh), unless a round is already under way. */
  pollNow(): void {
    if (this.disposed) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(0);
  }

  setFocused(focused: boolean): void {
    this.focused = focused;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.disposed || this.running) return;
    this.running = true;
    let outcome: RoundOutcome;
    try {
      outcome = await this.round();
    } catch (error) {
      this.logger.error(`Polling round failed: ${error instanceof Error ? error.message : String(error)}`);
      outcome = { active: true, progressed: false, failed: true };
    } finally {
      this.running = false;
    }
    if (this.disposed) return;
    this.adapt(outcome);
    if (outcome.active || this.rerun) {
      const delay = this.rerun ? 0 : this.nextDelay();
      this.rerun = false;
      this.schedule(delay);
    } else {
      this.intervalMs = this.tuning.minIntervalMs;
      this.logger.debug('Nothing left to poll; the poller is idle.');
    }
  }

  private adapt(outcome: RoundOutcome): void {
    const t = this.tuning;
    if (outcome.failed) {
      this.errorStreak++;
    } else {
      this.errorStreak = 0;
    }
    if (outcome.progressed) {
      this.intervalMs = Math.max(t.minIntervalMs, this.intervalMs / 2);
    } else {
      this.intervalMs = Math.min(t.maxIntervalMs, this.intervalMs * t.growth);
    }
  }

  private nextDelay(): number {
    const t = this.tuning;
    let delay = this.intervalMs;
    // Errors back off exponentially on top of the normal interval (a flaky network or a 5xx storm).
    if (this.errorStreak > 0)
      delay = Math.min(t.maxIntervalMs * 4, delay * 2 ** Math.min(this.errorStreak, 5));
    if (!this.focused) delay = Math.min(t.maxIntervalMs * t.unfocusedFactor, delay * t.unfocusedFactor);
    return Math.round(delay);
  }
}
