import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as http from 'node:http';
import * as https from 'node:https';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { TransferProgress } from '../api/types';
import { LINK_EXPIRED, MinerUError } from '../errors';
import { hostOf } from '../net/hosts';
import { classifyNetworkFailure } from '../net/networkError';
import { abortReason } from '../util/clock';
import { safeUrl, silentLogger, type Logger } from '../util/logger';

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Refused up front when Content-Length says more, aborted while streaming once exceeded. */
  maxBytes: number;
  /** Idle timeout: no connection, headers or body bytes for this long (default 60 s). */
  timeoutMs?: number;
  onProgress?: TransferProgress;
  logger?: Logger;
  /** Sent as Referer, for CDNs that demand one (mineru-api.md §7.3, pitfall 9). */
  referer?: string;
}

export { LINK_EXPIRED };

export function isLinkExpired(error: unknown): boolean {
  return error instanceof MinerUError && error.code === LINK_EXPIRED;
}

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;

/** A failure below HTTP, worded for a download; the connection cut mid-body is CONNECTION_DROPPED. */
function networkError(error: unknown, host: string | undefined, duringBody: boolean): MinerUError {
  const failure = classifyNetworkFailure(error);
  const code = failure.code ?? (duringBody ? 'CONNECTION_DROPPED' : 'NETWORK_ERROR');
  const tls = failure.kind === 'tls';
  const dns = failure.kind === 'dns';
  return new MinerUError({
    phase: 'download',
    code: duringBody ? 'CONNECTION_DROPPED' : code,
    reason: duringBody ? 'download.dropped' : 'download.unreachable',
    params: { ...(host ? { host } : {}), code, kind: tls ? 'tls' : dns ? 'dns' : 'other' },
    message: duringBody
      ? `The connection to ${host ?? 'the download host'} dropped during the download (${code})`
      : `Could not reach ${host ?? 'the download host'} (${code})`,
    hint: tls
      ? 'A proxy or security product may be intercepting HTTPS; check the proxy settings (http.proxy) and certificates.'
      : dns
        ? 'Check the network connection, VPN and proxy settings (http.proxy).'
        : 'Check the network, VPN or proxy, then Retry.',
    host,
    retryable: duringBody || (!tls && !dns),
    cause: error,
  });
}

function statusError(status: number, host: string | undefined): MinerUError {
  if (status === 403 || status === 404 || status === 410) {
    return new MinerUError({
      phase: 'download',
      code: LINK_EXPIRED,
      httpStatus: status,
      message: `The result link was refused by ${host ?? 'the download host'} (HTTP ${status}); it has probably expired`,
      reason: 'download.linkExpired',
      params: { ...(host ? { host } : {}), status },
      hint: 'Refreshing the link from the MinerU service and downloading again.',
      host,
      retryable: false,
    });
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  return new MinerUError({
    phase: 'download',
    code: `HTTP_${status}`,
    httpStatus: status,
    message: `The download host ${host ?? ''} answered HTTP ${status}`.replace('  ', ' '),
    reason: 'download.status',
    params: { ...(host ? { host } : {}), status, busy: retryable ? 1 : 0 },
    hint: retryable
      ? 'The download host is busy or failing; Retry in a few minutes.'
      : 'Try parsing the document again.',
    host,
    retryable,
  });
}

function tooLarge(maxBytes: number, host: string | undefined, seen: number | undefined): MinerUError {
  return new MinerUError({
    phase: 'download',
    code: 'DOWNLOAD_TOO_LARGE',
    message: `The result is larger than the ${maxBytes}-byte limit${seen === undefined ? '' : ` (${seen} bytes)`}`,
    reason: 'download.tooLarge',
    params: seen === undefined ? { max: maxBytes } : { max: maxBytes, seen },
    hint: 'Parse the document in parts (page ranges), or raise the size limit in the settings.',
    host,
    retryable: false,
  });
}

/** The hops a download follows before it gives up (the limit browsers and curl use is near this). */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function badUrl(): MinerUError {
  return new MinerUError({
    phase: 'download',
    code: 'BAD_URL',
    message: 'The result link is not a valid URL',
    reason: 'download.badUrl',
    retryable: false,
  });
}

/**
 * `href` (resolved against `base` for a redirect's Location) as a URL that may be fetched: http or
 * https only, and without user info, which node would otherwise send as basic auth.
 */
function fetchableUrl(href: string, base: URL | undefined, logger: Logger): URL {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    throw badUrl();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MinerUError({
      phase: 'download',
      code: 'BAD_URL',
      message: `The result link uses '${url.protocol}', only http and https are downloaded`,
      reason: 'download.badProtocol',
      params: { protocol: url.protocol },
      host: base?.host ?? hostOf(href),
      retryable: false,
    });
  }
  if (url.username || url.password) {
    logger.warn('Dropping user name/password from the download link; downloads never send credentials.');
    url.username = '';
    url.password = '';
  }
  return url;
}

function tooManyRedirects(host: string | undefined): MinerUError {
  return new MinerUError({
    phase: 'download',
    code: 'TOO_MANY_REDIRECTS',
    message: `The download host ${host ?? ''} redirected more than ${MAX_REDIRECTS} times`.replace('  ', ' '),
    reason: 'download.redirects',
    params: { ...(host ? { host } : {}), max: MAX_REDIRECTS },
    hint: 'Try parsing the document again.',
    host,
    retryable: false,
  });
}

/**
 * One GET on node's http(s), resolved at the headers. Only the headers given are sent: node adds
 * no Authorization or Cookie of its own, and `url` carries no user info (see fetchableUrl). In
 * VS Code these modules are the host's, patched for `http.proxy`, as for every other request.
 * `signal` counts until the headers only; the body's reader owns the answer after that. (Given
 * to node's own `signal` option, an abort after a small body had ended would destroy the socket
 * already back in the keep-alive pool, where nothing listens for its error.)
 */
function getOnce(
  url: URL,
  headers: http.OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      request.destroy();
      reject(abortReason(signal));
    };
    const request = lib.get(url, { headers }, (response) => {
      signal.removeEventListener('abort', onAbort);
      resolve(response);
    });
    request.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A decoder for a body the server compressed although `identity` was asked for. */
function decoderFor(encoding: string | undefined): Transform | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Streams `url` to `destPath` through a temporary file beside it, renamed into place only when
 * complete; on any failure the partial file is deleted. No credentials are ever sent: only Accept,
 * Accept-Encoding and an optional Referer go out, user info in the URL is dropped, and redirects
 * (at most {@link MAX_REDIRECTS}, http and https only) are followed the same way. Failures are
 * MinerUErrors with phase 'download'; CDN 403/404/410 has code {@link LINK_EXPIRED}. Cancellation
 * rejects with the signal's abort error.
 */
export async function downloadToFile(
  url: string,
  destPath: string,
  opts: DownloadOptions,
): Promise<{ bytes: number }> {
  const logger = opts.logger ?? silentLogger;
  const signal = opts.signal;
  const host = hostOf(url);
  if (signal?.aborted) throw abortReason(signal);
  const target = fetchableUrl(url, undefined, logger);

  const maxBytes = opts.maxBytes;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const controller = new AbortController();
  let failure: MinerUError | undefined;
  const fail = (error: MinerUError): void => {
    if (!failure) failure = error;
    controller.abort(error);
  };
  const onUserAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onUserAbort, { once: true });

  let idle: ReturnType<typeof setTimeout> | undefined;
  const touch = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      fail(
        new MinerUError({
          phase: 'download',
          code: 'ETIMEDOUT',
          message: `No data from ${host ?? 'the download host'} for ${Math.round(timeoutMs / 1000)} s`,
          reason: 'download.idle',
          params: { ...(host ? { host } : {}), seconds: Math.round(timeoutMs / 1000) },
          hint: 'Check the network, VPN or proxy, then Retry.',
          host,
          retryable: true,
        }),
      );
    }, timeoutMs);
  };

  const dir = path.dirname(destPath);
  const temp = path.join(dir, `.${path.basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
  const headers: http.OutgoingHttpHeaders = {
    Accept: '*/*',
    'Accept-Encoding': 'identity',
    ...(opts.referer ? { Referer: opts.referer } : {}),
  };
  let response: http.IncomingMessage | undefined;
  let bytes = 0;
  let duringBody = false;
  logger.debug(`GET ${safeUrl(target.href)} → ${destPath}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    let current = target;
    for (let hop = 0; ; hop++) {
      touch();
      response = await getOnce(current, headers, controller.signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) break;
      response.resume();
      if (hop >= MAX_REDIRECTS) throw tooManyRedirects(host);
      current = fetchableUrl(location, current, logger);
      logger.debug(`Redirected to ${safeUrl(current.href)}`);
    }
    touch();
    const body = response;
    const status = body.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      body.destroy();
      throw statusError(status, host);
    }
    const decoder = decoderFor(body.headers['content-encoding']);
    const lengthHeader = decoder ? NaN : Number(body.headers['content-length']);
    const total = Number.isFinite(lengthHeader) && lengthHeader >= 0 ? lengthHeader : undefined;
    if (total !== undefined && total > maxBytes) {
      body.destroy();
      throw tooLarge(maxBytes, host, total);
    }
    const counter = new Transform({
      transform(chunk: Buffer, _enc, callback: TransformCallback): void {
        bytes += chunk.length;
        touch();
        if (bytes > maxBytes) {
          const error = tooLarge(maxBytes, host, undefined);
          fail(error);
          callback(error);
          return;
        }
        opts.onProgress?.(bytes, total);
        callback(null, chunk);
      },
    });
    duringBody = true;
    opts.onProgress?.(0, total);
    const file = createWriteStream(temp, { flags: 'wx' });
    const options = { signal: controller.signal };
    await (decoder
      ? pipeline(body, decoder, counter, file, options)
      : pipeline(body, counter, file, options));
    if (total !== undefined && bytes < total) {
      throw networkError(new Error(`got ${bytes} of ${total} bytes`), host, true);
    }
    await fs.rename(temp, destPath);
    logger.info(`Downloaded ${bytes} bytes from ${host ?? 'the download host'}.`);
    return { bytes };
  } catch (error) {
    response?.destroy();
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (signal?.aborted) throw abortReason(signal);
    if (failure) throw failure;
    if (error instanceof MinerUError) throw error;
    throw networkError(error, host, duringBody);
  } finally {
    if (idle) clearTimeout(idle);
    signal?.removeEventListener('abort', onUserAbort);
  }
}
