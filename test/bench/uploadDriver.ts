/**
 * Upload driver: one presigned PUT of a local file with the extension's API client (streamed from
 * disk). Reports the time of the upload alone, the resident memory before and at its peak, and the
 * longest event-loop stall during the upload (see watchStalls in common.ts).
 *
 *   node out/test/bench/uploadDriver.js --url <presigned PUT url> --file <path>
 */
import { MinerUClient } from '../../src/core/api/client';
import { silentLogger } from '../../src/core/util/logger';
import { args, procStatusKb, report, runMain, watchStalls } from './common';

async function main(): Promise<void> {
  const a = args(['url', 'file']);
  const client = new MinerUClient({
    baseUrl: 'http://127.0.0.1:9/api/v4',
    getToken: () => Promise.resolve(undefined),
    logger: silentLogger,
  });
  let progressCalls = 0;
  const idleKb = procStatusKb('VmRSS');
  const stalls = watchStalls();
  const started = process.hrtime.bigint();
  await client.uploadFile(a.url!, a.file!, { onProgress: () => progressCalls++ });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  report({ ms, idleKb, peakKb: procStatusKb('VmHWM'), progressCalls, ...stalls.stop() });
}

runMain(main);
