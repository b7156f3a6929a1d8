import { randomUUID } from 'node:crypto';
import type {
  AgentFileTask,
  AgentOptions,
  BatchStatus,
  FileDocument,
  ParseOptions,
  TaskStatus,
  TransferProgress,
  UploadUrls,
  UrlDocument,
} from '../api/types';
import { taskFailureError } from '../api/errorCodes';
import { LINK_EXPIRED, MinerUError, type Phase, type SerializedError } from '../errors';
import { renderDataId } from '../options/dataId';
import { isAbortError, type Clock, type TimerHandle } from '../util/clock';
import { safeUrl, type Logger } from '../util/logger';
import { Poller, type PollerTuning, type RoundOutcome } from './poller';
import { isQuotaCode, quotaRetryAt, SubmissionRateLimiter } from './quota';
import { isPolled, type ImportSummary, type TaskMode, type TaskRecord, type TaskSource } from './task';
import type { TaskStore } from './taskStore';

/** The part of the API client the engine needs (MinerUClient satisfies it). */
export interface MinerUService {
  submitTask(
    doc: UrlDocument,
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<{ taskId: string; traceId?: string }>;
  getTask(taskId: string, signal?: AbortSignal): Promise<TaskStatus>;
  submitBatch(
    docs: UrlDocument[],
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<{ batchId: string; traceId?: string }>;
  getBatch(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
  requestUploadUrls(
    files: FileDocument[],
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<UploadUrls & { traceId?: string }>;
  uploadFile(
    putUrl: string,
    filePath: string,
    opts: { signal?: AbortSignal; onProgress?: TransferProgress },
  ): Promise<void>;
  agentParseUrl(url: string, options: AgentOptions, signal?: AbortSignal): Promise<{ taskId: string }>;
  agentParseFile(fileName: string, options: AgentOptions, signal?: AbortSignal): Promise<AgentFileTask>;
  agentGetTask(taskId: string, signal?: AbortSignal): Promise<TaskStatus>;
}

/** Brings a finished result into the workspace (download + safe extraction). */
export interface ResultImporter {
  importZip(
    task: TaskRecord,
    zipUrl: string,
    signal: AbortSignal,
    onProgress: TransferProgress,
  ): Promise<ImportSummary>;
  importMarkdown(
    task: TaskRecord,
    markdownUrl: string,
    signal: AbortSignal,
    onProgress: TransferProgress,
  ): Promise<ImportSummary>;
}

export interface EngineSettings {
  /** Documents per batch request; larger selections are split. */
  batchLimit: number;
  /** How many results are downloaded and extracted at once. */
  importConcurrency: number;
  /** How often an expired result link is refreshed by polling again before giving up. */
  maxLinkRefreshes: number;
  /** First wait after the quick mode answers HTTP 429; doubles per attempt. */
  rateLimitBaseMs?: number;
  /** Submission requests (precise API) per sliding minute; 0 or unset: no limit. */
  maxSubmissionsPerMinute?: number;
  /** Default `data_id` template ({name}, {date}, {time}, {index}) for documents without one. */
  dataIdTemplate?: string;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  batchLimit: 50,
  importConcurrency: 2,
  maxLinkRefreshes: 3,
};

export interface EngineDeps {
  service: MinerUService;
  importer: ResultImporter;
  store: TaskStore;
  clock: Clock;
  logger: Logger;
  settings?: () => EngineSettings;
  pollerTuning?: PollerTuning;
  /** Where a new task gets its name, e.g. documentNameFromUrl. */
  nameFor: (source: TaskSource) => string;
}

export interface SubmitRequest {
  outputDir: string;
  options: ParseOptions;
  mode: TaskMode;
  /** This run's `data_id` template; overrides EngineSettings.dataIdTemplate. */
  dataIdTemplate?: string;
}

/** A URL to parse; `dataId` is sent to the service and echoed back. */
export interface UrlItem {
  url: string;
  dataId?: string;
}

/** A local file to upload and parse. */
export interface FileItem {
  path: string;
  size: number;
  /** The name sent to the service; defaults to the file's base name. */
  name?: string;
  dataId?: string;
}

export type EngineEvent =
  | { kind: 'finished'; task: TaskRecord }
  | { kind: 'auth-failed'; error: SerializedError }
  | { kind: 'rate-limited'; task: TaskRecord; retryAt: number }
  /** The queue paused on a quota or queue-full answer; sent once per episode, not per task. */
  | { kind: 'paused'; until: number; error: SerializedError; count: number };

const AUTH_CODES = new Set(['A0202', 'A0211']);
const PROGRESS_INTERVAL_MS = 250;
const RATE_LIMIT_BASE_MS = 30_000;
const MAX_RATE_LIMIT_ATTEMPTS = 6;

/**
 * Drives documents from submission to an imported result: submits (single task, batches split
 * at the limit, uploads, or the agent API), follows them in one polling loop with one request
 * per batch, imports finished results, and resumes all of it after a restart.
 */
export class ParseEngine {
  private readonly poller: Poller;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly importQueue: string[] = [];
  private importsRunning = 0;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly linkRefreshes = new Map<string, number>();
  private readonly rateLimitAttempts = new Map<string, number>();
  private readonly timers = new Set<TimerHandle>();
  private readonly limiter: SubmissionRateLimiter;
  /** Aborted on dispose: ends waits for a submission slot. */
  private readonly lifetime = new AbortController();
  private pause: { until: number; code: string; origin: Phase } | undefined;
  private pauseTimer: TimerHandle | undefined;
  /** Pauses in a row without a successful request in between (backoff), and whether the user was told. */
  private pauseStreak = 0;
  private pauseAnnounced = false;
  private disposed = false;

  constructor(private readonly deps: EngineDeps) {
    this.poller = new Poller(() => this.pollRound(), deps.clock, deps.logger, deps.pollerTuning);
    this.limiter = new SubmissionRateLimiter(deps.clock, () => this.settings.maxSubmissionsPerMinute ?? 0);
  }

  private get settings(): EngineSettings {
    return this.deps.settings?.() ?? DEFAULT_ENGINE_SETTINGS;
  }

  onEvent(listener: (event: EngineEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
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
        if (task.paused && (task.state === 'submitting' || isPolled(task))) {
          // Paused by a quota answer before the restart: keep waiting for the same moment.
          if (!pausedUntil || task.paused.until > pausedUntil.until) pausedUntil = task.paused;
        } else if (task.state === 'importing') {
          this.enqueueImport(task.id);
        } else if (
          task.state === 'submitting' ||
          (task.state === 'uploading' && task.remote?.kind !== 'agent')
        ) {
          this.fail(task.id, {
            phase: task.state === 'submitting' ? 'submit' : 'upload',
            message: 'VS Code was closed before this step finished',
            hint: 'Retry to submit the document again',
            retryable: true,
          });
        }
      }
    });
    if (pausedUntil) {
      this.pause = { ...pausedUntil, origin: 'submit' };
      this.pauseAnnounced = true;
      this.schedulePauseEnd(pausedUntil.until);
    }
    if (store.all().some(isPolled)) this.poller.wake();
  }

  /** Whether the queue is paused by a quota answer, and until when. */
  get pausedUntil(): number | undefined {
    return this.pause?.until;
  }

  /** Submits URLs: one task for a single URL, batch requests split at the batch limit otherwise. */
  async submitUrls(items: readonly UrlItem[], request: SubmitRequest): Promise<TaskRecord[]> {
    const tasks = items.map((item, i) =>
      this.newTask({ kind: 'url', url: item.url }, request, item.dataId, i),
    );
    void this.deps.store.add(tasks);
    if (request.mode === 'quick') {
      await Promise.all(tasks.map((t) => this.submitAgentUrl(t)));
    } else if (tasks.length === 1) {
      await this.submitSingle(tasks[0]!);
    } else {
      for (const chunk of chunks(tasks, this.settings.batchLimit)) await this.submitUrlBatch(chunk);
    }
    this.poller.wake();
    return tasks.map((t) => this.deps.store.get(t.id) ?? t);
  }

  /** Uploads local files through presigned URLs (split at the batch limit), or the agent API in quick mode. */
  /**
   * `signal` cancels the upload phase: files not uploaded yet (submitting or uploading) are
   * aborted and forgotten, quietly; files already uploaded go on being parsed.
   */
  async submitFiles(
    items: readonly FileItem[],
    request: SubmitRequest,
    signal?: AbortSignal,
  ): Promise<TaskRecord[]> {
    const tasks = items.map((item, i) =>
      this.newTask({ kind: 'file', path: item.path, size: item.size }, request, item.dataId, i),
    );
    void this.deps.store.add(tasks);
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
      if (request.mode === 'quick') {
        for (const t of tasks)
          if (this.deps.store.get(t.id)) await this.submitAgentFile(t, items[tasks.indexOf(t)]!);
      } else {
        for (const chunk of chunks(tasks, this.settings.batchLimit)) {
          const live = chunk.filter((t) => this.deps.store.get(t.id));
          if (live.length) await this.submitUploadBatch(live, items, tasks);
        }
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    this.poller.wake();
    return tasks.flatMap((t) => this.deps.store.get(t.id) ?? []);
  }

  /** Same document, same options: re-imports a finished result, or submits again. */
  async retry(id: string): Promise<void> {
    const task = this.deps.store.get(id);
    if (!task || (task.state !== 'failed' && task.state !== 'done')) return;
    this.linkRefreshes.delete(id);
    if (task.state === 'failed' && task.remoteDone && (task.zipUrl || task.markdownUrl)) {
      this.update(id, { state: 'importing', error: undefined });
      this.enqueueImport(id);
      return;
    }
    const fresh = this.update(id, {
      state: 'submitting',
      error: undefined,
      remote: undefined,
      progress: undefined,
      transfer: undefined,
      zipUrl: undefined,
      markdownUrl: undefined,
      remoteDone: undefined,
      result: undefined,
      submittedAt: undefined,
      finishedAt: undefined,
    });
    if (!fresh) return;
    if (fresh.source.kind === 'url') {
      if (fresh.mode === 'quick') await this.submitAgentUrl(fresh);
      else await this.submitSingle(fresh);
    } else {
      const item: FileItem = { path: fresh.source.path, size: fresh.source.size };
      if (fresh.mode === 'quick') await this.submitAgentFile(fresh, item);
      else await this.submitUploadBatch([fresh], [item], [fresh]);
    }
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
    this.update(id, { options, remoteDone: undefined, zipUrl: undefined, markdownUrl: undefined });
    await this.retry(id);
  }

  /** Stops tracking: aborts whatever is in flight for these tasks and forgets them. */
  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      this.inFlight.get(id)?.abort();
      this.inFlight.delete(id);
    }
    await this.deps.store.remove(ids);
  }

  async clearFinished(): Promise<void> {
    const ids = this.deps.store
      .all()
      .filter((t) => t.state === 'done' || t.state === 'failed')
      .map((t) => t.id);
    await this.remove(ids);
  }

  /** Polls now (the Refresh button); a paused queue is tried again at once. */
  refresh(): void {
    if (this.pause) {
      this.resumeQueue();
      return;
    }
    if (this.deps.store.all().some(isPolled)) this.poller.pollNow();
  }

  /** Resolves when no import is queued or running (tests and the benchmark wait on it). */
  async idle(): Promise<void> {
    while (this.importsRunning > 0 || this.importQueue.length > 0) {
      await new Promise((r) => setImmediate(r));
    }
  }

  dispose(): void {
    this.disposed = true;
    this.lifetime.abort();
    if (this.pauseTimer !== undefined) this.deps.clock.clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    this.poller.dispose();
    for (const handle of this.timers) this.deps.clock.clearTimeout(handle);
    this.timers.clear();
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.listeners.clear();
  }

  // ---- submission ------------------------------------------------------------------------

  private newTask(source: TaskSource, request: SubmitRequest, given?: string, index = 0): TaskRecord {
    const now = this.deps.clock.now();
    const name = this.deps.nameFor(source);
    const template = request.dataIdTemplate ?? this.settings.dataIdTemplate;
    const dataId =
      given ??
      (template && request.mode !== 'quick'
        ? renderDataId(template, { name, date: new Date(now), index: index + 1 })
        : undefined);
    return {
      id: randomUUID(),
      name,
      source,
      mode: request.mode,
      options: request.options,
      outputDir: request.outputDir,
      state: 'submitting',
      ...(dataId ? { remote: { kind: request.mode === 'quick' ? 'agent' : 'task', dataId } } : {}),
      createdAt: now,
      updatedAt: now,
    };
  }

  private async submitSingle(task: TaskRecord): Promise<void> {
    if (task.source.kind !== 'url') return;
    const doc: UrlDocument = {
      url: task.source.url,
      ...(task.remote?.dataId ? { dataId: task.remote.dataId } : {}),
    };
    if (this.pausedNow([task])) return;
    try {
      await this.limiter.acquire(this.lifetime.signal);
      const { taskId, traceId } = await this.deps.service.submitTask(doc, task.options);
      this.submitted();
      this.update(task.id, {
        state: 'pending',
        remote: { kind: 'task', taskId, ...(traceId ? { traceId } : {}), ...pickDataId(task) },
        submittedAt: this.deps.clock.now(),
      });
      this.deps.logger.info(`Submitted ${safeUrl(task.source.url)} as task ${taskId}.`);
    } catch (error) {
      if (!isAbortError(error)) this.failFromError([task.id], 'submit', error);
    }
  }

  private async submitUrlBatch(tasks: TaskRecord[]): Promise<void> {
    const docs: UrlDocument[] = tasks.map((t) => ({
      url: (t.source as { url: string }).url,
      ...(t.remote?.dataId ? { dataId: t.remote.dataId } : {}),
    }));
    if (this.pausedNow(tasks)) return;
    try {
      await this.limiter.acquire(this.lifetime.signal);
      const { batchId, traceId } = await this.deps.service.submitBatch(docs, tasks[0]!.options);
      this.submitted();
      const now = this.deps.clock.now();
      void this.deps.store.transaction(() => {
        tasks.forEach((t, index) =>
          this.update(t.id, {
            state: 'pending',
            remote: { kind: 'batch', batchId, index, ...(traceId ? { traceId } : {}), ...pickDataId(t) },
            submittedAt: now,
          }),
        );
      });
      this.deps.logger.info(`Submitted a batch of ${tasks.length} URLs as batch ${batchId}.`);
    } catch (error) {
      if (isAbortError(error)) return;
      this.failFromError(
        tasks.map((t) => t.id),
        'submit',
        error,
      );
    }
  }

  private async submitUploadBatch(
    tasks: TaskRecord[],
    items: readonly FileItem[],
    all: TaskRecord[],
  ): Promise<void> {
    const files: FileDocument[] = tasks.map((t) => {
      const item = items[all.indexOf(t)]!;
      return {
        name: item.name ?? basename(item.path),
        ...(t.remote?.dataId ? { dataId: t.remote.dataId } : {}),
      };
    });
    let urls: UploadUrls & { traceId?: string };
    if (this.pausedNow(tasks)) return;
    try {
      await this.limiter.acquire(this.lifetime.signal);
      urls = await this.deps.service.requestUploadUrls(files, tasks[0]!.options);
      this.submitted();
      if (urls.fileUrls.length !== tasks.length) {
        throw new MinerUError({
          phase: 'submit',
          message: `the service returned ${urls.fileUrls.length} upload links for ${tasks.length} files`,
          hint: 'Retry; if it persists, submit the files one by one',
          retryable: true,
        });
      }
    } catch (error) {
      if (isAbortError(error)) return;
      this.failFromError(
        tasks.map((t) => t.id),
        'submit',
        error,
      );
      return;
    }
    const now = this.deps.clock.now();
    tasks.forEach((t, index) =>
      this.update(t.id, {
        state: 'uploading',
        remote: {
          kind: 'batch',
          batchId: urls.batchId,
          index,
          ...(urls.traceId ? { traceId: urls.traceId } : {}),
          ...pickDataId(t),
        },
        submittedAt: now,
      }),
    );
    for (const [index, t] of tasks.entries()) {
      const current = this.deps.store.get(t.id);
      if (!current || current.source.kind !== 'file') continue;
      const controller = this.track(t.id);
      try {
        await this.deps.service.uploadFile(urls.fileUrls[index]!, current.source.path, {
          signal: controller.signal,
          onProgress: this.progressReporter(t.id),
        });
        this.update(t.id, { state: 'waiting-file', transfer: undefined });
      } catch (error) {
        if (!isAbortError(error)) this.failFromError([t.id], 'upload', error);
      } finally {
        this.untrack(t.id, controller);
      }
    }
  }

  private async submitAgentUrl(task: TaskRecord): Promise<void> {
    if (task.source.kind !== 'url') return;
    try {
      const { taskId } = await this.deps.service.agentParseUrl(task.source.url, agentOptions(task));
      this.update(task.id, {
        state: 'pending',
        remote: { kind: 'agent', taskId },
        submittedAt: this.deps.clock.now(),
        error: undefined,
      });
    } catch (error) {
      if (!this.rescheduleIfRateLimited(task, error)) this.failFromError([task.id], 'submit', error);
    }
  }

  /**
   * The token-free API limits requests per IP (HTTP 429). Instead of failing, the submission is
   * tried again later with a growing delay, and the user is told once through an event.
   */
  private rescheduleIfRateLimited(task: TaskRecord, error: unknown): boolean {
    if (!(error instanceof MinerUError) || error.httpStatus !== 429) return false;
    const attempt = (this.rateLimitAttempts.get(task.id) ?? 0) + 1;
    if (attempt > MAX_RATE_LIMIT_ATTEMPTS) return false;
    this.rateLimitAttempts.set(task.id, attempt);
    const delay = Math.min(
      10 * 60_000,
      (this.settings.rateLimitBaseMs ?? RATE_LIMIT_BASE_MS) * 2 ** (attempt - 1),
    );
    const at = this.deps.clock.now() + delay;
    const t = this.update(task.id, {
      state: 'submitting',
      error: {
        phase: 'submit',
        message: 'the quick mode is rate-limited for this network address',
        hint: `Trying again at ${new Date(at).toLocaleTimeString()}`,
        code: 'HTTP_429',
        httpStatus: 429,
        retryable: true,
      },
    });
    if (t) this.emit({ kind: 'rate-limited', task: t, retryAt: at });
    const handle = this.deps.clock.setTimeout(() => {
      this.timers.delete(handle);
      const current = this.deps.store.get(task.id);
      if (!current || current.state !== 'submitting' || this.disposed) return;
      void (
        current.source.kind === 'url'
          ? this.submitAgentUrl(current)
          : this.submitAgentFile(current, { path: current.source.path, size: current.source.size })
      ).then(() => this.poller.wake());
    }, delay);
    this.timers.add(handle);
    return true;
  }

  private async submitAgentFile(task: TaskRecord, item: FileItem): Promise<void> {
    const controller = this.track(task.id);
    try {
      const { taskId, fileUrl } = await this.deps.service.agentParseFile(
        item.name ?? basename(item.path),
        agentOptions(task),
        controller.signal,
      );
      this.update(task.id, {
        state: 'uploading',
        remote: { kind: 'agent', taskId },
        submittedAt: this.deps.clock.now(),
        error: undefined,
      });
      await this.deps.service.uploadFile(fileUrl, item.path, {
        signal: controller.signal,
        onProgress: this.progressReporter(task.id),
      });
      this.update(task.id, { state: 'waiting-file', transfer: undefined });
    } catch (error) {
      if (!isAbortError(error) && !this.rescheduleIfRateLimited(task, error)) {
        this.failFromError([task.id], 'upload', error);
      }
    } finally {
      this.untrack(task.id, controller);
    }
  }

  // ---- polling ---------------------------------------------------------------------------

  /** One round: one request per batch, per single task and per agent task that is still followed. */
  private async pollRound(): Promise<RoundOutcome> {
    // Paused by a quota answer: no requests until the pause ends (its timer wakes the poller).
    if (this.pause) return { active: false, progressed: false, failed: false };
    const groups = new Map<string, TaskRecord[]>();
    for (const task of this.deps.store.all()) {
      if (!isPolled(task)) continue;
      const r = task.remote!;
      const key = r.kind === 'batch' ? `batch:${r.batchId}` : `${r.kind}:${r.taskId}`;
      const list = groups.get(key) ?? [];
      list.push(task);
      groups.set(key, list);
    }
    let progressed = false;
    let failed = false;
    for (const [key, tasks] of groups) {
      if (this.disposed || this.pause) break;
      try {
        const statuses = await this.fetchGroup(key, tasks);
        if (this.pauseStreak > 0 && this.pause === undefined && this.pauseOrigin === 'poll') this.submitted();
        void this.deps.store.transaction(() => {
          tasks.forEach((task, i) => {
            const status = statuses[i];
            if (status && this.applyStatus(task, status)) progressed = true;
          });
        });
      } catch (error) {
        if (isAbortError(error)) continue;
        failed = true;
        this.handlePollError(tasks, error);
      }
    }
    return { active: this.deps.store.all().some(isPolled), progressed, failed };
  }

  /** Statuses for the group's tasks, in the same order (undefined where the service said nothing yet). */
  private async fetchGroup(key: string, tasks: TaskRecord[]): Promise<(TaskStatus | undefined)[]> {
    const { service } = this.deps;
    const first = tasks[0]!.remote!;
    if (first.kind === 'task') return [await service.getTask(first.taskId!)];
    if (first.kind === 'agent') return [await service.agentGetTask(first.taskId!)];
    const batch = await service.getBatch(first.batchId!);
    this.deps.logger.debug(`Polled ${key}: ${batch.items.length} items.`);
    return tasks.map((task) => matchBatchItem(batch, task));
  }

  /** Applies a status; returns whether anything moved. */
  private applyStatus(task: TaskRecord, status: TaskStatus): boolean {
    const before = `${task.state}|${task.progress?.extractedPages ?? ''}`;
    if (status.state === 'done') {
      if (task.state === 'importing' || task.remoteDone) return false; // the same result twice is imported once
      this.update(task.id, {
        state: 'importing',
        remoteDone: true,
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
      this.fail(task.id, failureFromStatus(status, task));
      return true;
    }
    const patch: Partial<TaskRecord> = { state: status.state };
    if (status.progress && status.progress.totalPages > 0) {
      patch.progress = {
        extractedPages: status.progress.extractedPages,
        totalPages: status.progress.totalPages,
      };
    }
    if (status.taskId && task.remote && !task.remote.taskId)
      patch.remote = { ...task.remote, taskId: status.taskId };
    const after = `${patch.state}|${patch.progress?.extractedPages ?? task.progress?.extractedPages ?? ''}`;
    if (after === before && !patch.remote) return false;
    this.update(task.id, patch);
    return true;
  }

  private handlePollError(tasks: TaskRecord[], error: unknown): void {
    const err = toSerialized('poll', error);
    if (err.code && AUTH_CODES.has(err.code)) {
      this.emit({ kind: 'auth-failed', error: err });
      return; // keep the tasks: they resume once a valid token is set
    }
    if (isQuotaCode(err.code)) {
      this.pauseTasks(
        this.deps.store
          .all()
          .filter(isPolled)
          .map((t) => t.id),
        err,
        'poll',
      );
      return;
    }
    if (err.code === '-60012' || err.code === '-60013') {
      for (const t of tasks) this.fail(t.id, err);
      return;
    }
    this.deps.logger.warn(`Polling failed (${err.message}); will try again with backoff.`);
  }

  // ---- import ----------------------------------------------------------------------------

  private enqueueImport(id: string): void {
    if (this.importQueue.includes(id) || this.inFlight.has(id)) return;
    this.importQueue.push(id);
    this.pumpImports();
  }

  private pumpImports(): void {
    while (
      !this.disposed &&
      this.importsRunning < this.settings.importConcurrency &&
      this.importQueue.length > 0
    ) {
      const id = this.importQueue.shift()!;
      this.importsRunning++;
      void this.runImport(id).finally(() => {
        this.importsRunning--;
        this.pumpImports();
      });
    }
  }

  private async runImport(id: string): Promise<void> {
    const task = this.deps.store.get(id);
    if (!task || task.state !== 'importing') return;
    const controller = this.track(id);
    const onProgress = this.progressReporter(id);
    try {
      let summary: ImportSummary;
      if (task.zipUrl)
        summary = await this.deps.importer.importZip(task, task.zipUrl, controller.signal, onProgress);
      else if (task.markdownUrl)
        summary = await this.deps.importer.importMarkdown(
          task,
          task.markdownUrl,
          controller.signal,
          onProgress,
        );
      else if (task.remote) {
        // Resumed without a link (or the link expired): poll again for a fresh one.
        this.update(id, { state: 'converting', remoteDone: undefined });
        this.poller.wake();
        return;
      } else
        throw new MinerUError({
          phase: 'download',
          message: 'the service gave no result link',
          retryable: true,
        });
      if (!this.deps.store.get(id)) return; // removed meanwhile
      const done = this.update(id, {
        state: 'done',
        result: summary,
        transfer: undefined,
        remoteDone: undefined,
        finishedAt: this.deps.clock.now(),
      });
      this.linkRefreshes.delete(id);
      if (done) this.emit({ kind: 'finished', task: done });
    } catch (error) {
      if (isAbortError(error) || !this.deps.store.get(id)) return;
      const err = toSerialized('download', error);
      const refreshes = this.linkRefreshes.get(id) ?? 0;
      if (
        err.code === LINK_EXPIRED &&
        task.remote &&
        task.remote.kind !== 'agent' &&
        refreshes < this.settings.maxLinkRefreshes
      ) {
        // An expired CDN link: ask the service again, which hands out a fresh link.
        this.linkRefreshes.set(id, refreshes + 1);
        this.deps.logger.info(`The result link of "${task.name}" expired; polling for a fresh one.`);
        this.update(id, {
          state: 'converting',
          remoteDone: undefined,
          zipUrl: undefined,
          transfer: undefined,
        });
        this.poller.wake();
        return;
      }
      this.fail(id, err);
    } finally {
      this.untrack(id, controller);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  private update(id: string, patch: Partial<TaskRecord>): TaskRecord | undefined {
    return this.deps.store.update(id, patch, this.deps.clock.now());
  }

  /**
   * Byte progress for a task, at most a few updates a second: transfers report every chunk, and
   * each update is a tree refresh and a state write.
   */
  private progressReporter(id: string): TransferProgress {
    let last = -Infinity;
    return (done, total) => {
      const now = this.deps.clock.now();
      if (now - last < PROGRESS_INTERVAL_MS && done !== total) return;
      last = now;
      this.update(id, { transfer: { done, ...(total ? { total } : {}) } });
    };
  }

  private fail(id: string, error: SerializedError): void {
    const task = this.update(id, {
      state: 'failed',
      error,
      transfer: undefined,
      finishedAt: this.deps.clock.now(),
    });
    if (task) {
      this.deps.logger.error(
        `"${task.name}": ${error.phase} failed: ${error.message}${error.traceId ? ` (trace ${error.traceId})` : ''}`,
      );
      this.emit({ kind: 'finished', task });
    }
  }

  private failFromError(ids: string[], phase: Phase, error: unknown): void {
    const err = toSerialized(phase, error);
    if (phase === 'submit' && isQuotaCode(err.code)) {
      this.pauseTasks(ids, err, 'submit');
      return;
    }
    if (err.code && AUTH_CODES.has(err.code)) this.emit({ kind: 'auth-failed', error: err });
    void this.deps.store.transaction(() => {
      for (const id of ids) this.fail(id, err);
    });
  }

  // ---- quota pause -----------------------------------------------------------------------

  private pauseOrigin: Phase | undefined;

  /** A request went through: the next pause starts its backoff afresh and is announced again. */
  private submitted(): void {
    this.pauseStreak = 0;
    this.pauseAnnounced = false;
    this.pauseOrigin = undefined;
  }

  /** While paused, tasks about to be submitted keep their place instead of being sent. */
  private pausedNow(tasks: readonly TaskRecord[]): boolean {
    if (!this.pause) return false;
    this.markPaused(tasks.map((t) => t.id));
    return true;
  }

  private pauseTasks(ids: readonly string[], err: SerializedError, origin: Phase): void {
    const now = this.deps.clock.now();
    const code = err.code ?? '-60009';
    if (!this.pause) {
      const until = quotaRetryAt(code, now, this.pauseStreak);
      this.pause = { until, code, origin };
      this.pauseOrigin = origin;
      this.schedulePauseEnd(until);
      this.deps.logger.warn(
        `The service answered ${code} (${err.message}); the queue is paused until ${new Date(until).toISOString()}.`,
      );
      if (!this.pauseAnnounced) {
        this.pauseAnnounced = true;
        this.emit({ kind: 'paused', until, error: err, count: ids.length });
      }
    }
    this.markPaused(ids);
  }

  private markPaused(ids: readonly string[]): void {
    const pause = this.pause;
    if (!pause) return;
    void this.deps.store.transaction(() => {
      for (const id of ids)
        this.update(id, { paused: { until: pause.until, code: pause.code }, error: undefined });
    });
  }

  private schedulePauseEnd(until: number): void {
    if (this.pauseTimer !== undefined) this.deps.clock.clearTimeout(this.pauseTimer);
    this.pauseTimer = this.deps.clock.setTimeout(
      () => {
        this.pauseTimer = undefined;
        this.resumeQueue();
      },
      Math.max(0, until - this.deps.clock.now()),
    );
  }

  /** Ends a pause: paused submissions are sent again (grouped as before), polling restarts. */
  private resumeQueue(): void {
    if (!this.pause || this.disposed) return;
    if (this.pauseTimer !== undefined) this.deps.clock.clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    this.pause = undefined;
    this.pauseStreak++;
    const paused = this.deps.store.all().filter((t) => t.paused);
    void this.deps.store.transaction(() => {
      for (const t of paused) this.update(t.id, { paused: undefined });
    });
    this.deps.logger.info(`Resuming the paused queue (${paused.length} document(s)).`);
    const waiting = paused.filter((t) => t.state === 'submitting').map((t) => this.deps.store.get(t.id) ?? t);
    void this.resubmit(waiting).finally(() => this.poller.wake());
    this.poller.wake();
  }

  /** Sends tasks that never reached the service, in the same grouping a fresh submission would use. */
  private async resubmit(tasks: readonly TaskRecord[]): Promise<void> {
    const groups = new Map<string, TaskRecord[]>();
    for (const t of tasks) {
      const key = `${t.source.kind}|${t.mode}|${t.outputDir}|${JSON.stringify(t.options)}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      if (first.mode === 'quick') {
        for (const t of group) {
          if (t.source.kind === 'url') await this.submitAgentUrl(t);
          else await this.submitAgentFile(t, { path: t.source.path, size: t.source.size });
        }
      } else if (first.source.kind === 'url') {
        if (group.length === 1) await this.submitSingle(first);
        else for (const chunk of chunks(group, this.settings.batchLimit)) await this.submitUrlBatch(chunk);
      } else {
        for (const chunk of chunks(group, this.settings.batchLimit)) {
          const items = chunk.map((t) =>
            t.source.kind === 'file' ? { path: t.source.path, size: t.source.size } : { path: '', size: 0 },
          );
          await this.submitUploadBatch(chunk, items, chunk);
        }
      }
    }
  }

  private track(id: string): AbortController {
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    return controller;
  }

  private untrack(id: string, controller: AbortController): void {
    if (this.inFlight.get(id) === controller) this.inFlight.delete(id);
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.deps.logger.error(`Event listener failed: ${String(error)}`);
      }
    }
  }
}

/** Batch items are matched by data_id when we sent one, else by request order — never by file name. */
function matchBatchItem(batch: BatchStatus, task: TaskRecord): TaskStatus | undefined {
  const r = task.remote!;
  if (r.dataId) {
    // A template such as {name} can repeat a data_id within a batch: the item at our own index
    // wins when it carries our data_id; otherwise only an unambiguous data_id match counts.
    const atIndex = r.index === undefined ? undefined : batch.items[r.index];
    if (atIndex?.dataId === r.dataId) return atIndex;
    const byId = batch.items.filter((item) => item.dataId === r.dataId);
    if (byId.length === 1) return byId[0];
  }
  return r.index === undefined ? undefined : batch.items[r.index];
}

function failureFromStatus(status: TaskStatus, task: TaskRecord): SerializedError {
  const error = taskFailureError(status).toJSON();
  const unreachable = /read timeout|unreachable|fetch/i.test(status.errMsg ?? '');
  return {
    ...error,
    ...(task.remote?.traceId ? { traceId: task.remote.traceId } : {}),
    hint:
      task.mode === 'quick' && error.code && error.code.startsWith('-3000')
        ? `${error.hint ?? ''}; or set an API token for the precise mode`.replace(/^; /, '')
        : unreachable && task.source.kind === 'url'
          ? 'The service could not fetch the URL; check that it is publicly reachable, then Retry'
          : error.hint,
  };
}

function toSerialized(phase: Phase, error: unknown): SerializedError {
  if (error instanceof MinerUError) {
    const json = error.toJSON();
    return { ...json, phase: json.phase ?? phase };
  }
  return {
    phase,
    message: error instanceof Error ? error.message : String(error),
    hint: 'Check the MinerU log for details, then Retry',
    retryable: true,
  };
}

function agentOptions(task: TaskRecord): AgentOptions {
  const o = task.options;
  return {
    ...(o.language ? { language: o.language } : {}),
    ...(o.pageRanges ? { pageRange: o.pageRanges } : {}),
    ...(o.enableTable !== undefined ? { enableTable: o.enableTable } : {}),
    ...(o.isOcr !== undefined ? { isOcr: o.isOcr } : {}),
    ...(o.enableFormula !== undefined ? { enableFormula: o.enableFormula } : {}),
  };
}

function pickDataId(task: TaskRecord): { dataId?: string } {
  return task.remote?.dataId ? { dataId: task.remote.dataId } : {};
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const n = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
