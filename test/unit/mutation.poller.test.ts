/**
 * Tests written from the surviving mutants of src/core/tasks/poller.ts (npm run mutation): the
 * exact delay sequences (growth, halving on progress, the error backoff and both of its caps, the
 * unfocused factor and its cap), re-runs requested during a round, idling, and disposal.
 */
import * as assert from 'node:assert/strict';
import { Poller, type PollerTuning, type RoundOutcome } from '../../src/core/tasks/poller';
import type { Logger } from '../../src/core/util/logger';
import { silentLogger } from '../../src/core/util/logger';
import { FakeClock, settle } from './helpers/fakeClock';

const outcome = (o: Partial<RoundOutcome> = {}): RoundOutcome => ({
  active: true,
  progressed: false,
  failed: false,
  ...o,
});

/** Runs `rounds` rounds whose outcomes come from `next`, and returns every delay that was scheduled. */
async function delaysOf(
  tuning: PollerTuning,
  next: (n: number) => RoundOutcome,
  rounds: number,
  focused = true,
): Promise<number[]> {
  const clock = new FakeClock();
  let n = 0;
  const poller = new Poller(
    () => {
      n++;
      return Promise.resolve(next(n));
    },
    clock,
    silentLogger,
    tuning,
  );
  poller.setFocused(focused);
  poller.wake();
  while (n < rounds) await clock.tick(1_000_000);
  poller.dispose();
  return clock.delays.slice(0, rounds + 1);
}

describe('mutation: poller', () => {
  it('errors double the wait per failed round, at most 2^5 times', async () => {
    const tuning = { minIntervalMs: 1000, growth: 1, maxIntervalMs: 1e9, unfocusedFactor: 2 };
    const d = await delaysOf(tuning, () => outcome({ failed: true }), 8);
    assert.deepEqual(d, [1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000, 32000]);
  });

  it('the error backoff is capped at four times the longest interval, and a success ends it', async () => {
    const tuning = { minIntervalMs: 1000, growth: 1, maxIntervalMs: 5000, unfocusedFactor: 2 };
    const d = await delaysOf(tuning, (n) => outcome({ failed: n <= 6 }), 8);
    assert.deepEqual(d, [1000, 2000, 4000, 8000, 16000, 20000, 20000, 1000, 1000]);
  });

  it('progress halves the interval down to the minimum; no progress grows it up to the cap', async () => {
    const tuning = { minIntervalMs: 1000, growth: 2, maxIntervalMs: 8000, unfocusedFactor: 2 };
    const d = await delaysOf(tuning, (n) => outcome({ progressed: n > 4 }), 8);
    assert.deepEqual(d, [1000, 2000, 4000, 8000, 8000, 4000, 2000, 1000, 1000]);
  });

  it('unfocused: the wait is multiplied, capped at the longest interval times the factor', async () => {
    const tuning = { minIntervalMs: 1000, growth: 2, maxIntervalMs: 4000, unfocusedFactor: 3 };
    assert.deepEqual(await delaysOf(tuning, () => outcome(), 3, false), [1000, 6000, 12000, 12000]);
    const failing = await delaysOf(tuning, () => outcome({ failed: true }), 3, false);
    assert.deepEqual(failing, [1000, 12000, 12000, 12000]);
    assert.deepEqual(await delaysOf(tuning, () => outcome(), 3, true), [1000, 2000, 4000, 4000]);
  });

  it('a wake or a refresh during a round runs the next round at once, then the interval resumes', async () => {
    for (const during of ['wake', 'pollNow'] as const) {
      const clock = new FakeClock();
      let rounds = 0;
      const poller: Poller = new Poller(
        () => {
          rounds++;
          if (rounds === 2) poller[during]();
          return Promise.resolve(outcome());
        },
        clock,
        silentLogger,
        { minIntervalMs: 1000, growth: 2, maxIntervalMs: 60000, unfocusedFactor: 2 },
      );
      poller.wake();
      await clock.tick(1000);
      await clock.tick(2000);
      assert.equal(rounds, 3, during);
      await clock.tick(100_000);
      poller.dispose();
      // wake also restarts the interval from the minimum (then it grows once per round); pollNow does not.
      const expectedAfter = during === 'wake' ? [4000, 8000] : [8000, 16000];
      assert.deepEqual(clock.delays.slice(0, 5), [1000, 2000, 0, ...expectedAfter], during);
    }
  });

  it('wake resets the interval to the minimum and replaces a scheduled round', async () => {
    const clock = new FakeClock();
    const poller = new Poller(() => Promise.resolve(outcome()), clock, silentLogger, {
      minIntervalMs: 1000,
      growth: 2,
      maxIntervalMs: 60000,
      unfocusedFactor: 2,
    });
    poller.wake();
    await clock.tick(1000);
    await clock.tick(2000);
    assert.equal(clock.delays.at(-1), 4000, 'the interval grew');
    poller.wake();
    assert.equal(clock.delays.at(-1), 1000, 'wake scheduled the next round at the minimum');
    assert.equal(clock.pending, 1, 'one timer, not two');
    poller.pollNow();
    assert.equal(clock.pending, 1);
    assert.equal(clock.delays.at(-1), 0);
    poller.dispose();
  });

  it('goes idle with the minimum interval when nothing is active', async () => {
    const clock = new FakeClock();
    let n = 0;
    const poller = new Poller(() => Promise.resolve(outcome({ active: ++n < 4 })), clock, silentLogger, {
      minIntervalMs: 1000,
      growth: 2,
      maxIntervalMs: 60000,
      unfocusedFactor: 2,
    });
    assert.equal(poller.busy, false);
    poller.wake();
    assert.equal(poller.busy, true, 'scheduled');
    await clock.tick(1_000_000);
    assert.equal(n, 4);
    assert.equal(poller.busy, false);
    assert.equal(clock.pending, 0);
    poller.wake();
    assert.equal(clock.delays.at(-1), 1000, 'after idling, the next round comes at the minimum');
    poller.dispose();
  });

  it('is busy while a round runs, and schedules nothing when disposed during a round', async () => {
    const clock = new FakeClock();
    let release: (o: RoundOutcome) => void = () => undefined;
    const poller = new Poller(() => new Promise<RoundOutcome>((r) => (release = r)), clock, silentLogger);
    poller.wake();
    await clock.tick(2000);
    assert.equal(clock.pending, 0);
    assert.equal(poller.busy, true, 'running');
    poller.dispose();
    release(outcome());
    await settle();
    assert.equal(clock.pending, 0);
    assert.equal(poller.busy, false);
    poller.wake();
    poller.pollNow();
    assert.equal(clock.pending, 0, 'no timer after dispose');
  });

  it('a round that throws is logged with its message and retried with backoff', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m) => errors.push(m) };
    const poller = new Poller(() => Promise.reject(new Error('socket closed')), clock, logger, {
      minIntervalMs: 1000,
      growth: 1,
      maxIntervalMs: 60000,
      unfocusedFactor: 2,
    });
    poller.wake();
    await clock.tick(1000);
    assert.deepEqual(errors, ['Polling round failed: socket closed']);
    assert.equal(clock.delays.at(-1), 2000);
    // A round may reject with a non-Error value; the log line still shows it.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const poller2 = new Poller(() => Promise.reject('plain'), clock, logger);
    poller2.wake();
    await clock.tick(2000);
    assert.equal(errors.at(-1), 'Polling round failed: plain');
    poller.dispose();
    poller2.dispose();
  });

  it('starts with the minimum interval, and dispose cancels a scheduled round at once', () => {
    const clock = new FakeClock();
    const poller = new Poller(() => Promise.resolve(outcome()), clock, silentLogger, {
      minIntervalMs: 1234,
      growth: 2,
      maxIntervalMs: 60000,
      unfocusedFactor: 2,
    });
    poller.wake();
    assert.equal(clock.pending, 1);
    assert.equal(clock.delays.at(-1), 1234, 'the first round waits the minimum interval');
    poller.dispose();
    assert.equal(clock.pending, 0, 'the timer is cleared, not left to fire');
    assert.equal(poller.busy, false);
  });
});
