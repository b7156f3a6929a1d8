import { LINK_EXPIRED, MinerUError } from '../errors';
import type { ServiceSet } from './service';
import { isAbortError } from '../util/clock';
import type { EngineSettings, ResultImporter } from './engineTypes';
import type { InFlightRequests } from './inFlight';
import type { ImportSummary } from './task';
import { toSerialized } from './taskErrors';
import type { TaskUpdates } from './taskUpdates';

/**
 * Finished results waiting to be brought into the workspace, at most `importConcurrency` at
 * once. An expired result link is refreshed by polling again, up to `maxLinkRefreshes` times.
 */
export class ImportQueue {
  private readonly queue: string[] = [];
  private running = 0;
  private readonly linkRefreshes = new Map<string, number>();
  private disposed = false;
  /** Callers of idle() waiting for the queue to drain. */
  private drained: (() => void)[] = [];

  constructor(
    private readonly updates: TaskUpdates,
    private readonly inFlight: InFlightRequests,
    private readonly importer: ResultImporter,
    private readonly services: ServiceSet,
    private readonly settings: () => EngineSettings,
    /** The task needs a fresh link: poll again. */
    private readonly wake: () => void,
  ) {}

  enqueue(id: string): void {
    if (this.queue.includes(id) || this.inFlight.has(id)) return;
    this.queue.push(id);
    this.pump();
  }

  /** A retried task starts with the full link-refresh budget. */
  resetBudget(id: string): void {
    this.linkRefreshes.delete(id);
  }

  /**
   * Resolves when no import is queued or running (after dispose: when none is running, as the
   * queued ones never start). Waits on the last import's end; it does not poll.
   */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.settle();
  }

  private isIdle(): boolean {
    return this.running === 0 && (this.queue.length === 0 || this.disposed);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.drained;
    this.drained = [];
    for (const resolve of waiters) resolve();
  }

  private pump(): void {
    while (!this.disposed && this.running < this.settings().importConcurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.running++;
      void this.run(id).finally(() => {
        this.running--;
        this.pump();
        this.settle();
      });
    }
  }

  private async run(id: string): Promise<void> {
    const { store, clock } = this.updates;
    const task = store.get(id);
    if (!task || task.state !== 'importing') return;
    const controller = this.inFlight.track(id);
    const onProgress = this.updates.progressReporter(id);
    try {
      let summary: ImportSummary;
      if (task.zipUrl)
        summary = await this.importer.importZip(task, task.zipUrl, controller.signal, onProgress);
      else if (task.markdownUrl)
        summary = await this.importer.importMarkdown(task, task.markdownUrl, controller.signal, onProgress);
      else if (task.remote) {
        // Resumed without a link (or the link expired): poll again for a fresh one.
        this.updates.update(id, { state: 'converting', remoteDone: undefined });
        this.wake();
        return;
      } else
        throw new MinerUError({
          phase: 'download',
          reason: 'task.noResultLink',
          message: 'the service gave no result link',
          retryable: true,
        });
      if (!store.get(id)) return; // removed meanwhile
      const done = this.updates.update(id, {
        state: 'done',
        result: summary,
        transfer: undefined,
        remoteDone: undefined,
        finishedAt: clock.now(),
      });
      this.linkRefreshes.delete(id);
      if (done) this.updates.emit({ kind: 'finished', task: done });
    } catch (error) {
      if (isAbortError(error) || !store.get(id)) return;
      const err = toSerialized('download', error);
      const refreshes = this.linkRefreshes.get(id) ?? 0;
      if (
        err.code === LINK_EXPIRED &&
        task.remote &&
        this.services[task.mode].refreshesExpiredLinks &&
        refreshes < this.settings().maxLinkRefreshes
      ) {
        // An expired CDN link: ask the service again, which hands out a fresh link.
        this.linkRefreshes.set(id, refreshes + 1);
        this.updates.logger.info(`The result link of "${task.name}" expired; polling for a fresh one.`);
        this.updates.update(id, {
          state: 'converting',
          remoteDone: undefined,
          zipUrl: undefined,
          transfer: undefined,
        });
        this.wake();
        return;
      }
      this.updates.fail(id, err);
    } finally {
      this.inFlight.untrack(id, controller);
    }
  }
}
