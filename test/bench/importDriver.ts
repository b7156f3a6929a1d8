/**
 * Result-import driver: downloads one result zip from the fake's CDN and extracts it safely, with
 * the extension's own importer (downloadToFile + importResultZip). Reports the time of the import
 * alone (without Node's start-up) and the process's resident memory before and at its peak.
 *
 *   node out/test/bench/importDriver.js --url <zip url> --out <dir>
 */
import * as path from 'node:path';
import { createResultImporter } from '../../src/core/results/resultImporter';
import type { TaskRecord } from '../../src/core/tasks/task';
import { silentLogger } from '../../src/core/util/logger';
import { args, procStatusKb, report, runMain } from './common';

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
  const started = process.hrtime.bigint();
  const summary = await importer.importZip(task, a.url!, new AbortController().signal, () => undefined);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  report({ ms, idleKb, peakKb: procStatusKb('VmHWM'), markdown: path.basename(summary.markdownPath) });
}

runMain(main);
