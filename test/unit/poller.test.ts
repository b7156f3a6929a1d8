import * as assert from 'node:assert/strict';
import { Poller, type PollerTuning, type RoundOutcome } from '../../src/core/tasks/poller';
import { silentLogger } from '../../src/core/util/logger';
import { FakeClock } from './helpers/fakeClock';

const TUNING: PollerTuning = { minIntervalMs: 2000, growth: 1.5, maxIntervalMs: 30000, unfocusedFactor: 2 };

describe('Poller', () => {
  it('is idle until woken, and goes idle again when nothing is active', async () => {
    const clock = new FakeClock();
    let rounds = 0;
    let remaining = 3;
    const poller = new Poller(
      () => {
        rounds++;
        remaining--;
        return Promise.resolve({ active: remaining > 0, progressed: false, failed: false });
      },
      clock,
      silentLogger,
      TUNING,
    );
    await clock.tick(60_000);
    assert.equal(rounds, 0, 'no round before work arrives');
    assert.equal(clock.pending, 0, 'no timer while idle');
    poller.wake();
    await clock.tick(10 * 60_000);
    assert.equal(rounds, 3);
    assert.equal(clock.pending, 0, 'idle after the last active round');
    assert.equal(poller.busy, false);
  });

  it('backs off by the growth factor up to the cap while nothing moves', async () => {
    const clock = new FakeClock();
    const poller = new Poller(
      () => Promise.resolve({ active: true, progressed: false, failed: false }),
      clock,
      silentLogger,
      TUNING,
    );
    poller.wake();
    await clock.tick(5 * 60_000);
    poller.dispose();
    // First wait is the minimum, then 3000, 4500, 6750 … capped at 30 s.
    assert.deepEqual(clock.delays.slice(0, 5), [2000, 3000, 4500, 6750, 10125]);
    assert.ok(clock.delays.every((d) => d <= 30000));
    assert.equal(clock.delays.at(-1), 30000);
  });

  it('polls faster again when progress moves', async () => {
    const clock = new FakeClock();
    let n = 0;
    const poller = new Poller(
      () => Promise.resolve({ active: true, progressed: ++n > 6, failed: false }),
      clock,
      silentLogger,
      TUNING,
    );
    poller.wake();
    await clock.tick(200_000);
    poller.dispose();
    const d = clock.delays;
    const peak = Math.max(...d.slice(0, 7));
    assert.ok(d.at(-1)! < peak, `interval shrinks after progress: ${d.join(',')}`);
    assert.equal(d.at(-1), 2000);
  });

  it('backs off exponentially on errors and never overlaps rounds', async () => {
    const clock = new FakeClock();
    let concurrent = 0;
    let maxConcurrent = 0;
    let rounds = 0;
    const poller = new Poller(
      async (): Promise<RoundOutcome> => {
        concurrent++;
        rounds++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setImmediate(r));
        concurrent--;
        throw new Error('network down');
      },
      clock,
      silentLogger,
      TUNING,
    );
    poller.wake();
    poller.pollNow();
    poller.pollNow();
    await clock.tick(10 * 60_000);
    poller.dispose();
    assert.equal(maxConcurrent, 1);
    // Within 10 minutes of constant failure the loop made few requests: backoff, not a storm.
    assert.ok(rounds <= 12, `rounds=${rounds}`);
    assert.ok(
      clock.delays.some((x) => x > 30000),
      'error backoff exceeds the normal cap',
    );
  });

  it('polls less often while the window is unfocused', async () => {
    const clock = new FakeClock();
    const poller = new Poller(
      () => Promise.resolve({ active: true, progressed: false, failed: false }),
      clock,
      silentLogger,
      TUNING,
    );
    poller.setFocused(false);
    poller.wake();
    await clock.tick(2000);
    poller.dispose();
    assert.equal(clock.delays[1], 6000, 'the second wait (3000) doubled while unfocused');
  });

  it('stops all timers on dispose', async () => {
    const clock = new FakeClock();
    let rounds = 0;
    const poller = new Poller(
      () => Promise.resolve({ active: ++rounds < 100, progressed: false, failed: false }),
      clock,
      silentLogger,
      TUNING,
    );
    poller.wake();
    await clock.tick(2000);
    poller.dispose();
    const after = rounds;
    await clock.tick(600_000);
    assert.equal(rounds, after);
    assert.equal(clock.pending, 0);
  });
});
