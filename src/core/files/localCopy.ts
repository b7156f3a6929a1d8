import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { TransferProgress } from '../api/types';
import { LINK_EXPIRED, MinerUError, type SerializedError } from '../errors';
import { hostOf } from '../net/hosts';
import { sanitizeName } from '../results/naming';
import type { Logger } from '../util/logger';

/** Service codes for "could not fetch the URL": -60008 read timeout, -60003 read failure. */
const FETCH_FAILURE_CODES = new Set(['-60008', '-60003']);

/**
 * Whether a failed URL task failed because the service could not fetch the document itself, so
 * that downloading it here and uploading the bytes may work.
 */
export function isFetchFailure(error: SerializedError | undefined): boolean {
  if (!error || error.phase !== 'parse') return false;
  if (error.code && FETCH_FAILURE_CODES.has(error.code)) return true;
  return /read timeout|url is accessible|failed to (?:read|download|fetch)/i.test(error.message);
}

/**
 * The file name a downloaded URL is uploaded under: the last path segment, decoded and made safe
 * ("Annual%20Report.pdf" → "Annual Report.pdf"); "document" when the URL has no usable name.
 */
export function fileNameFromUrl(url: string): string {
  let segment = '';
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean);
    segment = parts[parts.length - 1] ?? '';
  } catch {
    segment = '';
  }
  try {
    segment = decodeURIComponent(segment);
  } catch {
    // keep the raw segment
  }
  const ext = path.extname(segment).toLowerCase();
  const stem = sanitizeName(ext ? segment.slice(0, -ext.length) : segment, 150);
  return `${stem}${/^\.[a-z0-9]{1,8}$/.test(ext) ? ext : ''}`;
}

export interface LocalCopyOptions {
  /** Largest download accepted, in bytes. */
  maxBytes: number;
  signal?: AbortSignal;
  onProgress?: TransferProgress;
  logger?: Logger;
  timeoutMs?: number;
}

export interface LocalCopy {
  /** Where the bytes are: `<dir>/<random>/<name>`. */
  path: string;
  /** The name to upload it as (see {@link fileNameFromUrl}). */
  name: string;
  size: number;
}

/**
 * Downloads a document URL into a folder of its own under `dir`, without credentials and with a
 * size cap, so that it can be uploaded instead of fetched by the service. Errors speak of the
 * document, not of a result: the download error's code is kept.
 */
export async function downloadForUpload(
  url: string,
  dir: string,
  opts: LocalCopyOptions,
): Promise<LocalCopy> {
  const name = fileNameFromUrl(url);
  const folder = path.join(dir, randomUUID());
  const dest = path.join(folder, name);
  try {
    // Loaded on first use: the download code (and axios) stays out of activation.
    const { downloadToFile } = await import('../results/download.js');
    const { bytes } = await downloadToFile(url, dest, {
      maxBytes: opts.maxBytes,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return { path: dest, name, size: bytes };
  } catch (error) {
    await fs.rm(folder, { recursive: true, force: true }).catch(() => undefined);
    if (!(error instanceof MinerUError)) throw error;
    const host = error.host ?? hostOf(url);
    if (error.code === 'DOWNLOAD_TOO_LARGE') {
      throw new MinerUError({
        phase: 'download',
        code: error.code,
        message: `The document at ${host ?? url} is larger than the ${Math.round(opts.maxBytes / 1_048_576)} MB limit for local downloads`,
        reason: 'localCopy.tooLarge',
        params: { location: host ?? url, mb: Math.round(opts.maxBytes / 1_048_576) },
        hint: 'Raise the local download limit in the settings, or download it yourself and parse the file',
        ...(host ? { host } : {}),
        retryable: false,
        cause: error,
      });
    }
    if (error.code === LINK_EXPIRED) {
      throw new MinerUError({
        phase: 'download',
        code: `HTTP_${error.httpStatus ?? 403}`,
        ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
        message: `${host ?? 'The server'} refused the download of the document (HTTP ${error.httpStatus ?? 403})`,
        reason: 'localCopy.refused',
        params: { ...(host ? { host } : {}), status: error.httpStatus ?? 403 },
        hint: 'The link may need a login or may have expired; download it in a browser and parse the file',
        ...(host ? { host } : {}),
        retryable: false,
        cause: error,
      });
    }
    throw error;
  }
}

/** Deletes the folder a {@link downloadForUpload} created for `filePath` (only when it lies under `dir`). */
export async function removeLocalCopy(dir: string, filePath: string): Promise<void> {
  const folder = path.dirname(path.resolve(filePath));
  const rel = path.relative(path.resolve(dir), folder);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)) return;
  await fs.rm(folder, { recursive: true, force: true });
}
