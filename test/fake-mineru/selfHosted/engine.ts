// The task manager of the self-hosted fake, after AsyncTaskManager in mineru/cli/fast_api.py: a FIFO
// of pending tasks, `maxConcurrent` processing slots, `queued_ahead` = pending tasks submitted
// earlier, terminal tasks expiring `retentionSeconds` after `completed_at` (removed by a cleanup run
// every `cleanupIntervalSeconds`), and synchronous /file_parse callers waiting for a terminal state.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FakeSelfHostedOptions, SelfHostedFaults, SelfHostedRequest, SelfHostedStatus } from './types';

export interface ParseOptions {
  backend: string;
  effort: string;
  parseMethod: string;
  langList: string[];
  formulaEnable: boolean;
  tableEnable: boolean;
  imageAnalysis: boolean;
  serverUrl: string | null;
  returnMd: boolean;
  returnMiddleJson: boolean;
  returnModelOutput: boolean;
  returnContentList: boolean;
  returnImages: boolean;
  responseFormatZip: boolean;
  returnOriginalFile: boolean;
  clientSideOutputGeneration: boolean;
  startPageId: number;
  endPageId: number;
}

export interface StoredDoc {
  /** The upload's file name as sent. */
  uploadName: string;
  /** The effective stem (file_names[] entry, directory and file prefix in the results). */
  stem: string;
  /** What the content sniffing found: pdf, png, docx, ... */
  suffix: string;
  pages: number;
  bytes: Buffer;
}

export interface SelfHostedTask {
  id: string;
  status: SelfHostedStatus;
  options: ParseOptions;
  docs: StoredDoc[];
  submitOrder: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  completedMs: number;
  error: string | null;
  /** Steps left while processing. */
  stepsLeft: number;
  /** Fails after its first processing step, with this error. */
  failWith?: string;
  polls: number;
  sync: boolean;
  waiters: ((aborted: string | undefined) => void)[];
}

export interface SelfHostedContext {
  readonly options: FakeSelfHostedOptions;
  readonly version: string;
  readonly legacy: boolean;
  readonly router: boolean;
  readonly workers: number;
  readonly maxConcurrent: number;
  readonly retentionSeconds: number;
  readonly cleanupIntervalSeconds: number;
  readonly progressMode: 'timed' | 'manual' | 'per-poll';
  readonly stepMs: number;
  readonly defaultPages: number;
  readonly requests: SelfHostedRequest[];
  readonly faults: SelfHostedFaults;
  readonly tasks: Map<string, SelfHostedTask>;
  readonly sockets: Set<Socket>;
  nextSubmitOrder: number;
}

export function createSelfHostedContext(options: FakeSelfHostedOptions): SelfHostedContext {
  const version = options.version ?? '3.4.4';
  const legacy = version.startsWith('2.');
  const router = options.router !== undefined && options.router !== false;
  const workers = typeof options.router === 'object' ? Math.max(1, options.router.workers ?? 1) : 1;
  const perServer = options.maxConcurrent ?? (legacy ? 0 : 3);
  return {
    options,
    version,
    legacy,
    router,
    workers,
    maxConcurrent: router ? perServer * workers : perServer,
    retentionSeconds: options.retentionSeconds ?? 24 * 60 * 60,
    cleanupIntervalSeconds: options.cleanupIntervalSeconds ?? 5 * 60,
    progressMode: options.progress ?? 'timed',
    stepMs: options.stepMs ?? 300,
    defaultPages: options.pages ?? 3,
    requests: [],
    faults: {},
    tasks: new Map(),
    sockets: new Set(),
    nextSubmitOrder: 1,
  };
}

/** datetime.now(timezone.utc).isoformat(): microseconds and "+00:00". */
export function utcNowIso(d = new Date()): string {
  const micro = String(d.getUTCMilliseconds() * 1000 + Math.floor(Math.random() * 1000)).padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micro}+00:00`;
}

export function isTerminal(status: SelfHostedStatus): boolean {
  return status === 'completed' || status === 'failed';
}

function settle(t: SelfHostedTask, aborted?: string): void {
  const waiters = t.waiters.splice(0);
  for (const w of waiters) w(aborted);
}

export function processingCount(ctx: SelfHostedContext): number {
  let n = 0;
  for (const t of ctx.tasks.values()) if (t.status === 'processing') n += 1;
  return n;
}

/** Steps a task spends processing: one per page up to 10, plus 3 for a `slow` document. */
export function processingSteps(docs: readonly StoredDoc[]): number {
  const pages = docs.reduce((n, d) => n + d.pages, 0);
  const slow = docs.some((d) => d.uploadName.toLowerCase().includes('slow')) ? 3 : 0;
  return Math.max(1, Math.min(10, pages)) + slow;
}

function start(t: SelfHostedTask): void {
  t.status = 'processing';
  t.startedAt = utcNowIso();
  t.error = null;
  t.stepsLeft = processingSteps(t.docs);
}

function finish(t: SelfHostedTask, error?: string): void {
  t.status = error === undefined ? 'completed' : 'failed';
  t.error = error ?? null;
  const now = new Date();
  t.completedAt = utcNowIso(now);
  t.completedMs = now.getTime();
  settle(t);
}

/** Pending tasks in submission order take the free slots (the semaphore is FIFO). */
export function fillSlots(ctx: SelfHostedContext): void {
  const unlimited = ctx.maxConcurrent <= 0;
  let busy = processingCount(ctx);
  const pending = [...ctx.tasks.values()]
    .filter((t) => t.status === 'pending')
    .sort((a, b) => a.submitOrder - b.submitOrder);
  for (const t of pending) {
    if (!unlimited && busy >= ctx.maxConcurrent) break;
    start(t);
    busy += 1;
  }
}

/** One step: processing tasks move on (and may finish), then the free slots are filled. */
export function advanceAll(ctx: SelfHostedContext): void {
  for (const t of [...ctx.tasks.values()]) {
    if (t.status !== 'processing') continue;
    if (t.failWith !== undefined) {
      finish(t, t.failWith);
      continue;
    }
    t.stepsLeft -= 1;
    if (t.stepsLeft <= 0) finish(t);
  }
  fillSlots(ctx);
}

/** get_queued_ahead(): pending tasks submitted before this one; 0 once it left `pending`. */
export function queuedAhead(ctx: SelfHostedContext, t: SelfHostedTask): number {
  if (t.status !== 'pending') return 0;
  let n = 0;
  for (const o of ctx.tasks.values())
    if (o.id !== t.id && o.status === 'pending' && o.submitOrder < t.submitOrder) n += 1;
  return n;
}

export function submit(
  ctx: SelfHostedContext,
  options: ParseOptions,
  docs: StoredDoc[],
  sync: boolean,
  failWith?: string,
): SelfHostedTask {
  const t: SelfHostedTask = {
    id: randomUUID(),
    status: 'pending',
    options,
    docs,
    submitOrder: ctx.nextSubmitOrder++,
    createdAt: utcNowIso(),
    startedAt: null,
    completedAt: null,
    completedMs: 0,
    error: null,
    stepsLeft: 0,
    polls: 0,
    sync,
    waiters: [],
  };
  if (failWith !== undefined) t.failWith = failWith;
  ctx.tasks.set(t.id, t);
  // 2.x runs a request at once (it was admitted only because a slot was free).
  if (ctx.legacy) start(t);
  return t;
}

/**
 * Waits until the task is terminal. Resolves with the reason when the wait was cut short (the task
 * manager went away: restart), as wait_for_terminal_state() raises TaskWaitAbortedError.
 */
export function waitTerminal(t: SelfHostedTask): Promise<string | undefined> {
  if (isTerminal(t.status)) return Promise.resolve(undefined);
  return new Promise((resolve) => t.waiters.push(resolve));
}

/** cleanup_expired_tasks(): terminal tasks whose completed_at is at least the retention ago. */
export function cleanupExpired(ctx: SelfHostedContext, now = Date.now()): number {
  if (ctx.retentionSeconds <= 0) return 0;
  let removed = 0;
  for (const [id, t] of [...ctx.tasks]) {
    if (!isTerminal(t.status) || !t.completedAt) continue;
    if (now - t.completedMs >= ctx.retentionSeconds * 1000) {
      ctx.tasks.delete(id);
      settle(t, 'Task was removed before completion');
      removed += 1;
    }
  }
  return removed;
}

/** The process restarted: the in-memory task table is gone. */
export function forgetAll(ctx: SelfHostedContext): void {
  const tasks = [...ctx.tasks.values()];
  ctx.tasks.clear();
  for (const t of tasks) settle(t, 'Task manager is shutting down');
}

export function stats(ctx: SelfHostedContext): Record<SelfHostedStatus, number> {
  const s: Record<SelfHostedStatus, number> = { pending: 0, processing: 0, completed: 0, failed: 0 };
  for (const t of ctx.tasks.values()) s[t.status] += 1;
  return s;
}
