// What the wire shows of tasks and batches: the response envelopes and the task, batch item, batch
// and agent views, plus the test-facing FakeTaskView.
import type { FakeContext } from './context';
import { issueZip, markdownUrl, zipUrl } from './context';
import type { Batch, Task } from './model';
import { timeStamp, traceId } from './model';
import type { FakeTaskView } from './types';

function code(ctx: FakeContext, c: number): number | string {
  return ctx.faults.codeAsString ? String(c) : c;
}

export function envelope(ctx: FakeContext, data: unknown): Record<string, unknown> {
  return { code: code(ctx, 0), msg: 'ok', trace_id: traceId(), data };
}

export function businessEnvelope(ctx: FakeContext, c: number | string, msg: string): Record<string, unknown> {
  const value = typeof c === 'number' ? code(ctx, c) : c;
  return { code: value, msg, trace_id: traceId(), data: null };
}

function progressView(t: Task): Record<string, unknown> {
  return {
    extracted_pages: t.extractedPages,
    total_pages: t.pages,
    start_time: t.startTime ?? timeStamp(),
  };
}

/** A done task whose zip link expired gets a fresh link when polled (like a re-signed CDN URL). */
function refreshZip(ctx: FakeContext, t: Task): void {
  if (t.state === 'done' && t.zipExpired) issueZip(ctx, t);
}

export function taskData(ctx: FakeContext, t: Task): Record<string, unknown> {
  refreshZip(ctx, t);
  const d: Record<string, unknown> = { task_id: t.id };
  if (t.dataId !== undefined) d.data_id = t.dataId;
  d.state = t.state;
  d.err_msg = t.state === 'failed' ? t.errMsg : '';
  if (t.state === 'running') d.extract_progress = progressView(t);
  if (t.state === 'done') d.full_zip_url = zipUrl(ctx, t);
  if (t.state === 'failed') d.model_version = t.modelVersion === 'vlm' ? 'vlm2.6.5' : t.modelVersion;
  return d;
}

function batchItemData(ctx: FakeContext, t: Task): Record<string, unknown> {
  refreshZip(ctx, t);
  const d: Record<string, unknown> = { file_name: t.fileName };
  if (t.dataId !== undefined) d.data_id = t.dataId;
  d.state = t.state;
  d.err_msg = t.state === 'failed' ? t.errMsg : '';
  if (t.state === 'running') d.extract_progress = progressView(t);
  if (t.state === 'done') d.full_zip_url = zipUrl(ctx, t);
  return d;
}

export function batchData(ctx: FakeContext, b: Batch): Record<string, unknown> {
  const items = b.taskIds.map((id) => ctx.tasks.get(id)).filter((t): t is Task => t !== undefined);
  return { batch_id: b.id, extract_result: items.map((t) => batchItemData(ctx, t)) };
}

export function agentData(ctx: FakeContext, t: Task): Record<string, unknown> {
  const d: Record<string, unknown> = { task_id: t.id, state: t.state };
  if (t.state === 'done' && t.mdId) d.markdown_url = markdownUrl(ctx, t.mdId);
  d.err_msg = t.state === 'failed' ? t.errMsg : '';
  if (t.state === 'failed' && t.errCode !== undefined) d.err_code = t.errCode;
  if (t.state === 'running') d.extract_progress = progressView(t);
  return d;
}

export function view(ctx: FakeContext, t: Task): FakeTaskView {
  const v: FakeTaskView = {
    id: t.id,
    kind: t.kind,
    index: t.index,
    state: t.state,
    source: t.source,
    name: t.name,
    fileName: t.fileName,
    modelVersion: t.modelVersion,
    extraFormats: [...t.extraFormats],
    isOcr: t.isOcr,
    pages: t.pages,
    extractedPages: t.extractedPages,
    errMsg: t.errMsg,
    polls: t.polls,
  };
  if (t.batchId !== undefined) v.batchId = t.batchId;
  if (t.url !== undefined) v.url = t.url;
  if (t.dataId !== undefined) v.dataId = t.dataId;
  if (t.pageRanges !== undefined) v.pageRanges = t.pageRanges;
  if (t.language !== undefined) v.language = t.language;
  if (t.errCode !== undefined) v.errCode = t.errCode;
  if (t.state === 'done' && t.zipId) v.fullZipUrl = zipUrl(ctx, t);
  if (t.state === 'done' && t.mdId) v.markdownUrl = markdownUrl(ctx, t.mdId);
  if (t.uploadUrl !== undefined) v.uploadUrl = t.uploadUrl;
  if (t.uploadedBytes !== undefined) v.uploadedBytes = t.uploadedBytes;
  return v;
}
