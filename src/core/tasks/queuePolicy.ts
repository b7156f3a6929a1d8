import { MinerUError, type SerializedError } from '../errors';
import type { TimerHandle } from '../util/clock';
import type { EngineSettings } from './engineTypes';
import { quotaRetryAt } from './quota';
import type { TaskRecord } from './task';
import type { TaskUpdates } from './taskUpdates';

const RATE_LIMIT_BASE_MS = 30_000;
const MAX_RATE_LIMIT_ATTEMPTS = 6;

/** Which kind of request started a run of pauses. */
type PauseOrigin = 'submit' | 'poll';

/**
 * When the queue holds back: the account-wide pause on a quota or queue-full answer (one timer,
 * a backoff over repeated pauses, told once per episode), and the per-task backoff after HTTP 429
 * from a service that limits per address.
 */
export class QueuePolicy {
  private pause: { until: number; code: string } | undefined;
  private pauseTimer: TimerHandle | undefined;
  /** Pauses in a row without a successful request in between (backoff), and whether the user was told. */
  private streak = 0;
  private announced = false;
  private streakOrigin: PauseOrigin | undefined;
  private readonly rateLimitAttempts = new Map<string, number>();
  private readonly timers = new Set<TimerHandle>();
  private disposed = false;

  constructor(
    private readonly updates: TaskUpdates,
    private readonly settings: () => EngineSettings,
    /** The pause ended: these tasks never reached the service and are sent again. */
    private readonly onResume: (waiting: TaskRecord[]) => void,
  ) {}

  /** Until when the queue is paused, if it is. */
  get until(): number | undefined {
    return this.pause?.until;
  }

  get paused(): boolean {
    return this.pause !== undefined;
  }

  /** A pause persisted before a restart: keep waiting for the same moment, without telling again. */
  restore(pause: { until: number; code: string }): void {
    this.pause = { ...pause };
    this.announced = true;
    this.schedulePauseEnd(pause.until);
  }

  /** While paused, tasks about to be submitted keep their place instead of being sent. */
  hold(tasks: readonly TaskRecord[]): boolean {
    if (!this.pause) return false;
    this.markPaused(tasks.map((t) => t.id));
    return true;
  }

  /** A submission went through: the next pause starts its backoff afresh and is announced again. */
  submitted(): void {
    this.streak = 0;
    this.announced = false;
    this.streakOrigin = undefined;
  }

  /** A poll went through: ends a run of pauses that polling started. */
  polled(): void {
    if (this.streak > 0 && this.pause === undefined && this.streakOrigin === 'poll') this.submitted();
  }

  pauseFor(ids: readonly string[], err: SerializedError, origin: PauseOrigin): void {
    const now = this.updates.clock.now();
    const code = err.code ?? '-60009';
    if (!this.pause) {
      const until = quotaRetryAt(code, now, this.streak);
      this.pause = { until, code };
      this.streakOrigin = origin;
      this.schedulePauseEnd(until);
      this.updates.logger.warn(
        `The service answered ${code} (${err.message}); the queue is paused until ${new Date(until).toISOString()}.`,
      );
      if (!this.announced) {
        this.announced = true;
        this.updates.emit({ kind: 'paused', until, error: err, count: ids.length });
      }
    }
    this.markPaused(ids);
  }

  /** Ends a pause: paused submissions are sent again (grouped as before), polling restarts. */
  resume(): void {
    if (!this.pause || this.disposed) return;
    if (this.pauseTimer !== undefined) this.updates.clock.clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    this.pause = undefined;
    this.streak++;
    const { store } = this.updates;
    const paused = store.all().filter((t) => t.paused);
    void store.transaction(() => {
      for (const t of paused) this.updates.update(t.id, { paused: undefined });
    });
    this.updates.logger.info(`Resuming the paused queue (${paused.length} document(s)).`);
    this.onResume(paused.filter((t) => t.state === 'submitting').map((t) => store.get(t.id) ?? t));
  }

  /**
   * A service limited per address answered HTTP 429: instead of failing, the submission is tried
   * again later with a growing delay (`resend`), and the user is told once through an event.
   */
  backoff(task: TaskRecord, error: unknown, resend: (task: TaskRecord) => void): boolean {
    if (!(error instanceof MinerUError) || error.httpStatus !== 429) return false;
    const attempt = (this.rateLimitAttempts.get(task.id) ?? 0) + 1;
    if (attempt > MAX_RATE_LIMIT_ATTEMPTS) return false;
    this.rateLimitAttempts.set(task.id, attempt);
    const delay = Math.min(
      10 * 60_000,
      (this.settings().rateLimitBaseMs ?? RATE_LIMIT_BASE_MS) * 2 ** (attempt - 1),
    );
    const { clock, store } = this.updates;
    const at = clock.now() + delay;
    const time = new Date(at).toLocaleTimeString();
    const t = this.updates.update(task.id, {
      state: 'submitting',
      error: {
        phase: 'submit',
        reason: 'task.rateLimited',
        params: { time },
        message: 'the quick mode is rate-limited for this network address',
        hint: `Trying again at ${time}`,
        code: 'HTTP_429',
        httpStatus: 429,
        retryable: true,
      },
    });
    if (t) this.updates.emit({ kind: 'rate-limited', task: t, retryAt: at });
    const handle = clock.setTimeout(() => {
      this.timers.delete(handle);
      const current = store.get(task.id);
      if (!current || current.state !== 'submitting' || this.disposed) return;
      resend(current);
    }, delay);
    this.timers.add(handle);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    const { clock } = this.updates;
    if (this.pauseTimer !== undefined) clock.clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    for (const handle of this.timers) clock.clearTimeout(handle);
    this.timers.clear();
  }

  private markPaused(ids: readonly string[]): void {
    const pause = this.pause;
    if (!pause) return;
    void this.updates.store.transaction(() => {
      for (const id of ids)
        this.updates.update(id, { paused: { until: pause.until, code: pause.code }, error: undefined });
    });
  }

  private schedulePauseEnd(until: number): void {
    const { clock } = this.updates;
    if (this.pauseTimer !== undefined) clock.clearTimeout(this.pauseTimer);
    this.pauseTimer = clock.setTimeout(
      () => {
        this.pauseTimer = undefined;
        this.resume();
      },
      Math.max(0, until - clock.now()),
    );
  }
}
