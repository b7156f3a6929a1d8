import type { TaskStatus } from '../api/types';
import type { ServiceSet } from './service';
import { isAbortError } from '../util/clock';
import type { RoundOutcome } from './poller';
import { isQuotaCode } from './quota';
import type { QueuePolicy } from './queuePolicy';
import { isPolled, type TaskRecord } from './task';
import { failureFromStatus, isAuthCode, toSerialized } from './taskErrors';
import type { TaskUpdates } from './taskUpdates';

/** How many group polls (batch requests) of one round are in flight at once. */
export const POLL_CONCURRENCY = 4;

/**
 * One polling round over everything the services still work on: one request per group the
 * service names (a batch, a single task, an agent task), statuses applied to the records, and
 * finished results handed to the import queue.
 */
export class PollTracker {
  private disposed = false;
  /** Tasks whose current polling trouble was announced (until an answer clears it). */
  private readonly told = new Set<string>();

  constructor(
    private readonly updates: TaskUpdates,
    private readonly services: ServiceSet,
    private readonly policy: QueuePolicy,
    private readonly enqueueImport: (id: string) => void,
  ) {}

  dispose(): void {
    this.disposed = true;
  }

  async round(): Promise<RoundOutcome> {
    const { store } = this.updates;
    // Paused by a quota answer: no requests until the pause ends (its timer wakes the poller).
    if (this.policy.paused) return { active: false, progressed: false, failed: false };
    const groups = new Map<string, TaskRecord[]>();
    for (const task of store.all()) {
      if (!isPolled(task)) continue;
      const key = `${task.mode}|${this.services[task.mode].pollKey(task.remote!)}`;
      const list = groups.get(key) ?? [];
      list.push(task);
      groups.set(key, list);
    }
    let progressed = false;
    let failed = false;
    // Up to POLL_CONCURRENCY groups in flight at once: the round takes about one request's time
    // instead of one per group. A quota answer stops the round: no request is sent after it, and
    // answers still in flight are dropped (the paused tasks are polled again after the pause).
    const queue = [...groups.values()];
    const pollNext = async (): Promise<void> => {
      for (let tasks = queue.shift(); tasks; tasks = queue.shift()) {
        if (this.disposed || this.policy.paused) return;
        try {
          const statuses = await this.services[tasks[0]!.mode].poll(tasks);
          if (this.disposed || this.policy.paused) return;
          this.policy.polled();
          void store.transaction(() => {
            tasks.forEach((task, i) => {
              const status = statuses[i];
              if (status && this.apply(task, status)) progressed = true;
            });
          });
        } catch (error) {
          if (isAbortError(error)) continue;
          failed = true;
          this.pollFailed(tasks, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, queue.length) }, pollNext));
    return { active: store.all().some(isPolled), progressed, failed };
  }

  /** Applies a status; returns whether anything moved. */
  apply(task: TaskRecord, status: TaskStatus): boolean {
    this.told.delete(task.id); // an answer ends the trouble: a later outage is announced again
    const before = `${task.state}|${task.progress?.extractedPages ?? ''}`;
    if (status.state === 'done') {
      if (task.state === 'importing' || task.remoteDone) return false; // the same result twice is imported once
      this.updates.update(task.id, {
        state: 'importing',
        remoteDone: true,
        ...(task.pollProblem ? { pollProblem: undefined } : {}),
        ...(status.fullZipUrl ? { zipUrl: status.fullZipUrl } : {}),
        ...(status.markdownUrl ? { markdownUrl: status.markdownUrl } : {}),
        ...(task.progress
          ? { progress: { ...task.progress, extractedPages: task.progress.totalPages } }
          : {}),
        ...(status.taskId && task.remote ? { remote: { ...task.remote, taskId: status.taskId } } : {}),
      });
      this.enqueueImport(task.id);
      return true;
    }
    if (status.state === 'failed') {
      this.updates.fail(task.id, status.error ?? failureFromStatus(status, task, this.services[task.mode]));
      return true;
    }
    const patch: Partial<TaskRecord> = { state: status.state };
    if (task.pollProblem) patch.pollProblem = undefined;
    const queued = status.state === 'pending' ? status.queuedAhead : undefined;
    if (queued !== task.queuedAhead) patch.queuedAhead = queued;
    if (status.progress && status.progress.totalPages > 0) {
      patch.progress = {
        extractedPages: status.progress.extractedPages,
        totalPages: status.progress.totalPages,
      };
    }
    if (status.taskId && task.remote && !task.remote.taskId)
      patch.remote = { ...task.remote, taskId: status.taskId };
    const after = `${patch.state}|${patch.progress?.extractedPages ?? task.progress?.extractedPages ?? ''}`;
    if (after === before && !patch.remote && !('queuedAhead' in patch) && !('pollProblem' in patch))
      return false;
    this.updates.update(task.id, patch);
    return true;
  }

  private pollFailed(tasks: TaskRecord[], error: unknown): void {
    const err = toSerialized('poll', error);
    if (isAuthCode(err.code)) {
      this.updates.emit({ kind: 'auth-failed', error: err });
      return; // keep the tasks: they resume once a valid token is set
    }
    if (isQuotaCode(err.code)) {
      const polled = this.updates.store.all().filter(isPolled);
      this.policy.pauseFor(
        polled.map((t) => t.id),
        err,
        'poll',
      );
      return;
    }
    if (err.code === '-60012' || err.code === '-60013') {
      for (const t of tasks) this.updates.fail(t.id, err);
      return;
    }
    this.updates.logger.warn(`Polling failed (${err.message}); will try again with backoff.`);
    // The tasks keep their place; the tree says why they wait at once, and one notification per
    // outage once it lasts a second round (a single dropped poll is not worth a notification).
    const lasting = tasks.filter((t) => t.pollProblem && !this.told.has(t.id));
    for (const t of tasks)
      if (t.pollProblem?.code !== err.code || t.pollProblem?.message !== err.message)
        this.updates.update(t.id, { pollProblem: err });
    if (lasting.length > 0) {
      for (const t of lasting) this.told.add(t.id);
      this.updates.emit({
        kind: 'poll-trouble',
        tasks: lasting.map((t) => this.updates.store.get(t.id) ?? t),
        error: err,
      });
    }
  }
}
