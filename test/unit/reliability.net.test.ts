// Fault matrix, network and service faults (RELIABILITY.md, rows R-NET-*): the real engine, client
// and importer against the fake MinerU on loopback, with the fake's fault switches.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinerUClient } from '../../src/core/api/client';
import { MinerUError } from '../../src/core/errors';
import { documentNameFromUrl } from '../../src/core/results/naming';
import { mineruServices } from '../../src/core/services/mineruServices';
import { ParseEngine, type ResultImporter } from '../../src/core/tasks/engine';
import { createResultImporter } from '../../src/core/results/resultImporter';
import type { TaskRecord } from '../../src/core/tasks/task';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';
import { DEFAULT_POLLER_TUNING } from '../../src/core/tasks/poller';
import { DEFAULT_RETRY } from '../../src/core/util/retry';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';
import { allFinished, CapturingLogger, startHarness, type Harness } from './helpers/engineHarness';
import { settle } from './helpers/fakeClock';
import { sleepReal, snapshot, SteppingClock } from './helpers/reliability';

const PRECISE = { options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };
const ZIP_ROUTE = '\\.zip$';
const POLL_ROUTE = '/extract/task/[^/]+$';

function zipGets(h: Harness): number {
  return h.fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('.zip')).length;
}

/** Holds every import at a gate until the test opens it for that document (by task name). */
class ImportGate {
  private readonly calls = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly opened = new Set<string>();

  wrap(real: ResultImporter): ResultImporter {
    return {
      importZip: async (task, url, signal, onProgress) => {
        this.calls.set(task.name, (this.calls.get(task.name) ?? 0) + 1);
        if (!this.opened.has(task.name)) {
          await new Promise<void>((resolve) =>
            this.waiting.set(task.name, [...(this.waiting.get(task.name) ?? []), resolve]),
          );
        }
        return real.importZip(task, url, signal, onProgress);
      },
      importMarkdown: (task, url, signal, onProgress) => real.importMarkdown(task, url, signal, onProgress),
    };
  }

  /** Imports of this document waiting at the gate. */
  held(name: string): number {
    return this.waiting.get(name)?.length ?? 0;
  }

  /** How many imports were started, per document. */
  started(): Record<string, number> {
    return Object.fromEntries([...this.calls].sort(([a], [b]) => a.localeCompare(b)));
  }

  open(name: string): void {
    this.opened.add(name);
    for (const resolve of this.waiting.get(name) ?? []) resolve();
    this.waiting.delete(name);
  }

  openAll(): void {
    for (const name of [...this.waiting.keys()]) this.open(name);
  }
}

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleepReal(2);
  }
}

describe('reliability: network and service faults', function () {
  this.timeout(20_000);
  let h: Harness;
  afterEach(async () => h?.dispose());
  const request = () => ({ ...PRECISE, outputDir: h.outputDir });

  it('[R-NET-1] the connection drops mid-poll: polling backs off and resumes, the result is imported once', async () => {
    h = await startHarness();
    await h.engine.submitUrls([{ url: 'https://example.com/drop-poll-pages-4.pdf' }], request());
    // More drops than one call's retries: a whole polling round fails, the next one goes on.
    h.fake.faults.dropNext = { route: POLL_ROUTE, count: 5, afterBytes: 10 };
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal((h.fake.faults.dropNext as { count: number }).count, 0, 'every drop happened');
    assert.deepEqual(await fs.readdir(h.outputDir), ['drop-poll-pages-4']);
    assert.ok(h.logger.lines.some((l) => /Polling failed/.test(l)));
  });

  it('[R-NET-2] the connection drops mid-download: no partial file anywhere, the task is retryable and Retry imports once', async () => {
    h = await startHarness();
    h.fake.faults.zipPadBytes = 2_000_000;
    h.fake.faults.dropNext = { route: ZIP_ROUTE, count: 1 };
    const before = snapshot(h.workDir);
    await h.engine.submitUrls([{ url: 'https://example.com/drop-download.pdf' }], request());
    const [failed] = await h.waitFor(allFinished);
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error!.phase, 'download');
    assert.equal(failed!.error!.code, 'CONNECTION_DROPPED');
    assert.equal(failed!.error!.retryable, true);
    assert.match(failed!.error!.message, /dropped during the download/);
    // Neither the temp zip, nor its .part, nor a result folder is left.
    assert.deepEqual(
      snapshot(h.workDir).filter((p) => !before.includes(p) && !/^workspace\/(mineru\/)?$/.test(p)),
      [],
    );
    await h.engine.retry(failed!.id);
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await fs.readdir(h.outputDir), ['drop-download']);
    assert.equal(zipGets(h), 2);
  });

  it('[R-NET-3] the connection drops mid-upload on every attempt: the task fails retryable, the file is intact, Retry completes it', async () => {
    h = await startHarness();
    const file = path.join(h.workDir, 'upload-me.pdf');
    const content = Buffer.alloc(400_000, 3);
    await fs.writeFile(file, content);
    h.fake.faults.dropNext = { route: '^/upload/', count: 3 };
    await h.engine.submitFiles([{ path: file, size: content.length }], request());
    const [failed] = await h.waitFor(allFinished);
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error!.phase, 'upload');
    assert.equal(failed!.error!.retryable, true);
    assert.equal(h.fake.requests.filter((r) => r.method === 'PUT').length, 3, 'retried up to maxAttempts');
    assert.deepEqual(await fs.readFile(file), content, 'the local file is untouched');
    await h.engine.retry(failed!.id);
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await fs.readdir(h.outputDir), ['upload-me']);
  });

  it('[R-NET-4] a hung upload host fails the PUT within the upload timeout', async () => {
    const fake = await startFakeMinerU();
    try {
      const client = new MinerUClient({
        baseUrl: fake.apiBaseUrl,
        getToken: () => Promise.resolve(fake.token),
        uploadTimeoutMs: 300,
        retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
      });
      const { fileUrls } = await client.requestUploadUrls([{ name: 'hang.pdf' }], {});
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-hang-'));
      const file = path.join(dir, 'hang.pdf');
      await fs.writeFile(file, Buffer.alloc(10_000, 1));
      fake.faults.hangNext = { route: '^/upload/', count: 5 };
      const started = Date.now();
      await assert.rejects(client.uploadFile(fileUrls[0]!, file, {}), (e: unknown) => {
        assert.ok(e instanceof MinerUError);
        assert.equal(e.code, 'ETIMEDOUT');
        assert.equal(e.retryable, true);
        assert.match(e.message, /did not answer within/);
        return true;
      });
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 2);
      await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await fake.close();
    }
  });

  describe('storms, with production backoff and polling tunables on a stepped clock', () => {
    let fake: FakeMinerU;
    let engine: ParseEngine | undefined;
    afterEach(async () => {
      engine?.dispose();
      await fake?.close();
    });

    /** Runs 10 fake minutes of polling against a storm; returns the poll requests per minute. */
    async function stormPerMinute(fault: { status: number; retryAfter?: number }): Promise<number[]> {
      fake = await startFakeMinerU();
      const clock = new SteppingClock();
      const logger = new CapturingLogger();
      const client = new MinerUClient({
        baseUrl: fake.apiBaseUrl,
        getToken: () => Promise.resolve(fake.token),
        clock,
        logger,
        retry: DEFAULT_RETRY,
        random: () => 0.5,
      });
      const store = new TaskStore(new MemoryKeyValueStore());
      engine = new ParseEngine({
        services: mineruServices(client, logger),
        importer: createResultImporter(logger, () => ({ maxZipBytes: 1_000_000 })),
        store,
        clock,
        logger,
        pollerTuning: DEFAULT_POLLER_TUNING,
        nameFor: (s) => (s.kind === 'url' ? documentNameFromUrl(s.url) : 'file'),
      });
      await engine.submitUrls([{ url: 'https://example.com/storm.pdf' }], {
        ...PRECISE,
        outputDir: '/nonexistent-never-written',
      });
      fake.faults.failNext = { route: POLL_ROUTE, count: 1_000_000, ...fault };
      const polls = (): number => fake.requests.filter((r) => /\/extract\/task\/[^/]+$/.test(r.path)).length;
      const perMinute: number[] = [];
      let last = 0;
      await clock.runFor(10 * 60_000, () => {
        const n = polls();
        perMinute.push(n - last);
        last = n;
      });
      const task = store.all()[0] as TaskRecord;
      assert.notEqual(task.state, 'failed', 'a storm while polling does not fail the task');
      if (process.env.STORM_DEBUG) console.log(perMinute.join(','));
      return perMinute;
    }

    it('[R-NET-5] a 5xx storm gets exponential backoff: at most 8 polls in any later minute, 36 in ten', async () => {
      const perMinute = await stormPerMinute({ status: 503 });
      assert.equal(perMinute.length, 10);
      const total = perMinute.reduce((a, b) => a + b, 0);
      assert.ok(perMinute[0]! <= 16, `first minute: ${perMinute.join(',')}`);
      assert.ok(
        perMinute.slice(1).every((n) => n <= 8),
        `per minute: ${perMinute.join(',')}`,
      );
      assert.ok(total <= 36 && total >= 10, `ten minutes: ${total} (${perMinute.join(',')})`);
    });

    it('[R-NET-6] a 429 storm with Retry-After gets backoff: at most 8 polls in any later minute, 36 in ten', async () => {
      const perMinute = await stormPerMinute({ status: 429, retryAfter: 1 });
      const total = perMinute.reduce((a, b) => a + b, 0);
      assert.ok(perMinute[0]! <= 16, `first minute: ${perMinute.join(',')}`);
      assert.ok(
        perMinute.slice(1).every((n) => n <= 8),
        `per minute: ${perMinute.join(',')}`,
      );
      assert.ok(total <= 36 && total >= 10, `ten minutes: ${total} (${perMinute.join(',')})`);
    });
  });

  it('[R-NET-7] an HTML error page or malformed JSON while polling is survived; on submit it fails clearly and retryably', async () => {
    h = await startHarness();
    await h.engine.submitUrls([{ url: 'https://example.com/proxy-pages-3.pdf' }], request());
    h.fake.faults.failNext = [
      { route: POLL_ROUTE, status: 502, count: 3 },
      { route: POLL_ROUTE, status: 200, body: '{"code":0,"data":{"state":', count: 3 },
    ];
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    await h.engine.clearFinished();

    h.fake.faults.failNext = {
      route: '/extract/task$',
      status: 200,
      body: '<!DOCTYPE html><html><body>Please log in to the hotel Wi-Fi</body></html>',
      count: 1,
    };
    await h.engine.submitUrls([{ url: 'https://example.com/portal.pdf' }], request());
    const [failed] = await h.waitFor(allFinished);
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error!.code, 'NOT_JSON');
    assert.match(failed!.error!.message, /HTML page, not JSON — a proxy or captive portal/);
    assert.ok(failed!.error!.message.includes(new URL(h.fake.apiBaseUrl).host), 'names the host');
    assert.equal(failed!.error!.retryable, true);
  });

  it('[R-NET-8] a CDN link that stays expired fails after the refresh budget with a clear error; Retry succeeds once the CDN recovers', async () => {
    h = await startHarness({}, { maxLinkRefreshes: 2 });
    h.fake.faults.cdnExpiredCount = 3;
    await h.engine.submitUrls([{ url: 'https://example.com/dead-link.pdf' }], request());
    const [failed] = await h.waitFor(allFinished);
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error!.code, 'LINK_EXPIRED');
    assert.match(failed!.error!.message, /expired/);
    assert.equal(zipGets(h), 3, 'first link + 2 refreshed links');
    assert.ok(!(await fs.readdir(h.outputDir).catch(() => [])).length, 'nothing imported');
    await h.engine.retry(failed!.id);
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await fs.readdir(h.outputDir), ['dead-link']);
  });

  it('[R-NET-9] a CDN redirect to another origin is followed without Authorization, Cookie or the token', async () => {
    h = await startHarness();
    h.fake.faults.cdnRedirectTo = h.fake.apiOrigin;
    await h.engine.submitUrls([{ url: 'https://example.com/redirected.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const onCdn = h.fake.requests.filter((r) => r.server === 'cdn' && r.path.endsWith('.zip'));
    const atTarget = h.fake.requests.filter((r) => r.server === 'api' && r.path.startsWith('/cdn/'));
    assert.equal(onCdn.length, 1);
    assert.equal(atTarget.length, 1, 'the redirect target served the zip');
    for (const r of [...onCdn, ...atTarget]) {
      assert.equal(r.headers.authorization, undefined);
      assert.equal(r.headers.cookie, undefined);
      assert.ok(!JSON.stringify(r).includes(h.fake.token));
    }
  });

  it('[R-NET-10] the same result reported by many polls (and Refresh) during its import is imported once', async () => {
    // Deterministic: the fake moves only when told (manual progress) and every import waits at a
    // gate until the test opens it, so the interleavings below happen on every run.
    const gate = new ImportGate();
    h = await startHarness({ progress: 'manual' }, { importConcurrency: 2 }, undefined, (real) =>
      gate.wrap(real),
    );
    const names = ['a', 'b', 'c', 'slow-pages-40'];
    await h.engine.submitUrls(
      names.map((n) => ({ url: `https://example.com/twice/${n}.pdf` })),
      request(),
    );
    const state = (name: string): string | undefined => h.store.all().find((t) => t.name === name)?.state;
    // a, b and c are done on the service; the slow one keeps running, so the batch keeps being polled.
    for (let i = 0; i < 5; i++) h.fake.advanceAll();
    h.engine.refresh();
    // Two import slots: a and b are held in their import, c waits in the queue.
    await until(
      () => gate.held('a') === 1 && gate.held('b') === 1 && state('c') === 'importing',
      'a, b held',
    );
    assert.equal(gate.held('c'), 0);

    // Many polls and Refresh presses while the imports are held: each batch poll reports a, b and c
    // done again.
    const batchPolls = (): number =>
      h.fake.requests.filter((r) => r.method === 'GET' && r.path.includes('/extract-results/batch/')).length;
    const polled = batchPolls();
    const presses = setInterval(() => h.engine.refresh(), 2);
    try {
      await until(() => batchPolls() >= polled + 12, 'a dozen batch polls during the imports');
    } finally {
      clearInterval(presses);
    }
    assert.deepEqual(gate.started(), { a: 1, b: 1 }, 'the polls started no import');

    // Picking up persisted work again (resume) while a and b are held and c is queued ...
    h.engine.resume();
    gate.open('b');
    await until(() => state('b') === 'done' && gate.held('c') === 1, 'b imported, c held');
    // ... and again while a and c are held.
    h.engine.resume();
    gate.open('a');
    await until(() => state('a') === 'done', 'a imported');
    await settle();
    assert.deepEqual(
      gate.started(),
      { a: 1, b: 1, c: 1 },
      'no second import of a result in flight or queued',
    );
    gate.open('c');
    await until(() => state('c') === 'done', 'c imported');

    await until(() => {
      h.fake.advanceAll();
      return gate.held('slow-pages-40') === 1;
    }, 'the slow document done and held');
    gate.open('slow-pages-40');
    const tasks = await h.waitFor(allFinished);
    assert.deepEqual(
      tasks.map((t) => [t.name, t.state]),
      names.map((n) => [n, 'done']),
      JSON.stringify(tasks.map((t) => t.error)),
    );
    gate.openAll();
    await settle();
    assert.deepEqual(gate.started(), { a: 1, b: 1, c: 1, 'slow-pages-40': 1 }, 'one import per document');
    assert.deepEqual((await fs.readdir(h.outputDir)).sort(), names);
    assert.equal(zipGets(h), 4, 'one download per document');
  });
});
