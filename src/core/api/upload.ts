/**
 * The presigned PUT of a local file to the upload host (Aliyun OSS for mineru.net).
 *
 * - Streams from disk; the file is never read into memory. Content-Length is set from `stat`.
 * - No Content-Type: the presigned signature is bound to an empty Content-Type, any value gives
 *   403 SignatureDoesNotMatch. Node's http client adds none.
 * - No Authorization, ever: the upload host is not the API and needs no token (user info in the
 *   link is dropped: node would send it as basic auth).
 * - Node's own http(s), not axios: its request path cost ~13 % of a 150 MB upload (BENCHMARKS.md,
 *   issue 17 part 8). In VS Code these modules are the host's, patched for `http.proxy`.
 * - Transient failures (network, timeout, 429, 5xx) are retried; a PUT is idempotent (the same
 *   object is overwritten) and the stream is re-opened on each attempt.
 * - An OSS XML error becomes a readable MinerUError naming the upload host and OSS Code/Message.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
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

/** The upload host's answer: its status, headers and the start of its body (an OSS error's XML). */
interface PutAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function uploadStatusError(response: PutAnswer, putUrl: string, now: number): MinerUError {
  const host = hostLabel(putUrl);
  const status = response.status;
  const text = response.text.slice(0, 4096);
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
    const afterMs = parseRetryAfter(response.headers['retry-after'], now);
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

/** The part of an answer kept: an OSS error is a few hundred bytes of XML. */
const ANSWER_BYTES = 64 * 1024;

/**
 * One PUT of the file's bytes, streamed from disk in 1 MiB reads (fewer, larger writes to the
 * socket than the 64 KiB default) and counted as they are read. Resolves with the answer; a file
 * that cannot be read rejects with its own error (its code, such as ENOENT), a network failure
 * with node's. `signal` is watched by hand, as in the download: node's own `signal` option would
 * destroy a socket already back in the keep-alive pool.
 */
function putOnce(
  url: URL,
  filePath: string,
  size: number,
  agent: http.Agent | undefined,
  userAgent: string | undefined,
  signal: AbortSignal,
  onProgress: TransferProgress | undefined,
): Promise<PutAnswer> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<PutAnswer>((resolve, reject) => {
    const file = createReadStream(filePath, { highWaterMark: 1 << 20 });
    let settled = false;
    const finish = (error: Error | undefined, answer?: PutAnswer): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      file.destroy();
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(answer!);
    };
    const onAbort = (): void => finish(abortReason(signal));
    const request = lib.request(
      url,
      {
        method: 'PUT',
        headers: { 'Content-Length': size, ...(userAgent ? { 'User-Agent': userAgent } : {}) },
        ...(agent ? { agent } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < ANSWER_BYTES) chunks.push(chunk);
          kept += chunk.length;
        });
        response.on('error', (error) => finish(error));
        response.on('end', () =>
          finish(undefined, {
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', (error) => finish(error));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return onAbort();
    let sent = 0;
    file.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      onProgress?.(sent, size);
    });
    file.on('error', (error) => finish(error));
    file.pipe(request);
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
  const { clock, logger, retry, random, userAgent } = transport.options;
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
        try {
          const target = new URL(putUrl);
          target.username = '';
          target.password = '';
          const agent =
            target.protocol === 'https:' ? transport.options.httpsAgent : transport.options.httpAgent;
          return await putOnce(target, filePath, size, agent, userAgent, signal, options.onProgress);
        } catch (error) {
          if (options.signal?.aborted) throw abortReason(options.signal);
          const code = (error as { code?: unknown }).code;
          if (typeof code === 'string' && FILE_CODES.has(code)) throw fileError(code);
          throw networkError(error, 'upload', putUrl, timedOut() ? { ms: timeoutMs } : undefined, []);
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
