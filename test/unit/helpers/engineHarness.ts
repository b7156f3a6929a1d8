import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinerUClient } from '../../../src/core/api/client';
import { mineruServices } from '../../../src/core/services/mineruServices';
import { documentNameFromFile, documentNameFromUrl } from '../../../src/core/results/naming';
import { ParseEngine, type EngineSettings, type ResultImporter } from '../../../src/core/tasks/engine';
import { createResultImporter } from '../../../src/core/results/resultImporter';
import { mergePartResults } from '../../../src/core/results/partsMerge';
import type { TaskRecord } from '../../../src/core/tasks/task';
import { TaskStore } from '../../../src/core/tasks/taskStore';
import { systemClock } from '../../../src/core/util/clock';
import { MemoryKeyValueStore } from '../../../src/core/util/keyValueStore';
import type { Logger } from '../../../src/core/util/logger';
import { startFakeMinerU, type FakeMinerU, type FakeMinerUOptions } from '../../fake-mineru/server';

/** Step of the fake's timed progress in the harness: a 3-page document is done in about 50 ms. */
export const HARNESS_STEP_MS = 10;

/** Captures every log line, so tests can assert that the token never reaches the log. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  trace = (m: string): void => void this.lines.push(m);
  debug = (m: string): void => void this.lines.push(m);
  info = (m: string): void => void this.lines.push(m);
  warn = (m: string): void => void this.lines.push(m);
  error = (m: string): void => void this.lines.push(m);
}

export interface Harness {
  fake: FakeMinerU;
  engine: ParseEngine;
  store: TaskStore;
  kv: MemoryKeyValueStore;
  logger: CapturingLogger;
  outputDir: string;
  workDir: string;
  /** EngineDeps.workRoot: where documents parsed in parts are split (outside the workspace). */
  workRoot: string;
  /** A new engine over the same storage: what a window reload does. */
  reload(): ParseEngine;
  waitFor(predicate: (tasks: TaskRecord[]) => boolean, timeoutMs?: number): Promise<TaskRecord[]>;
  dispose(): Promise<void>;
}

/**
 * The real engine, client and importer against the fake service on loopback, with polling
 * intervals shrunk to milliseconds: flows run end to end in well under a second.
 */
export async function startHarness(
  fakeOptions: FakeMinerUOptions = {},
  settings: Partial<EngineSettings> = {},
  /** The token the client sends; default: one the fake accepts. */
  clientToken?: string,
  /** Wraps the real importer, e.g. to hold imports open at a gate the test controls. */
  wrapImporter: (real: ResultImporter) => ResultImporter = (real) => real,
): Promise<Harness> {
  // Timed progress (the fake's default) with short steps: documents move with time, not with the
  // engine's polls, so a poll count is the engine's and not an echo of the fake.
  const fake = await startFakeMinerU({ stepMs: HARNESS_STEP_MS, ...fakeOptions });
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-engine-'));
  const outputDir = path.join(workDir, 'workspace', 'mineru');
  const workRoot = path.join(workDir, 'parts');
  const kv = new MemoryKeyValueStore();
  const logger = new CapturingLogger();
  const engines: ParseEngine[] = [];
  let store = new TaskStore(kv);

  const build = (): ParseEngine => {
    const client = new MinerUClient({
      baseUrl: fake.apiBaseUrl,
      agentBaseUrl: fake.agentBaseUrl,
      getToken: () => Promise.resolve(clientToken ?? fake.token),
      logger,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      timeoutMs: 5000,
    });
    const engine = new ParseEngine({
      services: mineruServices(client, logger),
      importer: wrapImporter(
        createResultImporter(logger, () => ({ maxZipBytes: 50 * 1_048_576, tempDir: workDir })),
      ),
      store,
      clock: systemClock,
      logger,
      settings: () => ({ batchLimit: 50, importConcurrency: 2, maxLinkRefreshes: 3, ...settings }),
      pollerTuning: { minIntervalMs: 5, growth: 1.5, maxIntervalMs: 20, unfocusedFactor: 2 },
      workRoot,
      mergeParts: (request) => mergePartResults(request, logger),
      nameFor: (s) => (s.kind === 'url' ? documentNameFromUrl(s.url) : documentNameFromFile(s.path)),
    });
    engines.push(engine);
    return engine;
  };

  const h: Harness = {
    fake,
    engine: build(),
    get store() {
      return store;
    },
    kv,
    logger,
    outputDir,
    workDir,
    workRoot,
    reload() {
      for (const e of engines) e.dispose();
      store = new TaskStore(kv);
      h.engine = build();
      return h.engine;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const tasks = store.all();
        if (predicate(tasks)) return tasks;
        if (Date.now() > end) {
          throw new Error(
            `timed out; tasks: ${JSON.stringify(tasks.map((t) => [t.name, t.state, t.error?.message]))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async dispose() {
      for (const e of engines) e.dispose();
      await fake.close();
      await fs.rm(workDir, { recursive: true, force: true });
    },
  };
  return h;
}

export const allFinished = (tasks: TaskRecord[]): boolean =>
  tasks.length > 0 && tasks.every((t) => t.state === 'done' || t.state === 'failed');
