/**
 * Self-hosted driver: the extension's code against a self-hosted MinerU server (the fake
 * mineru-api, living in the orchestrator's process), one measurement per run.
 *
 *   node out/test/bench/selfHostedDriver.js --mode doc --url <server> --file <pdf> --out <dir>
 *     the real engine + SelfHostedService + importer parse one local file to the end; the
 *     orchestrator counts the requests the server saw (submit, polls and their spacing, result)
 *   node out/test/bench/selfHostedDriver.js --mode upload --url <server> --file <path>
 *     one streamed multipart POST /tasks of the file (SelfHostedClient.submit): its time, the
 *     resident memory before it and at its peak, and the longest event-loop stall
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MinerUClient } from '../../src/core/api/client';
import { documentNameFromFile } from '../../src/core/results/naming';
import { createResultImporter } from '../../src/core/results/resultImporter';
import { mineruServices } from '../../src/core/services/mineruServices';
import { SelfHostedClient } from '../../src/core/services/selfHosted/serverClient';
import { formFields } from '../../src/core/services/selfHosted/serverOptions';
import { SelfHostedService } from '../../src/core/services/selfHosted/selfHostedService';
import { withSelfHostedResults } from '../../src/core/services/selfHosted/selfHostedResults';
import { ParseEngine } from '../../src/core/tasks/engine';
import { isActive } from '../../src/core/tasks/task';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { systemClock } from '../../src/core/util/clock';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';
import { silentLogger } from '../../src/core/util/logger';
import { args, procStatusKb, report, runMain, watchStalls } from './common';

async function parseOne(url: string, file: string, out: string): Promise<void> {
  const selfHosted = new SelfHostedService({
    connection: () => ({ baseUrl: url }),
    clock: systemClock,
    logger: silentLogger,
    downloadDir: path.join(out, 'downloads'),
    maxDownloadBytes: () => 1024 * 1_048_576,
  });
  // The cloud is never called: a request there would fail on port 9.
  const cloud = new MinerUClient({
    baseUrl: 'http://127.0.0.1:9/api/v4',
    getToken: () => Promise.resolve(undefined),
    logger: silentLogger,
  });
  const settings = (): { maxZipBytes: number; tempDir: string } => ({
    maxZipBytes: 1024 * 1_048_576,
    tempDir: out,
  });
  const store = new TaskStore(new MemoryKeyValueStore());
  const engine = new ParseEngine({
    services: mineruServices(cloud, silentLogger, selfHosted),
    importer: withSelfHostedResults(createResultImporter(silentLogger, settings), {
      clientFor: (base) => selfHosted.clientFor(base),
      settings,
      logger: silentLogger,
    }),
    store,
    clock: systemClock,
    logger: silentLogger,
    // The poller's default tuning: the same backoff as for the cloud.
    nameFor: (source) => (source.kind === 'file' ? documentNameFromFile(source.path) : 'url'),
  });
  const size = (await fs.stat(file)).size;
  const started = Date.now();
  await engine.submitFiles([{ path: file, size }], { outputDir: out, options: {}, mode: 'selfHosted' });
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (store.all().every((t) => !isActive(t))) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
  const [task] = store.all();
  engine.dispose();
  if (task?.state !== 'done') throw new Error(`the document ended ${task?.state}: ${task?.error?.message}`);
  report({ ms: Date.now() - started, state: task.state });
}

async function uploadOne(url: string, file: string): Promise<void> {
  const client = new SelfHostedClient({ baseUrl: url, logger: silentLogger });
  const size = (await fs.stat(file)).size;
  let progressCalls = 0;
  const idleKb = procStatusKb('VmRSS');
  const stalls = watchStalls();
  const started = process.hrtime.bigint();
  const task = await client.submit({ path: file, size, name: path.basename(file) }, formFields({}), {
    onProgress: () => progressCalls++,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  report({ ms, idleKb, peakKb: procStatusKb('VmHWM'), progressCalls, taskId: task.taskId, ...stalls.stop() });
}

async function main(): Promise<void> {
  const a = args(['mode', 'url', 'file']);
  if (a.mode === 'doc') return parseOne(a.url!, a.file!, path.resolve(args(['out']).out!));
  if (a.mode === 'upload') return uploadOne(a.url!, a.file!);
  throw new Error(`unknown --mode ${a.mode}`);
}

runMain(main);
