/**
 * Documents parsed in parts (issue 18). The document is a record with `parts` whose state comes
 * from its parts' records (each an ordinary task with `part`): submitting while it is split and
 * its parts uploaded, running once the service has any part, importing while the parts' results
 * are merged, then done (the merged result) or failed (a part failed, or the merge). The parts
 * and their results live in the document's work folder outside the workspace, removed once merged.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SerializedError } from '../errors';
import { splitDocument, SplitError, type SplitLimits, type SplitPart } from '../split/splitter';
import type { FileItem, PartsMergeRequest, SubmitRequest } from './engineTypes';
import type { InFlightRequests } from './inFlight';
import { RESUBMIT } from './newTasks';
import type { SubmitItem } from './service';
import type { ImportSummary, TaskRecord, TaskSource } from './task';
import { toSerialized } from './taskErrors';
import type { TaskUpdates } from './taskUpdates';

export interface DocumentGroupsDeps {
  updates: TaskUpdates;
  inFlight: InFlightRequests;
  workRoot: string | undefined;
  mergeParts: ((request: PartsMergeRequest) => Promise<ImportSummary>) | undefined;
  nameFor: (source: TaskSource) => string;
  /** New part records (not stored yet) for the part files, as submitFiles makes them. */
  newParts: (items: readonly FileItem[], request: SubmitRequest) => SubmitItem[];
  /** Sends new parts as submitFiles does (one batch where the service allows). */
  send: (items: readonly SubmitItem[]) => Promise<void>;
  /** The engine's retry of one ordinary task. */
  retryTask: (id: string) => Promise<void>;
  /** Stop tracking these tasks (the engine's remove of ordinary tasks). */
  forget: (ids: readonly string[]) => Promise<void>;
}

const SUBMITTING: ReadonlySet<string> = new Set(['submitting', 'uploading']);

/** "1,200": page numbers as the contract words them. */
const pageNumber = (n: number): string => n.toLocaleString('en-US');

export class DocumentGroups {
  /** Splits and merges in flight, by document id. */
  private readonly work = new Map<string, AbortController>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly deps: DocumentGroupsDeps) {
    this.subscription = deps.updates.store.onDidChange((event) => {
      const parents = new Set<string>();
      for (const task of event.changed) if (task.part) parents.add(task.part.parentId);
      for (const id of parents) this.derive(id);
    });
  }

  private get store(): TaskUpdates['store'] {
    return this.deps.updates.store;
  }

  /** Adds the document, splits it into its work folder and submits its parts. */
  async submit(
    item: FileItem,
    limits: SplitLimits,
    request: SubmitRequest,
    signal?: AbortSignal,
  ): Promise<TaskRecord> {
    const { workRoot } = this.deps;
    if (!workRoot) throw new Error('Parsing in parts needs EngineDeps.workRoot');
    const now = this.deps.updates.clock.now();
    const id = randomUUID();
    const source: TaskSource = { kind: 'file', path: item.path, size: item.size };
    const parent: TaskRecord = {
      id,
      name: this.deps.nameFor(item.name ? { ...source, path: item.name } : source),
      source,
      mode: request.mode,
      options: request.options,
      outputDir: request.outputDir,
      state: 'submitting',
      parts: { ids: [], totalPages: 0, workDir: path.join(workRoot, id), limits },
      createdAt: now,
      updatedAt: now,
    };
    await this.store.add([parent]);
    const cancel = (): void => {
      const ids = this.store.get(id)?.parts?.ids ?? [];
      const pending = ids.some((p) => SUBMITTING.has(this.store.get(p)?.state ?? ''));
      if (ids.length === 0 || pending) void this.remove([id]);
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      await this.track(this.split(id, request, signal));
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    return this.store.get(id) ?? parent;
  }

  /**
   * Retries a document or a part. A part is retried alone; a document retries its failed parts,
   * merges again when every part is done, or is split again when it has no parts (interrupted).
   * Returns false for an ordinary task.
   */
  async retry(id: string): Promise<boolean> {
    const task = this.store.get(id);
    if (!task) return false;
    if (task.part) {
      await this.deps.retryTask(id);
      return true;
    }
    if (!task.parts) return false;
    if (task.state !== 'failed' && task.state !== 'done') return true;
    const parts = task.parts.ids.map((p) => this.store.get(p));
    const complete = parts.length > 0 && parts.every((p) => p !== undefined);
    if (!complete || task.state === 'done') {
      await this.resplit(task);
      return true;
    }
    const failed = parts.filter((p): p is TaskRecord => p?.state === 'failed');
    if (failed.length === 0) {
      await this.track(this.merge(id));
      return true;
    }
    this.deps.updates.update(id, { state: 'running', error: undefined, finishedAt: undefined });
    await Promise.all(failed.map((p) => this.deps.retryTask(p.id)));
    return true;
  }

  /**
   * The ids to remove for `ids`: a part stands for its document, a document brings its parts.
   * The documents' split or merge is aborted and their work folders deleted.
   */
  async remove(ids: readonly string[]): Promise<void> {
    const all = new Set<string>();
    const dirs: string[] = [];
    for (const id of ids) {
      const task = this.store.get(id);
      const parent = task?.part ? this.store.get(task.part.parentId) : task;
      all.add(id);
      if (!parent?.parts) continue;
      all.add(parent.id);
      for (const p of parent.parts.ids) all.add(p);
      this.work.get(parent.id)?.abort();
      dirs.push(parent.parts.workDir);
    }
    await this.deps.forget([...all]);
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }).catch(() => undefined)));
  }

  /** After a reload: documents split when VS Code closed fail; complete ones are merged. */
  resume(): void {
    for (const task of this.store.all()) {
      if (!task.parts || task.state === 'done' || task.state === 'failed') continue;
      if (task.parts.ids.length === 0) {
        this.deps.updates.fail(task.id, {
          phase: 'validate',
          reason: 'task.interrupted',
          message: 'VS Code was closed while the document was split into parts',
          hint: 'Retry to split and submit the document again',
          retryable: true,
        });
      } else if (task.state === 'importing') {
        // Closed mid-merge: the merge left nothing (temporary folder), so it starts again.
        void this.track(this.merge(task.id));
      } else this.derive(task.id);
    }
    void this.sweep();
  }

  /** Deletes the work folders under workRoot that belong to no document in the store. */
  async sweep(): Promise<number> {
    const { workRoot } = this.deps;
    if (!workRoot) return 0;
    const entries = await fs.readdir(workRoot).catch(() => [] as string[]);
    const keep = new Set<string>();
    for (const task of this.store.all()) {
      if (!task.parts) continue;
      keep.add(path.resolve(task.parts.workDir));
      // A downloaded original kept in the work root (a URL parsed in parts).
      if (task.source.kind === 'file') keep.add(path.resolve(task.source.path));
    }
    let removed = 0;
    for (const entry of entries) {
      const full = path.resolve(workRoot, entry);
      if ([...keep].some((k) => k === full || k.startsWith(full + path.sep))) continue;
      await fs.rm(full, { recursive: true, force: true }).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  /** Resolves when no split or merge is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const controller of this.work.values()) controller.abort();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  private async resplit(task: TaskRecord): Promise<void> {
    const parts = task.parts!;
    await this.deps.forget(parts.ids);
    await fs.rm(parts.workDir, { recursive: true, force: true }).catch(() => undefined);
    this.deps.updates.update(task.id, {
      ...RESUBMIT,
      parts: { ...parts, ids: [], totalPages: 0 },
    });
    const request: SubmitRequest = { outputDir: task.outputDir, options: task.options, mode: task.mode };
    await this.track(this.split(task.id, request, undefined));
  }

  /** Splits the document into its work folder, then adds and sends its parts. */
  private async split(id: string, request: SubmitRequest, signal: AbortSignal | undefined): Promise<void> {
    const task = this.store.get(id);
    const parts = task?.parts;
    if (!task || !parts || task.source.kind !== 'file') return;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.work.set(id, controller);
    let files: SplitPart[];
    let totalPages: number;
    try {
      await fs.mkdir(parts.workDir, { recursive: true });
      const limits = parts.limits ?? { maxPages: 600, maxBytes: 200 * 1_048_576 };
      const result = await splitDocument(task.source.path, limits, parts.workDir, {
        signal: controller.signal,
      });
      files = result.parts;
      totalPages = result.totalPages;
    } catch (error) {
      if (error instanceof SplitError && error.code === 'cancelled') return;
      if (this.store.get(id)) this.deps.updates.fail(id, toSerialized('validate', error));
      return;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.work.delete(id);
    }
    if (!this.store.get(id) || controller.signal.aborted) return;
    const items = this.deps.newParts(
      files.map((f) => ({ path: f.path, size: f.bytes })),
      { ...request, outputDir: path.join(parts.workDir, 'results') },
    );
    const tasks = items.map(({ task: t }, i) => {
      const f = files[i]!;
      const part = {
        parentId: id,
        index: f.index,
        count: files.length,
        firstPage: f.firstPage,
        lastPage: f.lastPage,
      };
      return { task: { ...t, part }, source: items[i]!.source };
    });
    await this.store.transaction(() => {
      void this.store.add(tasks.map((t) => t.task));
      this.deps.updates.update(id, {
        parts: { ...parts, ids: tasks.map((t) => t.task.id), totalPages },
        progress: { extractedPages: 0, totalPages },
      });
    });
    await this.deps.send(tasks);
  }

  /** The document's state from its parts' (called whenever a part changes). */
  private derive(id: string): void {
    const parent = this.store.get(id);
    const info = parent?.parts;
    if (!parent || !info || info.ids.length === 0) return;
    if (parent.state === 'done' || parent.state === 'importing' || this.work.has(id)) return;
    const parts = info.ids.map((p) => this.store.get(p));
    if (parts.some((p) => p === undefined)) return;
    const records = parts as TaskRecord[];
    const failed = records.find((p) => p.state === 'failed');
    if (failed) {
      const error = partFailure(failed);
      if (parent.state !== 'failed' || parent.error?.message !== error.message)
        this.deps.updates.fail(id, error);
      return;
    }
    if (records.every((p) => p.state === 'done')) {
      // A failed merge waits for Retry; a document finished by its last part is merged now.
      if (parent.state !== 'failed') void this.track(this.merge(id));
      return;
    }
    const state = records.every((p) => SUBMITTING.has(p.state)) ? 'submitting' : 'running';
    const progress = { extractedPages: pagesDone(records), totalPages: info.totalPages };
    if (
      parent.state !== state ||
      parent.progress?.extractedPages !== progress.extractedPages ||
      parent.error !== undefined
    )
      this.deps.updates.update(id, { state, progress, error: undefined, finishedAt: undefined });
  }

  /** Merges the parts' results into the document's result, then deletes the work folder. */
  private async merge(id: string): Promise<void> {
    const parent = this.store.get(id);
    if (!parent?.parts || this.work.has(id)) return;
    const { updates } = this.deps;
    const controller = new AbortController();
    this.work.set(id, controller);
    const { totalPages, workDir } = parent.parts;
    updates.update(id, {
      state: 'importing',
      error: undefined,
      progress: { extractedPages: totalPages, totalPages },
    });
    try {
      const parts = parent.parts.ids.map((p) => this.store.get(p)!);
      const mergeParts = this.deps.mergeParts;
      if (!mergeParts) throw new Error('Parsing in parts needs EngineDeps.mergeParts');
      const summary = await mergeParts({
        parts: parts.map((p) => ({
          folder: p.result?.folder ?? '',
          firstPage: p.part!.firstPage,
          lastPage: p.part!.lastPage,
        })),
        name: parent.name,
        outputDir: parent.outputDir,
        ...(parent.source.kind === 'file' ? { originPdf: parent.source.path } : {}),
        signal: controller.signal,
      });
      if (!this.store.get(id)) return;
      const rejectedEntries = parts.reduce((n, p) => n + (p.result?.rejectedEntries ?? 0), 0);
      const done = updates.update(id, {
        state: 'done',
        result: { ...summary, rejectedEntries },
        finishedAt: updates.clock.now(),
      });
      if (done) updates.emit({ kind: 'finished', task: done });
      await fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    } catch (error) {
      if (controller.signal.aborted || !this.store.get(id)) return;
      updates.fail(id, toSerialized('extract', error));
    } finally {
      this.work.delete(id);
    }
  }
}

/** Pages the service has read, over the parts (a finished part counts whole). */
function pagesDone(parts: readonly TaskRecord[]): number {
  return parts.reduce((n, p) => {
    const pages = p.part!.lastPage - p.part!.firstPage + 1;
    if (p.state === 'done' || p.state === 'importing' || p.remoteDone) return n + pages;
    return n + Math.min(pages, p.progress?.extractedPages ?? 0);
  }, 0);
}

/** "Part 2 of 3 (pages 601–1,200) failed: …", in the phase of the part's error. */
export function partFailure(part: TaskRecord): SerializedError {
  const info = part.part!;
  const cause = part.error;
  const where = `Part ${info.index} of ${info.count} (pages ${pageNumber(info.firstPage)}–${pageNumber(info.lastPage)})`;
  return {
    phase: cause?.phase ?? 'poll',
    message: `${where} failed: ${cause?.message ?? 'unknown error'}`,
    params: { part: info.index, count: info.count, firstPage: info.firstPage, lastPage: info.lastPage },
    hint: 'Retry the part',
    ...(cause?.code ? { code: cause.code } : {}),
    ...(cause?.traceId ? { traceId: cause.traceId } : {}),
    retryable: true,
  };
}
