// Shared tools of the reliability (fault matrix) tests: a directory snapshot to prove that nothing
// was written outside a result folder, and a clock that real network I/O can be stepped through.
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { FakeClock } from './fakeClock';

/** Every path under `dir` (relative, "/" separators, sorted); directories end with "/". */
export function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => {
      const isDir = statSync(path.join(dir, rel), { throwIfNoEntry: false })?.isDirectory() ?? false;
      return rel.split(path.sep).join('/') + (isDir ? '/' : '');
    })
    .sort();
}

/** Paths in `after` that are not in `before`. */
export function added(before: readonly string[], after: readonly string[]): string[] {
  const seen = new Set(before);
  return after.filter((p) => !seen.has(p));
}

/**
 * A clock for code that mixes timers with real I/O (HTTP to the fake service on loopback): time only
 * moves when the test steps it, and {@link runFor} steps from one timer to the next once the real
 * I/O in between has settled (a timer is pending again). Thus production backoff and polling
 * intervals (seconds to minutes) run in milliseconds, and requests can be counted per fake minute.
 */
export class SteppingClock extends FakeClock {
  constructor() {
    super();
    this.time = 1_800_000_000_000;
  }

  /**
   * Runs `fakeMs` of fake time: waits (real time, up to `settleMs`) until some timer is pending —
   * the I/O started by the previous timer has ended — then jumps to the earliest timer and fires it.
   * `onMinute` is called as each fake minute boundary is crossed (index from 0).
   */
  async runFor(fakeMs: number, onMinute?: (minute: number) => void, settleMs = 5000): Promise<void> {
    const start = this.time;
    const end = start + fakeMs;
    let minute = 0;
    for (;;) {
      const deadline = Date.now() + settleMs;
      while (this.timers.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1));
      }
      // Let a response that is being processed schedule its own timers first.
      await new Promise((r) => setTimeout(r, 2));
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      const at = next && next.at <= end ? next.at : end;
      while (onMinute && start + (minute + 1) * 60_000 <= at) onMinute(minute++);
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}

export const sleepReal = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
