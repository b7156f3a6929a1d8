/**
 * The host's side of splitting (no vscode): splitDocument runs the split in a worker thread and
 * resolves with the part files, or rejects with a SplitError (or, for an unexpected failure, a
 * MinerUError 'task.unexpected'). Aborting terminates the worker and removes every file it wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MinerUError } from '../errors';
import { isSplitErrorCode, SplitError, type SplitResult } from './splitErrors';
import type { SplitWorkerInput, SplitWorkerMessage } from './splitProtocol';
import type { SplitLimits } from './splitPlan';

export { SplitError, type SplitErrorCode, type SplitPart, type SplitResult } from './splitErrors';
export { planSplit, type PageRange, type SplitLimits } from './splitPlan';

export interface SplitOptions {
  signal?: AbortSignal;
  /** The worker's script; by default splitWorker.js beside this module (dist/ or out/src/core/split/). */
  workerScript?: string;
  onProgress?: (pagesDone: number, totalPages: number) => void;
}

/**
 * Splits the PDF at `filePath` into `<folder>/<stem>.part-<k>.pdf`, each part within the limits
 * (with their margin), on page boundaries. The folder must exist; no existing file is overwritten.
 */
export function splitDocument(
  filePath: string,
  limits: SplitLimits,
  folder: string,
  options: SplitOptions = {},
): Promise<SplitResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new SplitError('cancelled'));
  const input: SplitWorkerInput = { filePath, limits, folder };
  const worker = new Worker(options.workerScript ?? path.join(__dirname, 'splitWorker.js'), {
    workerData: input,
  });
  const written = new Set<string>();
  return new Promise<SplitResult>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: Error): void =>
      settle(() => {
        // The worker may still be writing: stop it before removing its files.
        void worker.terminate().finally(() => {
          removeAll(written);
          reject(error);
        });
      });
    const onAbort = (): void => fail(new SplitError('cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: SplitWorkerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'file':
          written.add(message.path);
          break;
        case 'progress':
          options.onProgress?.(message.pagesDone, message.totalPages);
          break;
        case 'done':
          settle(() => {
            void worker.terminate();
            resolve(message.result);
          });
          break;
        case 'error':
          fail(errorOf(message));
          break;
      }
    });
    worker.on('error', (error) => fail(unexpected(error.message, error)));
    worker.on('exit', (exitCode) => fail(unexpected(`the splitter stopped (exit code ${exitCode})`)));
  });
}

function errorOf(message: Extract<SplitWorkerMessage, { type: 'error' }>): Error {
  if (isSplitErrorCode(message.code))
    return new SplitError(message.code, message.page === undefined ? {} : { page: message.page });
  return unexpected(message.message);
}

function unexpected(detail: string, cause?: unknown): MinerUError {
  return new MinerUError({
    phase: 'validate',
    reason: 'task.unexpected',
    params: { detail },
    message: `Splitting failed: ${detail}`,
    cause,
  });
}

function removeAll(files: Iterable<string>): void {
  for (const file of files) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // Best effort: a file that cannot be removed stays in the temporary folder.
    }
  }
}
