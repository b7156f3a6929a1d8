import type { ParseOptions } from '../api/types';
import type { SubmitItem } from './service';
import { Poller } from './poller';
import { PollTracker } from './pollTracker';
import { ImportQueue } from './importQueue';
import { InFlightRequests } from './inFlight';
import { QueuePolicy } from './queuePolicy';
import { SubmissionRateLimiter } from './submissionRateLimiter';
import { newTasks, RESUBMIT, type NewTaskInput } from './newTasks';
import { localFile, remoteUrl, sourceOfTask } from './source';
import { Submitter } from './submitter';
import { DocumentGroups } from './documentGroups';
import type { SplitLimits } from '../split/splitPlan';
import { isPolled, type TaskRecord } from './task';
import { TaskUpdates } from './taskUpdates';
import {
  DEFAULT_ENGINE_SETTINGS,
  type EngineDeps,
  type EngineEvent,
  type EngineSettings,
  type FileItem,
  type SubmitRequest,
  type UrlItem,
} from './engineTypes';

export {
  DEFAULT_ENGINE_SETTINGS,
  type EngineDeps,
  type EngineEvent,
  type EngineSettings,
  type FileItem,
  type ResultImporter,
  type SubmitRequest,
  type UrlItem,
} from './engineTypes';

/**
 * Drives documents from submission to an imported result, over the services of EngineDeps: the
 * submitter sends them, one polling loop follows them (the poll tracker runs each round), the
 * import queue brings results in, and the queue policy pauses and backs off. Persisted work is
 * resumed after a restart.
 */
export class ParseEngine {
  private readonly updates: TaskUpdates;
  private readonly inFlight = new InFlightRequests();
  private readonly poller: Poller;
  private readonly policy: QueuePolicy;
  private readonly tracker: PollTracker;
  private readonly imports: ImportQueue;
  private readonly submitter: Submitter;
  private readonly groups: DocumentGroups;
  /** Aborted on dispose: ends waits for a submission slot. */
  private readonly lifetime = new AbortController();

  constructor(private readonly deps: EngineDeps) {
    const settings = (): EngineSettings => this.settings;
    const wake = (): void => this.poller.wake();
    this.updates = new TaskUpdates(deps.store, deps.clock, deps.logger);
    this.policy = new QueuePolicy(this.updates, settings, (waiting) => {
      void this.submitter.resend(waiting).finally(wake);
      wake();
    });
    this.imports = new ImportQueue(this.updates, this.inFlight, deps.importer, deps.services, settings, wake);
    this.tracker = new PollTracker(this.updates, deps.services, this.policy, (id) =>
      this.imports.enqueue(id),
    );
    this.poller = new Poller(() => this.tracker.round(), deps.clock, deps.logger, deps.pollerTuning);
    this.submitter = new Submitter({
      updates: this.updates,
      inFlight: this.inFlight,
      services: deps.services,
      policy: this.policy,
      limiter: new SubmissionRateLimiter(deps.clock, () => this.settings.maxSubmissionsPerMinute ?? 0),
      lifetime: this.lifetime.signal,
      settings,
      applyStatus: (task, status) => void this.tracker.apply(task, status),
      wake,
    });
    this.groups = new DocumentGroups({
      updates: this.updates,
      inFlight: this.inFlight,
      workRoot: deps.workRoot,
      mergeParts: deps.mergeParts,
      nameFor: deps.nameFor,
      newParts: (items, request) => this.newFileTasks(items, request),
      send: async (items) => {
        await this.submitter.send(items, true);
        this.poller.wake();
      },
      retryTask: (id) => this.retryTask(id),
      forget: async (ids) => {
        this.inFlight.abort(ids);
        await this.deps.store.remove(ids);
      },
    });
  }

  private get settings(): EngineSettings {
    return this.deps.settings?.() ?? DEFAULT_ENGINE_SETTINGS;
  }

  onEvent(listener: (event: EngineEvent) => void): { dispose(): void } {
    // A part's own finish is nobody's news: its document's is (merged, or failed naming the part).
    // Otherwise a document of 3 parts reads "4 documents are ready", and Open shows a part.
    return this.updates.onEvent((event) => {
      if (event.kind === 'finished' && event.task.part) return;
      listener(event);
    });
  }

  /** Whether the polling loop has work scheduled (false means idle: no timers, no requests). */
  get polling(): boolean {
    return this.poller.busy;
  }

  setFocused(focused: boolean): void {
    this.poller.setFocused(focused);
  }

  /** Picks up persisted work after a restart: polling resumes, interrupted steps are retried or explained. */
  resume(): void {
    const store = this.deps.store;
    let pausedUntil: { until: number; code: string } | undefined;
    void store.transaction(() => {
      for (const task of store.all()) {
        if (task.parts) continue; // a document in parts: its state comes from its parts
        if (task.paused && (task.state === 'submitting' || isPolled(task))) {
          // Paused by a quota answer before the restart: keep waiting for the same moment.
          if (!pausedUntil || task.paused.until > pausedUntil.until) pausedUntil = task.paused;
        } else if (task.state === 'importing') {
          this.imports.enqueue(task.id);
        } else if (task.state === 'submitting' || (task.state === 'uploading' && !isPolled(task))) {
          // An upload the service does not follow by itself cannot be picked up again.
          this.updates.fail(task.id, {
            phase: task.state === 'submitting' ? 'submit' : 'upload',
            reason: 'task.interrupted',
            message: 'VS Code was closed before this step finished',
            hint: 'Retry to submit the document again',
            retryable: true,
          });
        }
      }
    });
    this.groups.resume();
    if (pausedUntil) this.policy.restore(pausedUntil);
    if (store.all().some(isPolled)) this.poller.wake();
  }

  /** Whether the queue is paused by a quota answer, and until when. */
  get pausedUntil(): number | undefined {
    return this.policy.until;
  }

  /** Submits URLs as their service plans it (precise: one task for one URL, else batches split at the limit). */
  async submitUrls(items: readonly UrlItem[], request: SubmitRequest): Promise<TaskRecord[]> {
    const sources = items.map((item) => ({ source: remoteUrl(item.url), dataId: item.dataId }));
    const tasks = this.addTasks(sources, request);
    await this.submitter.send(tasks, true);
    this.poller.wake();
    return tasks.map(({ task }) => this.deps.store.get(task.id) ?? task);
  }

  /**
   * Uploads local files (split at the batch limit), or one by one in quick mode. `signal` cancels
   * the upload phase: files not uploaded yet (submitting or uploading) are aborted and forgotten,
   * quietly; files already uploaded go on being parsed.
   */
  async submitFiles(
    items: readonly FileItem[],
    request: SubmitRequest,
    signal?: AbortSignal,
  ): Promise<TaskRecord[]> {
    const sources = items.map((item) => ({
      source: localFile(item.path, item.size, item.name),
      dataId: item.dataId,
    }));
    const tasks = this.addTasks(sources, request).map(({ task }) => task);
    const cancel = (): void => {
      const pending = tasks.filter((t) => {
        const state = this.deps.store.get(t.id)?.state;
        return state === 'submitting' || state === 'uploading';
      });
      void this.remove(pending.map((t) => t.id));
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      await this.submitter.send(
        tasks.map((task, i) => ({ task, source: sources[i]!.source })),
        true,
      );
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    this.poller.wake();
    return tasks.flatMap((t) => this.deps.store.get(t.id) ?? []);
  }

  /**
   * Parses a PDF beyond the service's limits in parts: the document's record (its `parts` set) is
   * added at once, the PDF is split under `limits` into its work folder under EngineDeps.workRoot,
   * the parts are submitted as submitFiles does, and their results are merged into one result in
   * `request.outputDir` once every part is done. Resolves with the document's record.
   */
  submitFileInParts(
    item: FileItem,
    limits: SplitLimits,
    request: SubmitRequest,
    signal?: AbortSignal,
  ): Promise<TaskRecord> {
    return this.groups.submit(item, limits, request, signal);
  }

  /**
   * Same document, same options: re-imports a finished result, or submits again. A part is
   * retried alone; a document in parts retries its failed parts (or its merge).
   */
  async retry(id: string): Promise<void> {
    if (await this.groups.retry(id)) return;
    await this.retryTask(id);
  }

  private async retryTask(id: string): Promise<void> {
    const task = this.deps.store.get(id);
    if (!task || (task.state !== 'failed' && task.state !== 'done')) return;
    this.imports.resetBudget(id);
    if (task.state === 'failed' && task.remoteDone && (task.zipUrl || task.markdownUrl)) {
      this.updates.update(id, { state: 'importing', error: undefined });
      this.imports.enqueue(id);
      return;
    }
    const fresh = this.updates.update(id, RESUBMIT);
    if (!fresh) return;
    await this.submitter.send([{ task: fresh, source: sourceOfTask(fresh.source) }], false);
    this.poller.wake();
  }

  /**
   * Submits a failed (or finished) document again with some options changed, e.g. page ranges
   * after -60005/-60006. Always a new submission, never a re-import of the old result.
   */
  async retryWithOptions(id: string, patch: Partial<ParseOptions>): Promise<void> {
    const task = this.deps.store.get(id);
    if (!task || (task.state !== 'failed' && task.state !== 'done')) return;
    const options: ParseOptions = { ...task.options };
    for (const [key, value] of Object.entries(patch) as [keyof ParseOptions, unknown][]) {
      if (value === undefined || value === '') delete options[key];
      else (options as Record<string, unknown>)[key] = value;
    }
    this.updates.update(id, { options, remoteDone: undefined, zipUrl: undefined, markdownUrl: undefined });
    await this.retry(id);
  }

  /**
   * Stops tracking: aborts whatever is in flight for these tasks and forgets them. A document in
   * parts goes with its parts and its work folder (a part stands for its document).
   */
  async remove(ids: readonly string[]): Promise<void> {
    await this.groups.remove(ids);
  }

  async clearFinished(): Promise<void> {
    const ids = this.deps.store
      .all()
      .filter((t) => !t.part && (t.state === 'done' || t.state === 'failed'))
      .map((t) => t.id);
    await this.remove(ids);
  }

  /** Polls now (the Refresh button); a paused queue is tried again at once. */
  refresh(): void {
    if (this.policy.paused) {
      this.policy.resume();
      return;
    }
    if (this.deps.store.all().some(isPolled)) this.poller.pollNow();
  }

  /** Resolves when no import, split or merge is queued or running (tests and the benchmark wait on it). */
  async idle(): Promise<void> {
    await this.imports.idle();
    await this.groups.idle();
  }

  /** Deletes work folders of documents in parts that are no longer in the store (resume runs it). */
  sweepWorkRoot(): Promise<number> {
    return this.groups.sweep();
  }

  dispose(): void {
    this.groups.dispose();
    this.tracker.dispose();
    this.imports.dispose();
    this.lifetime.abort();
    this.policy.dispose();
    this.poller.dispose();
    this.inFlight.abortAll();
    this.updates.clearListeners();
  }

  /** New records for local files (not stored). */
  private newFileTasks(items: readonly FileItem[], request: SubmitRequest): SubmitItem[] {
    return this.newRecords(
      items.map((item) => ({ source: localFile(item.path, item.size, item.name), dataId: item.dataId })),
      request,
    );
  }

  /** New task records for a submission, stored at once (state `submitting`). */
  private addTasks(inputs: readonly NewTaskInput[], request: SubmitRequest): SubmitItem[] {
    const items = this.newRecords(inputs, request);
    void this.deps.store.add(items.map((i) => i.task));
    return items;
  }

  private newRecords(inputs: readonly NewTaskInput[], request: SubmitRequest): SubmitItem[] {
    return newTasks(inputs, request, {
      service: this.deps.services[request.mode],
      now: this.deps.clock.now(),
      template: request.dataIdTemplate ?? this.settings.dataIdTemplate,
      nameFor: this.deps.nameFor,
    });
  }
}
