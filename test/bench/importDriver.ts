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
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createResultImporter } from '../../src/core/results/resultImporter';
import type { TaskRecord } from '../../src/core/tasks/task';
import { silentLogger } from '../../src/core/util/logger';
import { args, procStatusKb, report, runMain } from './common';

const STALL_RESOLUTION_MS = 1;

/** The main thread's time on the CPU so far, in ms (Linux schedstat); undefined elsewhere. */
function mainThreadCpuMs(): number | undefined {
  try {
    const onCpuNs = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(onCpuNs) ? onCpuNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Watches 1 ms ticks: the longest on-CPU time of the main thread between two of them. */
function watchMainThread(): { stop: () => number | undefined } {
  let last = mainThreadCpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = mainThreadCpuMs();
    if (now !== undefined && last !== undefined) longest = Math.max(longest, now - last);
    last = now;
  }, STALL_RESOLUTION_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return last === undefined ? undefined : longest;
    },
  };
}

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
  // A 1 ms timer: each sample is the time between two ticks, so a sample minus 1 ms is a stall.
  const loop = monitorEventLoopDelay({ resolution: STALL_RESOLUTION_MS });
  loop.enable();
  const cpu = watchMainThread();
  const started = process.hrtime.bigint();
  const summary = await importer.importZip(task, a.url!, new AbortController().signal, () => undefined);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  loop.disable();
  const stallCpuMaxMs = cpu.stop();
  const stall = (ns: number): number => Math.max(0, ns / 1e6 - STALL_RESOLUTION_MS);
  report({
    ms,
    idleKb,
    peakKb: procStatusKb('VmHWM'),
    stallMaxMs: stall(loop.max),
    stallP99Ms: stall(loop.percentile(99)),
    stallCpuMaxMs,
    markdown: path.basename(summary.markdownPath),
  });
}

runMain(main);
