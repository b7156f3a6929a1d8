import type { Clock, TimerHandle } from '../../../src/core/util/clock';

export interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A clock that only moves when the test says so; timers fire in order as time advances. */
export class FakeClock implements Clock {
  protected time = 1_700_000_000_000;
  private nextId = 1;
  protected timers: Timer[] = [];
  /** Every delay passed to setTimeout, in order (tests assert on the polling intervals). */
  readonly delays: number[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.delays.push(ms);
    this.timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== (handle as unknown as number));
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Advances time by `ms`, firing due timers one by one and letting async work settle between them. */
  async tick(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
    await settle();
  }

  /** Fires timers until none is left or `maxMs` of fake time has passed. */
  async runAll(maxMs = 24 * 3600_000): Promise<void> {
    await this.tick(maxMs);
  }
}

/** Lets promise chains and I/O callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
