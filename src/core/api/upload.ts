/**
 * The presigned PUT of a local file to the upload host (Aliyun OSS for mineru.net).
 *
 * - Streams from disk; the file is never read into memory. Content-Length is set from `stat`.
 * - No Content-Type: the presigned signature is bound to an empty Content-Type, any value gives
 *   403 SignatureDoesNotMatch. Axios would add one for some bodies, so it is removed explicitly.
 * - No Authorization, ever: the upload host is not the API and needs no token.
 * - Transient failures (network, timeout, 429, 5xx) are retried; a PUT is idempotent (the same
 *   object is overwritten) and the stream is re-opened on each attempt.
 * - An OSS XML error becomes a readable MinerUError naming the upload host and OSS Code/Message.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { AxiosResponse } from 'axios';
import { type ErrorParams, MinerUError } from '../errors';
import { hostLabel } from '../net/hosts';
import { networkError } from '../net/networkError';
import { classifyRetry, markTransient } from '../net/retryClassification';
import { formatSeconds, withTimeout } from '../net/timeout';
import { abortReason } from '../util/clock';
import { safeUrl } from '../util/logger';
import { parseRetryAfter, withRetry } from '../util/retry';
import type { HttpTransport } from './http';
import type { TransferProgress } from './types';

export interface UploadOptions {
  signal?: AbortSignal | undefined;
  onProgress?: TransferProgress | undefined;
}

/** Reads `<Code>` and `<Message>` out of an OSS (S3-style) XML error body. */
export function parseOssError(text: string): { code?: string; message?: string } {
  const pick = (tag: string): string | undefined => {
    const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'i').exec(text);
    return match?.[1]?.trim() || undefined;
  };
  const out: { code?: string; message?: string } = {};
  const code = pick('Code');
  const message = pick('Message');
  if (code) out.code = code;
  if (message) out.message = message;
  return out;
}

function uploadStatusError(response: AxiosResponse<unknown>, putUrl: string, now: number): MinerUError {
  const host = hostLabel(putUrl);
  const status = response.status;
  const text = typeof response.data === 'string' ? response.data.slice(0, 4096) : '';
  const oss = parseOssError(text);
  const detail = oss.code ? `: ${oss.code}${oss.message ? ` — ${oss.message}` : ''}` : '';
  const message = `The upload host ${host} rejected the file (HTTP ${status}${detail})`;
  const base = {
    phase: 'upload' as const,
    reason: 'upload.rejected' as const,
    httpStatus: status,
    host,
    code: oss.code ?? `HTTP_${status}`,
    message,
  };
  const expired = /expired/i.test(oss.message ?? '') || /expired/i.test(oss.code ?? '');
  const params = (why: string): ErrorParams => ({
    host,
    status,
    ...(oss.code ? { ossCode: oss.code } : {}),
    ...(oss.message ? { ossMessage: oss.message } : {}),
    why,
  });
  if (oss.code === 'SignatureDoesNotMatch') {
    return new MinerUError({
      ...base,
      params: params('signature'),
      hint: 'The upload link did not accept the request as sent; a proxy may be adding headers. Check the proxy settings and parse the file again',
      retryable: false,
    });
  }
  if (expired || oss.code === 'AccessDenied') {
    return new MinerUError({
      ...base,
      params: params(expired ? 'expired' : 'refused'),
      hint: expired
        ? 'The upload link has expired (links last 24 h); parse the file again to get a new one'
        : 'The upload link was refused; parse the file again to get a new one',
      retryable: false,
    });
  }
  if (status === 429 || status >= 500) {
    const afterMs = parseRetryAfter((response.headers as Record<string, unknown>)['retry-after'], now);
    return markTransient(
      new MinerUError({
        ...base,
        params: params('busy'),
        hint: 'Try again in a few minutes',
        retryable: true,
      }),
      {
        kind: 'status',
        httpStatus: status,
        ...(afterMs === undefined ? {} : { afterMs }),
      },
    );
  }
  return new MinerUError({
    ...base,
    params: params('other'),
    hint: 'Parse the file again to get a new upload link',
    retryable: false,
  });
}

/** Counts bytes as the HTTP client pulls them from the file stream. */
class CountingStream extends Transform {
  private sent = 0;
  constructor(
    private readonly total: number,
    private readonly onProgress: TransferProgress | undefined,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sent += chunk.length;
    this.onProgress?.(this.sent, this.total);
    callback(null, chunk);
  }
}

/** Local file problems (not the network): never retried, never blamed on the upload host. */
const FILE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'EMFILE', 'EBUSY']);

function fileError(code: string): MinerUError {
  return new MinerUError({
    phase: 'upload',
    reason: 'upload.fileUnreadable',
    params: { code },
    message: `The file to upload could not be read (${code})`,
    hint: 'Check that the file still exists and is readable',
    code: 'EFILE',
    retryable: false,
  });
}

/** PUTs `filePath` to the presigned `putUrl`. Resolves on HTTP 200/201. */
export async function uploadFile(
  transport: HttpTransport,
  putUrl: string,
  filePath: string,
  timeoutMs: number,
  options: UploadOptions = {},
): Promise<void> {
  const { clock, logger, retry, random } = transport.options;
  const host = hostLabel(putUrl);
  const label = `PUT ${safeUrl(putUrl)}`;
  let size: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = info.size;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw fileError(typeof code === 'string' ? code : 'not a file');
  }

  await withRetry(
    async (attempt) => {
      const started = clock.now();
      logger.debug(`→ ${label} ${size} bytes${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      options.onProgress?.(0, size);
      const response = await withTimeout(timeoutMs, options.signal, async (signal, timedOut) => {
        // 1 MiB reads: fewer, larger writes to the socket than the 64 KiB default.
        const file = createReadStream(filePath, { highWaterMark: 1 << 20 });
        const counter = new CountingStream(size, options.onProgress);
        file.on('error', (error) => counter.destroy(error));
        file.pipe(counter);
        try {
          return await transport.axios.request<unknown>({
            method: 'PUT',
            url: putUrl,
            data: counter,
            // `false` stops axios from adding its default Content-Type; Authorization is never set.
            headers: { 'Content-Length': String(size), 'Content-Type': false },
            responseType: 'text',
            transformResponse: [(data: unknown) => data],
            maxBodyLength: Infinity,
            maxContentLength: 1024 * 1024,
            signal,
          });
        } catch (error) {
          if (options.signal?.aborted) throw abortReason(options.signal);
          const code = (error as { code?: unknown }).code;
          if (typeof code === 'string' && FILE_CODES.has(code)) throw fileError(code);
          throw networkError(error, 'upload', putUrl, timedOut() ? { ms: timeoutMs } : undefined, []);
        } finally {
          file.destroy();
        }
      }).catch((error: unknown) => {
        const ms = clock.now() - started;
        if (options.signal?.aborted) logger.debug(`✗ ${label} cancelled after ${ms} ms`);
        else
          logger.info(
            `✗ ${label} failed after ${ms} ms: ${error instanceof Error ? error.message : 'error'}`,
          );
        throw error;
      });
      const ms = clock.now() - started;
      if (response.status === 200 || response.status === 201) {
        logger.debug(`← ${label} ${response.status} ${size} bytes in ${formatSeconds(ms)}`);
        options.onProgress?.(size, size);
        return;
      }
      const error = uploadStatusError(response, putUrl, clock.now());
      logger.info(`✗ ${label} ${response.status} ${ms} ms: ${error.message}`);
      throw error;
    },
    (error) => classifyRetry(error, 'idempotent', retry),
    {
      clock,
      random,
      policy: retry,
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: (attempt, delayMs, error) =>
        logger.info(
          `${label}: ${error instanceof Error ? error.message : 'error'}; retrying in ${formatSeconds(delayMs)} ` +
            `(attempt ${attempt + 1} of ${retry.maxAttempts}) to ${host}`,
        ),
    },
  );
}
