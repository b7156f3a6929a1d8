/**
 * Result-import driver: downloads one result zip from the fake's CDN and extracts it safely, with
 * the extension's own importer (downloadToFile + importResultZip). Reports the time of the import
 * alone (without Node's start-up), the process's resident memory before and at its peak, and the
 * longest event-loop stall during the import (what every other extension of the host would feel):
 * its wall time, and how much of the longest gap the main thread spent on the CPU (its own work,
 * not waiting for a core of a busy machine), from Linux's schedstat.
 *
 *   node out/test/bench/importDriver.js --url <zip url> --out <dir>
 */
import * as path from 'node:path';
import { createResultImporter } from '../../src/core/results/resultImporter';
import type { TaskRecord } from '../../src/core/tasks/task';
import { silentLogger } from '../../src/core/util/logger';
import { args, procStatusKb, report, runMain, watchStalls } from './common';

async function main(): Promise<void> {
  const a = args(['url', 'out']);
  const importer = createResultImporter(silentLogger, () => ({
    maxZipBytes: 8192 * 1_048_576,
    tempDir: path.resolve(a.out!),
  }));
  const now = Date.now();
  const task: TaskRecord = {
    id: 'bench',
    name: 'bench-result',
    source: { kind: 'url', url: 'https://example.com/bench.pdf' },
    mode: 'precise',
    options: {},
    outputDir: path.join(path.resolve(a.out!), 'result'),
    state: 'importing',
    createdAt: now,
    updatedAt: now,
  };
  const idleKb = procStatusKb('VmRSS');
  const stalls = watchStalls();
  const started = process.hrtime.bigint();
  const summary = await importer.importZip(task, a.url!, new AbortController().signal, () => undefined);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const stall = stalls.stop();
  report({
    ms,
    idleKb,
    peakKb: procStatusKb('VmHWM'),
    ...stall,
    markdown: path.basename(summary.markdownPath),
  });
}

runMain(main);
