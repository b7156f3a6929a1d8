/**
 * Scale driver, plain Node: the engine's share of a poll round and of a restore with many tracked
 * documents (the tree's share is measured in the host, test/bench/host/index.ts). The store is
 * seeded with `perBatch` documents of each batch the fake knows (per-poll progress: every poll
 * moves every item one step, so every row changes in every round).
 *
 * - Round: Refresh → the store event of the last batch, then a settle of SETTLE_MS that covers
 *   the coalesced store write; timed (wall and the main thread's CPU) and watched for stalls.
 * - Restore: a new TaskStore over the same key-value storage + a new engine + resume(), as
 *   activate() does after a reload; timed and watched for stalls.
 *
 *   node out/test/bench/scaleDriver.js --api <apiBaseUrl> --token <t> --batches id,id,… --per-batch N
 *        --rounds N --restores N --out <dir>
 */
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { MinerUClient } from '../../src/core/api/client';
import { documentNameFromUrl } from '../../src/core/results/naming';
import { createResultImporter } from '../../src/core/results/resultImporter';
import { mineruServices } from '../../src/core/services/mineruServices';
import { ParseEngine } from '../../src/core/tasks/engine';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { systemClock } from '../../src/core/util/clock';
import { MemoryKeyValueStore, type KeyValueStore } from '../../src/core/util/keyValueStore';
import { silentLogger } from '../../src/core/util/logger';
import { args, report, runMain, watchStalls, type StallFigures } from './common';
import { seedRecords } from './scaleSeed';

const SETTLE_MS = 200;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function threadCpuMs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const a = args(['api', 'token', 'batches', 'per-batch', 'rounds', 'restores', 'out']);
  const batchIds = a.batches!.split(',');
  const client = new MinerUClient({
    baseUrl: a.api!,
    getToken: () => Promise.resolve(a.token),
    logger: silentLogger,
  });
  const services = mineruServices(client, silentLogger);
  const importer = createResultImporter(silentLogger, () => ({ maxZipBytes: 1024 * 1_048_576 }));
  const build = (storage: KeyValueStore): { store: TaskStore; engine: ParseEngine } => {
    const store = new TaskStore(storage);
    const engine = new ParseEngine({
      services,
      importer,
      store,
      clock: systemClock,
      logger: silentLogger,
      nameFor: (source) => (source.kind === 'url' ? documentNameFromUrl(source.url) : 'file'),
    });
    return { store, engine };
  };
  const storage = new MemoryKeyValueStore();
  let { store, engine } = build(storage);
  await store.add(seedRecords(batchIds, Number(a['per-batch']), path.resolve(a.out!)));
  await store.flush();

  const roundMs: number[] = [];
  const roundCpuMs: number[] = [];
  const roundStalls: StallFigures[] = [];
  for (let i = 0; i < Number(a.rounds); i++) {
    let seen = 0;
    const done = new Promise<number>((resolve) => {
      const sub = store.onDidChange(() => {
        if (++seen === batchIds.length) {
          sub.dispose();
          resolve(performance.now());
        }
      });
    });
    const stalls = watchStalls();
    const cpu0 = threadCpuMs();
    const t0 = performance.now();
    engine.refresh();
    const t1 = await Promise.race([done, sleep(20_000).then(() => NaN)]);
    if (Number.isNaN(t1)) throw new Error(`poll round ${i + 1} did not change every batch within 20 s`);
    await sleep(SETTLE_MS);
    roundCpuMs.push(threadCpuMs() - cpu0);
    roundStalls.push(stalls.stop());
    roundMs.push(t1 - t0);
  }

  const restoreMs: number[] = [];
  const restoreStalls: StallFigures[] = [];
  for (let i = 0; i < Number(a.restores); i++) {
    engine.dispose();
    await store.flush();
    const stalls = watchStalls();
    await sleep(5);
    const t0 = performance.now();
    ({ store, engine } = build(storage));
    engine.resume();
    restoreMs.push(performance.now() - t0);
    await sleep(SETTLE_MS);
    restoreStalls.push(stalls.stop());
  }
  const tasks = store.size;
  engine.dispose();
  await store.flush();
  report({ tasks, roundMs, roundCpuMs, roundStalls, restoreMs, restoreStalls });
}

runMain(main);
