// The state machine: how a task moves waiting-file/uploading → pending → running (pages) →
// converting → done | failed, one step at a time (timed, manual or per poll).
import type { FakeContext } from './context';
import { issueZip } from './context';
import { onTerminal } from './callbacks';
import type { Failure, Task } from './model';
import { timeStamp } from './model';
import { randomUUID } from 'node:crypto';

function pagesStep(t: Task): number {
  return Math.max(1, Math.ceil(t.pages / 10));
}

function toTerminal(ctx: FakeContext, t: Task, state: 'done' | 'failed', failure?: Failure): void {
  t.state = state;
  if (state === 'failed' && failure) {
    t.errMsg = failure.errMsg;
    t.errCode = failure.errCode;
  }
  if (state === 'done') {
    if (t.kind === 'agent') {
      t.mdId = randomUUID();
      ctx.markdowns.set(t.mdId, t.id);
    } else {
      issueZip(ctx, t);
    }
  }
  onTerminal(ctx, t);
}

export function step(ctx: FakeContext, t: Task): void {
  switch (t.state) {
    case 'waiting-file':
    case 'done':
    case 'failed':
      return;
    case 'uploading':
      t.state = 'pending';
      return;
    case 'pending':
      if (t.slowSteps > 0) {
        t.slowSteps -= 1;
        return;
      }
      if (t.failure?.from === 'pending') {
        toTerminal(ctx, t, 'failed', t.failure);
        return;
      }
      t.state = 'running';
      t.startTime = timeStamp();
      t.extractedPages = Math.min(t.pages, pagesStep(t));
      return;
    case 'running':
      if (t.failure) {
        toTerminal(ctx, t, 'failed', t.failure);
        return;
      }
      if (t.extractedPages < t.pages) {
        t.extractedPages = Math.min(t.pages, t.extractedPages + pagesStep(t));
        return;
      }
      if (t.extraFormats.length > 0 && t.modelVersion !== 'MinerU-HTML' && t.kind !== 'agent') {
        t.state = 'converting';
        return;
      }
      toTerminal(ctx, t, 'done');
      return;
    case 'converting':
      toTerminal(ctx, t, 'done');
      return;
  }
}

export function advanceAll(ctx: FakeContext): void {
  for (const t of [...ctx.tasks.values()]) step(ctx, t);
}

/** A status query covered this task: count it, and in 'per-poll' mode move it one step. */
export function pollTask(ctx: FakeContext, t: Task): void {
  t.polls += 1;
  if (ctx.progressMode === 'per-poll') step(ctx, t);
}

/** 'timed' progress: one step of every task every `stepMs`, polled or not. */
export function startTicker(ctx: FakeContext): NodeJS.Timeout | undefined {
  if (ctx.progressMode !== 'timed') return undefined;
  const ticker = setInterval(() => advanceAll(ctx), ctx.stepMs);
  ticker.unref();
  return ticker;
}
