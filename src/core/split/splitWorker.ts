/**
 * The worker thread's entry (bundled to dist/splitWorker.js; tsc writes it beside splitter.js):
 * splits the file of its workerData and posts what happens to the host, so that parsing and
 * writing a large PDF never runs on the extension host's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SplitError } from './splitErrors';
import { splitPdfFile } from './splitPdf';
import type { SplitWorkerInput, SplitWorkerMessage } from './splitProtocol';

function post(message: SplitWorkerMessage): void {
  parentPort?.postMessage(message);
}

async function run(input: SplitWorkerInput): Promise<void> {
  try {
    const result = await splitPdfFile({
      ...input,
      onFile: (path) => post({ type: 'file', path }),
      onProgress: (pagesDone, totalPages) => post({ type: 'progress', pagesDone, totalPages }),
    });
    post({ type: 'done', result });
  } catch (error) {
    if (error instanceof SplitError) {
      post({
        type: 'error',
        code: error.code,
        message: error.message,
        ...(error.page === undefined ? {} : { page: error.page }),
      });
    } else {
      post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }
}

if (parentPort) void run(workerData as SplitWorkerInput);
