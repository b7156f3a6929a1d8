/**
 * Split driver (issue 18): splitDocument on one large PDF, as the extension host would call it,
 * one measurement per run. The split runs in a worker thread of this process, so the process's
 * resident memory is the splitter's (the worker shares it) and the main thread's event loop is the
 * host's: what it feels while a part is written.
 *
 *   node out/test/bench/splitDriver.js --file <pdf> --out <dir> --worker <splitWorker.js>
 *        --max-pages 600 --max-mb 200
 *
 * Prints { ms, idleKb, peakKb, hwmKb, stallMaxMs, stallP99Ms, stallCpuMaxMs, parts, totalPages }.
 */
import { statSync } from 'node:fs';
import { splitDocument } from '../../src/core/split/splitter';
import { args, procStatusKb, report, runMain, watchStalls } from './common';

/** Resident memory is sampled this often during the split. */
const SAMPLE_MS = 20;

async function main(): Promise<void> {
  const a = args(['file', 'out', 'worker', 'max-pages', 'max-mb']);
  const limits = { maxPages: Number(a['max-pages']), maxBytes: Number(a['max-mb']) * 1_048_576 };
  const idleKb = procStatusKb('VmRSS');
  let peakKb = idleKb;
  const sampler = setInterval(() => {
    peakKb = Math.max(peakKb, procStatusKb('VmRSS'));
  }, SAMPLE_MS);
  const stalls = watchStalls();
  const started = performance.now();
  const result = await splitDocument(a.file as string, limits, a.out as string, {
    workerScript: a.worker as string,
  });
  const ms = performance.now() - started;
  const stall = stalls.stop();
  clearInterval(sampler);
  peakKb = Math.max(peakKb, procStatusKb('VmRSS'));
  for (const part of result.parts) {
    if (statSync(part.path).size !== part.bytes)
      throw new Error(`part ${part.index}: the size reported is not the file's`);
    if (part.bytes > limits.maxBytes)
      throw new Error(`part ${part.index} is over the size limit: ${part.bytes} bytes`);
    if (part.lastPage - part.firstPage + 1 > limits.maxPages)
      throw new Error(`part ${part.index} is over the page limit`);
  }
  report({
    ms,
    idleKb,
    peakKb,
    hwmKb: procStatusKb('VmHWM'),
    ...stall,
    totalPages: result.totalPages,
    parts: result.parts.map((p) => ({ first: p.firstPage, last: p.lastPage, mb: p.bytes / 1_048_576 })),
  });
}

runMain(main);
