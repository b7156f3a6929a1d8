/**
 * Polling-cost driver: the real engine and API client in plain Node follow a selection of URLs to
 * the end against the fake (which records every request). Reports the wall time and how often the
 * user would see progress: each store event that moved a document's state or page count is one
 * tree update, and each such move of one document is one progress report for it.
 *
 *   node out/test/bench/pollDriver.js --api <apiBaseUrl> --token <t> --count N --out <dir> --batch-limit N
 */
import * as path from 'node:path';
import { MinerUClient } from '../../src/core/api/client';
import { documentNameFromUrl } from '../../src/core/results/naming';
import { mineruServices } from '../../src/core/services/mineruServices';
import { DEFAULT_ENGINE_SETTINGS, ParseEngine } from '../../src/core/tasks/engine';
import { createResultImporter } from '../../src/core/results/resultImporter';
import { isActive, type TaskRecord } from '../../src/core/tasks/task';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { systemClock } from '../../src/core/util/clock';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';
import { silentLogger } from '../../src/core/util/logger';
import { args, report, runMain } from './common';

async function main(): Promise<void> {
  const a = args(['api', 'token', 'count', 'out', 'batch-limit']);
  const count = Number(a.count);
  const client = new MinerUClient({
    baseUrl: a.api!,
    getToken: () => Promise.resolve(a.token),
    logger: silentLogger,
  });
  const store = new TaskStore(new MemoryKeyValueStore());
  const engine = new ParseEngine({
    services: mineruServices(client, silentLogger),
    importer: createResultImporter(silentLogger, () => ({ maxZipBytes: 1024 * 1_048_576 })),
    store,
    clock: systemClock,
    logger: silentLogger,
    settings: () => ({ ...DEFAULT_ENGINE_SETTINGS, batchLimit: Number(a['batch-limit']) }),
    nameFor: (source) => (source.kind === 'url' ? documentNameFromUrl(source.url) : 'file'),
  });

  const shown = new Map<string, string>();
  let treeUpdates = 0;
  let documentUpdates = 0;
  const visible = (t: TaskRecord): string => `${t.state}|${t.progress?.extractedPages ?? ''}`;
  store.onDidChange((event) => {
    let moved = 0;
    for (const t of event.changed) {
      const now = visible(t);
      if (shown.get(t.id) !== now) moved++;
      shown.set(t.id, now);
    }
    if (moved > 0) treeUpdates++;
    documentUpdates += moved;
  });

  const items = Array.from({ length: count }, (_, i) => ({ url: `https://example.com/bench/doc-${i}.pdf` }));
  const started = Date.now();
  await engine.submitUrls(items, { outputDir: path.resolve(a.out!), options: {}, mode: 'precise' });
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (!store.all().some(isActive)) resolve();
    };
    store.onDidChange(check);
    check();
  });
  await engine.idle();
  const ms = Date.now() - started;
  const tasks = store.all();
  engine.dispose();
  await store.flush();
  report({
    ms,
    done: tasks.filter((t) => t.state === 'done').length,
    failed: tasks.filter((t) => t.state === 'failed').length,
    treeUpdates,
    documentUpdates,
  });
}

runMain(main);
