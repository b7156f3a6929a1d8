/**
 * The task API of a self-hosted MinerU server (mineru-api or mineru-router, 3.x): `GET /health`,
 * `POST /tasks` (multipart, streamed from disk), `GET /tasks/{id}`, `GET /tasks/{id}/result` (a
 * zip, streamed to a file). Every call takes an AbortSignal and has a timeout (JSON calls: whole
 * answer; uploads and downloads: no byte for `idleTimeoutMs`).
 *
 * The optional credential (for a reverse proxy: bearer or basic) goes only to the origin of the
 * configured base URL: every URL is built from it, the status payload's absolute `status_url` and
 * `result_url` are never followed, and redirects are not followed (a 3xx is an error).
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TransferProgress } from '../../api/types';
import { MinerUError, type Phase } from '../../errors';
import { abortReason } from '../../util/clock';
import { silentLogger, type Logger } from '../../util/logger';
import { readJson, taskOf, type ServerCredential, type ServerHealth, type ServerTask } from './serverAnswers';
import { multipartBody } from './multipart';
import { requestOnce, type Answer, type SendOptions } from './serverRequest';
import { statusError, transportError } from './serverErrors';
import type { FormField } from './serverOptions';

export type { ServerCredential, ServerHealth, ServerTask, ServerTaskState } from './serverAnswers';

export interface SelfHostedClientOptions {
  /** The server's root, e.g. http://127.0.0.1:8000 or https://gpu.example.com/mineru/. */
  baseUrl: string;
  credential?: () => Promise<ServerCredential | undefined>;
  logger?: Logger;
  /** JSON calls: the whole answer (default 30 s). */
  timeoutMs?: number;
  /** Uploads and result downloads: longest wait without a byte (default 120 s). */
  idleTimeoutMs?: number;
}

export class SelfHostedClient {
  readonly baseUrl: string;
  readonly origin: string;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly idleTimeoutMs: number;

  constructor(private readonly options: SelfHostedClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new MinerUError({
        phase: 'validate',
        code: 'SELF_HOSTED_URL',
        message: `The self-hosted server URL must be http or https: ${options.baseUrl}`,
        reason: 'selfHosted.badUrl',
        params: { url: options.baseUrl },
        hint: 'Set mineru.selfHosted.url to the server, e.g. http://127.0.0.1:8000',
        retryable: false,
      });
    }
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.baseUrl = base.toString();
    this.origin = base.origin;
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
  }

  get host(): string {
    return new URL(this.baseUrl).host;
  }

  /** `GET /health`: 200 healthy, 503 unhealthy (both answer with the version). */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const answer = await this.send('GET', 'health', { phase: 'validate', signal, timeoutMs: this.timeoutMs });
    const body = await readJson(answer.body);
    if (answer.status !== 200 && answer.status !== 503)
      throw await this.fail('validate', 'health', answer, body);
    const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    return {
      healthy: answer.status === 200 && o.status !== 'unhealthy',
      status: typeof o.status === 'string' ? o.status : String(answer.status),
      ...(typeof o.version === 'string' ? { version: o.version } : {}),
      ...(typeof o.protocol_version === 'string' || typeof o.protocol_version === 'number'
        ? { protocolVersion: o.protocol_version }
        : {}),
      ...(typeof o.queued_tasks === 'number' ? { queuedTasks: o.queued_tasks } : {}),
      ...(typeof o.processing_tasks === 'number' ? { processingTasks: o.processing_tasks } : {}),
      ...(typeof o.max_concurrent_requests === 'number'
        ? { maxConcurrentRequests: o.max_concurrent_requests }
        : {}),
      ...(typeof o.error === 'string' ? { error: o.error } : {}),
    };
  }

  /**
   * Whether the server has the task API: `GET /tasks/<probe>` answers 404 "Task not found" on 3.x,
   * and FastAPI's plain 404 "Not Found" where the route does not exist (2.x has only /file_parse).
   */
  async hasTaskApi(signal?: AbortSignal): Promise<boolean> {
    const answer = await this.send('GET', 'tasks/mineru-vscode-probe', {
      phase: 'validate',
      signal,
      timeoutMs: this.timeoutMs,
    });
    const body = await readJson(answer.body);
    if (answer.status === 200) return true;
    if (answer.status === 404) return (body as { detail?: unknown } | undefined)?.detail === 'Task not found';
    throw await this.fail('validate', 'tasks/{task_id}', answer, body);
  }

  /** Whether the server is a 2.x one: its OpenAPI lists `/file_parse` and no `/tasks`. */
  async isLegacy(signal?: AbortSignal): Promise<boolean> {
    const answer = await this.send('GET', 'openapi.json', {
      phase: 'validate',
      signal,
      timeoutMs: this.timeoutMs,
    });
    const body = await readJson(answer.body);
    if (answer.status !== 200) return false;
    const paths = (body as { paths?: Record<string, unknown> } | undefined)?.paths ?? {};
    return '/file_parse' in paths && !('/tasks' in paths);
  }

  /** `POST /tasks` with one file: 202 and the task's status. The file is streamed, never buffered. */
  async submit(
    file: { path: string; size: number; name: string },
    fields: readonly FormField[],
    opts: { signal?: AbortSignal; onProgress?: TransferProgress } = {},
  ): Promise<ServerTask> {
    const body = multipartBody(fields, { field: 'files', ...file });
    const answer = await this.send('POST', 'tasks', {
      phase: 'upload',
      signal: opts.signal,
      body,
      onUploadProgress: opts.onProgress,
    });
    const json = await readJson(answer.body);
    if (answer.status !== 202 && answer.status !== 200)
      throw await this.fail('upload', 'tasks', answer, json);
    return taskOf(json, 'upload', this.host);
  }

  /** `GET /tasks/{id}`. */
  async getTask(taskId: string, signal?: AbortSignal): Promise<ServerTask> {
    const path = `tasks/${encodeURIComponent(taskId)}`;
    const answer = await this.send('GET', path, { phase: 'poll', signal, timeoutMs: this.timeoutMs });
    const json = await readJson(answer.body);
    if (answer.status !== 200) throw await this.fail('poll', path, answer, json);
    return taskOf(json, 'poll', this.host);
  }

  /**
   * `GET /tasks/{id}/result` into `dest` (a new file), capped at `maxBytes`. A task that is not
   * finished (202) or failed (409) is an error; the partial file is removed on any failure.
   */
  async downloadResult(
    taskId: string,
    dest: string,
    opts: { signal?: AbortSignal; maxBytes: number; onProgress?: TransferProgress },
  ): Promise<{ bytes: number }> {
    const path = `tasks/${encodeURIComponent(taskId)}/result`;
    const answer = await this.send('GET', path, { phase: 'download', signal: opts.signal });
    if (answer.status !== 200) {
      const json = await readJson(answer.body);
      if (answer.status === 202 || answer.status === 409) {
        const task = taskOf(json, 'download', this.host);
        throw new MinerUError({
          phase: 'download',
          code: answer.status === 202 ? 'SELF_HOSTED_NOT_READY' : 'SELF_HOSTED_FAILED',
          httpStatus: answer.status,
          host: this.host,
          message:
            answer.status === 202
              ? 'The server has no result for this task yet'
              : `Parsing failed on the service: ${task.error ?? 'no reason given'}`,
          ...(answer.status === 409
            ? {
                reason: 'service.taskFailed' as const,
                params: { serviceMsg: task.error ?? 'no reason given' },
              }
            : {}),
          retryable: true,
        });
      }
      throw await this.fail('download', path, answer, json);
    }
    const total = Number(answer.headers['content-length']);
    if (Number.isFinite(total) && total > opts.maxBytes) {
      answer.body.destroy();
      throw tooLarge(this.host, opts.maxBytes);
    }
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback): void {
        bytes += chunk.length;
        answer.touch();
        if (bytes > opts.maxBytes) return done(tooLarge('', opts.maxBytes));
        opts.onProgress?.(bytes, Number.isFinite(total) ? total : undefined);
        done(null, chunk);
      },
    });
    try {
      await pipeline(answer.body, counter, createWriteStream(dest, { flags: 'wx' }));
    } catch (error) {
      await fs.rm(dest, { force: true }).catch(() => undefined);
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (error instanceof MinerUError) {
        throw error.code === 'DOWNLOAD_TOO_LARGE' ? tooLarge(this.host, opts.maxBytes) : error;
      }
      throw transportError(error, 'download', this.baseUrl, undefined, await this.secrets());
    }
    return { bytes };
  }

  /** The URL of a path under the base; always on the base's origin. */
  urlOf(path: string): URL {
    const url = new URL(path, this.baseUrl);
    if (url.origin !== this.origin) throw new Error(`refusing a URL outside the server: ${path}`);
    return url;
  }

  private async secrets(): Promise<string[]> {
    const c = await this.options.credential?.().catch(() => undefined);
    if (!c) return [];
    return c.kind === 'bearer'
      ? [c.token]
      : [c.password, Buffer.from(`${c.user}:${c.password}`).toString('base64')];
  }

  private async fail(phase: Phase, path: string, answer: Answer, body: unknown): Promise<MinerUError> {
    const hasCredential = (await this.options.credential?.().catch(() => undefined)) !== undefined;
    const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined;
    return statusError(phase, this.host, answer.status, body, { path: `/${path}`, hasCredential, location });
  }

  /** One request on node's http(s): no redirects, no pooling surprises, the credential only here. */
  private async send(method: 'GET' | 'POST', path: string, opts: SendOptions): Promise<Answer> {
    const url = this.urlOf(path);
    const credential = await this.options.credential?.();
    const headers: Record<string, string | number> = { accept: 'application/json, application/zip' };
    // The URL was built from the base, so it is the server's origin; checked again all the same.
    if (credential && url.origin === this.origin) headers.authorization = authorization(credential);
    if (opts.body) {
      headers['content-type'] = opts.body.contentType;
      headers['content-length'] = opts.body.length;
    }
    const secrets = await this.secrets();
    const signal = opts.signal;
    if (signal?.aborted) throw abortReason(signal);
    const lib = url.protocol === 'https:' ? https : http;
    this.logger.debug(`${method} ${url.origin}${url.pathname}`);
    return requestOnce(lib, url, method, headers, opts, { idleTimeoutMs: this.idleTimeoutMs, secrets });
  }
}

function authorization(c: ServerCredential): string {
  return c.kind === 'bearer'
    ? `Bearer ${c.token}`
    : `Basic ${Buffer.from(`${c.user}:${c.password}`, 'utf8').toString('base64')}`;
}

function tooLarge(host: string, maxBytes: number): MinerUError {
  const mb = Math.round(maxBytes / 1_048_576);
  return new MinerUError({
    phase: 'download',
    code: 'DOWNLOAD_TOO_LARGE',
    message: `The result is larger than the ${mb} MB limit`,
    reason: 'download.tooLarge',
    params: { max: mb, ...(host ? { host } : {}) },
    hint: 'Raise mineru.maxResultSizeMB, or parse fewer pages',
    retryable: false,
  });
}
