import type { TransferProgress } from '../api/types';
import type { SerializedError } from '../errors';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { EngineEvent } from './engineTypes';
import type { TaskRecord } from './task';
import type { TaskStore } from './taskStore';

const PROGRESS_INTERVAL_MS = 250;

/** Writes task records (stamped with the clock) and tells the engine's listeners what happened. */
export class TaskUpdates {
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  constructor(
    readonly store: TaskStore,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {}

  onEvent(listener: (event: EngineEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`Event listener failed: ${String(error)}`);
      }
    }
  }

  clearListeners(): void {
    this.listeners.clear();
  }

  update(id: string, patch: Partial<TaskRecord>): TaskRecord | undefined {
    return this.store.update(id, patch, this.clock.now());
  }

  fail(id: string, error: SerializedError): void {
    const task = this.update(id, {
      state: 'failed',
      error,
      transfer: undefined,
      pollProblem: undefined,
      finishedAt: this.clock.now(),
    });
    if (task) {
      this.logger.error(
        `"${task.name}": ${error.phase} failed: ${error.message}${error.traceId ? ` (trace ${error.traceId})` : ''}`,
      );
      this.emit({ kind: 'finished', task });
    }
  }

  /**
   * Byte progress for a task, at most a few updates a second: transfers report every chunk, and
   * each update is a tree refresh and a state write.
   */
  progressReporter(id: string): TransferProgress {
    let last = -Infinity;
    return (done, total) => {
      const now = this.clock.now();
      if (now - last < PROGRESS_INTERVAL_MS && done !== total) return;
      last = now;
      this.update(id, { transfer: { done, ...(total ? { total } : {}) } });
    };
  }
}
