// The routes of mineru-api / mineru-router 3.x (fast_api.py, router.py) and of the 2.x server
// (only POST /file_parse), with their status codes and payloads.
import type { SelfHostedContext, SelfHostedTask } from './engine';
import { advanceAll, isTerminal, processingCount, queuedAhead, stats, submit, waitTerminal } from './engine';
import type { Refusal } from './form';
import { isRefusal, readParseOptions, storeUploads } from './form';
import type { ParsedForm } from './multipart';
import { legacyResultZip, resultDict, resultZip } from './results';
import type { Exchange } from './wire';
import { capacityDetail, origin, send, sendDetail, sendJson } from './wire';

export const API_PROTOCOL_VERSION = 2;
const NO_HEALTHY_WORKER = 'No healthy upstream MinerU API servers are available';

function protocolVersion(version: string): number {
  const [major, minor] = version.split('.').map(Number);
  return (major ?? 0) > 3 || ((major ?? 0) === 3 && (minor ?? 0) >= 3) ? API_PROTOCOL_VERSION : 1;
}

/** to_status_payload(); `queued_ahead` only where the server adds it. */
function statusPayload(x: Exchange, t: SelfHostedTask, withQueue: boolean): Record<string, unknown> {
  const base = `${origin(x.req)}/tasks/${encodeURIComponent(t.id)}`;
  const p: Record<string, unknown> = {
    task_id: t.id,
    status: t.status,
    backend: t.options.backend,
    file_names: t.docs.map((d) => d.stem),
    created_at: t.createdAt,
    started_at: t.startedAt,
    completed_at: t.completedAt,
    error: t.error,
    status_url: base,
    result_url: `${base}/result`,
  };
  // The router keeps the last queued_ahead it saw upstream and shows it in every payload.
  if (withQueue || x.ctx.router) p.queued_ahead = queuedAhead(x.ctx, t);
  return p;
}

function workerSnapshot(ctx: SelfHostedContext, i: number, healthy: boolean): Record<string, unknown> {
  const s = stats(ctx);
  const share = (n: number): number => Math.floor(n / ctx.workers) + (i < n % ctx.workers ? 1 : 0);
  return {
    server_id: `upstream-${i + 1}`,
    base_url: `http://127.0.0.1:${8000 + i}`,
    source: 'remote',
    healthy,
    gpu: null,
    queued_tasks: share(s.pending),
    processing_tasks: share(s.processing),
    completed_tasks: share(s.completed),
    failed_tasks: share(s.failed),
    max_concurrent_requests: ctx.maxConcurrent / ctx.workers,
    processing_window_size: ctx.options.processingWindowSize ?? 64,
    last_error: healthy ? null : JSON.stringify({ status: 'unhealthy', error: ctx.faults.unhealthy }),
    last_checked_at: new Date().toISOString(),
  };
}

export function health(x: Exchange): void {
  const { ctx } = x;
  const unhealthy = ctx.faults.unhealthy;
  const s = stats(ctx);
  if (ctx.router) {
    const servers = Array.from({ length: ctx.workers }, (_, i) =>
      workerSnapshot(ctx, i, unhealthy === undefined),
    );
    const body: Record<string, unknown> = {
      status: unhealthy === undefined ? 'healthy' : 'unhealthy',
      version: ctx.version,
      protocol_version: protocolVersion(ctx.version),
      queued_tasks: s.pending,
      processing_tasks: s.processing,
      completed_tasks: s.completed,
      failed_tasks: s.failed,
      max_concurrent_requests: unhealthy === undefined ? ctx.maxConcurrent : 0,
      processing_window_size: ctx.options.processingWindowSize ?? 64,
      servers,
    };
    if (unhealthy !== undefined) body.error = NO_HEALTHY_WORKER;
    return sendJson(x, unhealthy === undefined ? 200 : 503, body);
  }
  if (unhealthy !== undefined)
    return sendJson(x, 503, { status: 'unhealthy', version: ctx.version, error: unhealthy });
  sendJson(x, 200, {
    status: 'healthy',
    version: ctx.version,
    protocol_version: protocolVersion(ctx.version),
    queued_tasks: s.pending,
    processing_tasks: s.processing,
    completed_tasks: s.completed,
    failed_tasks: s.failed,
    max_concurrent_requests: ctx.maxConcurrent,
    processing_window_size: ctx.options.processingWindowSize ?? 64,
    task_retention_seconds: ctx.retentionSeconds,
    task_cleanup_interval_seconds: ctx.cleanupIntervalSeconds,
  });
}

function refuse(x: Exchange, r: Refusal): void {
  sendJson(x, r.status, r.body);
}

/** Why a task of these documents fails (keywords in the upload name; http-client without server_url). */
function failureOf(t: { backend: string; serverUrl: string | null }, form: ParsedForm): string | undefined {
  const bad = form.files.find((f) => f.field === 'files' && /fail/i.test(f.fileName));
  if (bad) return `Failed to load file ${bad.fileName}: fake parse failure`;
  if (t.backend.endsWith('-http-client') && !t.serverUrl)
    return 'server_url is required for http-client backends';
  return undefined;
}

/** Validation, upload checks and the task: shared by POST /tasks and POST /file_parse. */
function accept(x: Exchange, form: ParsedForm, sync: boolean): SelfHostedTask | undefined {
  const { ctx } = x;
  const policy = {
    publicBind: ctx.options.publicBind === true,
    allowPublicHttpClient: ctx.options.allowPublicHttpClient === true,
  };
  const options = readParseOptions(form, ctx.legacy, policy);
  if (isRefusal(options)) return void refuse(x, options);
  if (ctx.router && ctx.faults.unhealthy !== undefined) return void sendDetail(x, 503, NO_HEALTHY_WORKER);
  const docs = storeUploads(form, ctx.legacy, ctx.defaultPages);
  if (isRefusal(docs)) return void refuse(x, docs);
  return submit(ctx, options, docs, sync, failureOf(options, form));
}

export function submitTask(x: Exchange, form: ParsedForm): void {
  const t = accept(x, form, false);
  if (!t) return;
  sendJson(x, 202, { ...statusPayload(x, t, true), message: 'Task submitted successfully' });
}

function lookup(x: Exchange, id: string): SelfHostedTask | undefined {
  const t = x.ctx.tasks.get(id);
  if (!t) sendDetail(x, 404, 'Task not found');
  return t;
}

export function taskStatus(x: Exchange, id: string): void {
  const t = lookup(x, id);
  if (!t) return;
  t.polls += 1;
  sendJson(x, 200, statusPayload(x, t, true));
  if (x.ctx.progressMode === 'per-poll') advanceAll(x.ctx);
}

function sendResult(
  x: Exchange,
  t: SelfHostedTask,
  extra: Record<string, unknown>,
  headers: Record<string, string>,
): void {
  const { ctx } = x;
  const o = t.options;
  if (o.responseFormatZip) {
    const zip = resultZip(t.docs, o, ctx.version);
    return send(x, 200, 'application/zip', zip, {
      'content-disposition': `attachment; filename="${t.id}.zip"`,
      ...headers,
    });
  }
  sendJson(
    x,
    200,
    {
      ...extra,
      backend: o.backend,
      version: ctx.version,
      results: resultDict(t.docs, o, ctx.version, false),
    },
    ctx.router ? headers : {},
  );
}

export function taskResult(x: Exchange, id: string): void {
  const t = lookup(x, id);
  if (!t) return;
  if (!isTerminal(t.status))
    return sendJson(x, 202, { ...statusPayload(x, t, false), message: 'Task result is not ready yet' });
  if (t.status === 'failed')
    return sendJson(x, 409, { ...statusPayload(x, t, false), message: 'Task execution failed' });
  sendResult(x, t, {}, {});
}

function syncHeaders(x: Exchange, t: SelfHostedTask): Record<string, string> {
  const p = statusPayload(x, t, false);
  return {
    'x-mineru-task-id': t.id,
    'x-mineru-task-status': t.status,
    'x-mineru-task-status-url': String(p.status_url),
    'x-mineru-task-result-url': String(p.result_url),
  };
}

/** POST /file_parse (3.x): a task like any other, waited for, then answered in the same response. */
export async function fileParse(x: Exchange, form: ParsedForm): Promise<void> {
  const t = accept(x, form, true);
  if (!t) return;
  const aborted = await waitTerminal(t);
  if (aborted !== undefined)
    return sendJson(x, 503, {
      ...statusPayload(x, t, false),
      message: 'Task manager became unavailable while waiting for result',
      error: aborted,
    });
  if (t.status === 'failed')
    return sendJson(x, 409, { ...statusPayload(x, t, false), message: 'Task execution failed' });
  sendResult(x, t, statusPayload(x, t, false), syncHeaders(x, t));
}

/** POST /file_parse (2.x): 503 when every slot is busy, errors as {"error": ...}, the flat zip. */
export async function legacyFileParse(x: Exchange, form: ParsedForm): Promise<void> {
  const { ctx } = x;
  if (ctx.maxConcurrent > 0 && processingCount(ctx) >= ctx.maxConcurrent)
    return sendDetail(x, 503, capacityDetail(ctx.maxConcurrent));
  const t = accept(x, form, true);
  if (!t) return;
  await waitTerminal(t);
  ctx.tasks.delete(t.id); // 2.x keeps nothing once it answered
  if (t.status !== 'completed')
    return sendJson(x, 500, {
      error: `Failed to process file: ${t.error ?? 'Task was removed before completion'}`,
    });
  const o = t.options;
  if (o.responseFormatZip)
    return send(x, 200, 'application/zip', legacyResultZip(t.docs, o, ctx.version), {
      'content-disposition': 'attachment; filename="results.zip"',
    });
  sendJson(x, 200, {
    backend: o.backend,
    version: ctx.version,
    results: resultDict(t.docs, o, ctx.version, true),
  });
}

/** /openapi.json (FastAPI's docs are on by default): the paths this server has. */
export function openApi(x: Exchange): void {
  const paths: Record<string, unknown> = x.ctx.legacy
    ? { '/file_parse': { post: {} } }
    : {
        '/file_parse': { post: {} },
        '/tasks': { post: {} },
        '/tasks/{task_id}': { get: {} },
        '/tasks/{task_id}/result': { get: {} },
        '/health': { get: {} },
      };
  sendJson(x, 200, { openapi: '3.1.0', info: { title: 'FastAPI', version: '0.1.0' }, paths });
}
