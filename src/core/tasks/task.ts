import type { SerializedError } from '../errors';
import type { ParseOptions, RemoteState } from '../api/types';
import type { SplitLimits } from '../split/splitPlan';

/**
 * Precise: the token API with images, tables and formulas. Quick: the token-free agent API (Markdown
 * only). Self-hosted: the user's own mineru-api or mineru-router server (3.x task API).
 */
export type TaskMode = 'precise' | 'quick' | 'selfHosted';

/**
 * Where a document is in its life. The remote states come from the service; the others are local:
 * `submitting` (the request is being made), `uploading` (our PUT of a local file is in flight),
 * `importing` (the result is being downloaded and extracted), `done` (the result is in the workspace).
 */
export type TaskState = Exclude<RemoteState, 'done'> | 'submitting' | 'importing' | 'done';

export type TaskSource = { kind: 'url'; url: string } | { kind: 'file'; path: string; size: number };

/** How the service knows the document: a single task, an item of a batch, or an agent task. */
export interface RemoteRef {
  kind: 'task' | 'batch' | 'agent' | 'server';
  taskId?: string;
  /** Self-hosted: the server's base URL the task was submitted to (polled there, not elsewhere). */
  server?: string;
  /** Self-hosted: the server tasks of a page range in several pieces, in page order (taskId is the first). */
  parts?: string[];
  batchId?: string;
  /** Position in the batch request; results are matched by it (or data_id), never by file name. */
  index?: number;
  dataId?: string;
  traceId?: string;
}

export interface ImportSummary {
  folder: string;
  markdownPath: string;
  extras: { format: string; path: string }[];
  rejectedEntries: number;
  brokenImageLinks: number;
}

/** A part of a document split to fit the service's limits (see src/core/tasks/documentGroups.ts). */
export interface PartInfo {
  /** The id of the document (the parent record). */
  parentId: string;
  /** 1-based, in page order. */
  index: number;
  count: number;
  /** Pages of the original document, 1-based and inclusive. */
  firstPage: number;
  lastPage: number;
}

/** A document parsed in parts: its parts' records, its page count, and its work folder. */
export interface PartsInfo {
  /** The parts' task ids, in page order (empty while the document is split). */
  ids: string[];
  totalPages: number;
  /** The folder (outside the workspace) holding the part files and the parts' results. */
  workDir: string;
  /** The limits the document was split under (kept to split it again on Retry). */
  limits?: SplitLimits;
}

export interface TaskRecord {
  /** Local, stable id (tree item id, persistence key). */
  id: string;
  /** Document name shown to the user and used for the result folder. */
  name: string;
  source: TaskSource;
  mode: TaskMode;
  options: ParseOptions;
  /** Absolute folder the result folder is created in (e.g. <workspace>/mineru). */
  outputDir: string;
  state: TaskState;
  remote?: RemoteRef;
  progress?: { extractedPages: number; totalPages: number };
  /** Tasks in front of this one in the service's queue, while it waits (self-hosted servers report it). */
  queuedAhead?: number;
  /** Bytes moved in the current upload or download. */
  transfer?: { done: number; total?: number };
  zipUrl?: string;
  markdownUrl?: string;
  /** Set when the service reported the task done; cleared once the result is imported. */
  remoteDone?: boolean;
  error?: SerializedError;
  /**
   * Set while the queue is paused by a quota or queue-full answer (-60018, -60019, -60009): the
   * task keeps its place and is submitted or polled again at `until` (or on Refresh).
   */
  paused?: { until: number; code: string };
  /**
   * Set while polling this task fails in a way that is tried again (the server is down, refuses,
   * is busy): the cause, for the tree and a notification. Cleared by the next answer.
   */
  pollProblem?: SerializedError;
  result?: ImportSummary;
  /** Set on a part of a document split into parts: the part task's place in its document. */
  part?: PartInfo;
  /** Set on a document split into parts: its state, progress and result come from its parts. */
  parts?: PartsInfo;
  createdAt: number;
  updatedAt: number;
  submittedAt?: number;
  finishedAt?: number;
}

const POLLED_STATES: ReadonlySet<TaskState> = new Set([
  'waiting-file',
  'uploading',
  'pending',
  'running',
  'converting',
]);

/** States in which the service still works on the document and the poller follows it. */
export function isPolled(task: TaskRecord): boolean {
  return (
    POLLED_STATES.has(task.state) &&
    task.remote !== undefined &&
    !(task.state === 'uploading' && task.remote.kind !== 'agent')
  );
}

/** Anything not finished, from the user's point of view. */
export function isActive(task: TaskRecord): boolean {
  return task.state !== 'done' && task.state !== 'failed';
}

/** "running 3/10 pages", "uploading 1.2/4.0 MB", "done" … */
export function describeProgress(task: TaskRecord): string {
  if (task.state === 'running' && task.progress && task.progress.totalPages > 0) {
    return `${task.progress.extractedPages}/${task.progress.totalPages} pages`;
  }
  if ((task.state === 'uploading' || task.state === 'importing') && task.transfer) {
    const mb = (n: number): string => (n / 1_048_576).toFixed(1);
    return task.transfer.total
      ? `${mb(task.transfer.done)}/${mb(task.transfer.total)} MB`
      : `${mb(task.transfer.done)} MB`;
  }
  return '';
}

/** Elapsed time as "42s", "3m 05s", "1h 02m". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
