import { sleep, type Clock } from '../util/clock';

/**
 * Keeps submission requests within `perMinute()` per sliding minute (0 or less: no limit). Each
 * request takes a slot; when the minute is full, `acquire` waits on the injected clock until the
 * oldest slot leaves the window.
 */
export class SubmissionRateLimiter {
  private readonly stamps: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: () => number,
  ) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const limit = Math.floor(this.perMinute());
      const now = this.clock.now();
      while (this.stamps.length && this.stamps[0]! <= now - 60_000) this.stamps.shift();
      if (!(limit > 0) || this.stamps.length < limit) {
        this.stamps.push(now);
        return;
      }
      await sleep(this.clock, this.stamps[this.stamps.length - limit]! + 60_000 - now, signal);
    }
  }
}
