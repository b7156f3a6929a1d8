import * as assert from 'node:assert/strict';
import type { BatchStatus, ParseOptions, TaskStatus, UrlDocument } from '../../src/core/api/types';
import { MinerUError } from '../../src/core/errors';
import { renderDataId, sanitizeDataId } from '../../src/core/options/dataId';
import { checkSubmitOptions } from '../../src/core/options/submitChecks';
import { englishL10n } from '../../src/vscode/l10nText';
import { submitProblemText } from '../../src/vscode/optionsText';
import {
  ParseEngine,
  type EngineEvent,
  type EngineSettings,
  type ResultImporter,
} from '../../src/core/tasks/engine';
import type { MinerUApi as MinerUService } from '../../src/core/api/mineruApi';
import { mineruServices } from '../../src/core/services/mineruServices';
import { POLL_CONCURRENCY } from '../../src/core/tasks/pollTracker';
import { quotaRetryAt } from '../../src/core/tasks/quota';
import { SubmissionRateLimiter } from '../../src/core/tasks/submissionRateLimiter';
import type { TaskRecord } from '../../src/core/tasks/task';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';
import { silentLogger } from '../../src/core/util/logger';
import { allFinished, startHarness, type Harness } from './helpers/engineHarness';
import { FakeClock, settle } from './helpers/fakeClock';

/**
 * An in-memory service: every batch item needs `steps` polls of its batch to finish. Records
 * each call with the fake time, so tests can count requests and check the submission rate.
 */
class StubService implements MinerUService {
  readonly calls: { op: string; at: number; size?: number; options?: ParseOptions }[] = [];
  private readonly batches = new Map<string, { docs: UrlDocument[]; polls: number }>();
  /** Codes thrown by the next submit requests, in order. */
  submitErrors: string[] = [];
  pollErrors: string[] = [];
  private n = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly steps = 3,
  ) {}

  private businessError(code: string, phase: 'submit' | 'poll'): MinerUError {
    return new MinerUError({ phase, message: `service said ${code}`, code, retryable: false });
  }

  submitTask(doc: UrlDocument, options: ParseOptions): Promise<{ taskId: string }> {
    this.calls.push({ op: 'submitTask', at: this.clock.now(), options });
    const code = this.submitErrors.shift();
    if (code) return Promise.reject(this.businessError(code, 'submit'));
    const id = `t${++this.n}`;
    this.batches.set(id, { docs: [doc], polls: 0 });
    return Promise.resolve({ taskId: id });
  }
  getTask(taskId: string): Promise<TaskStatus> {
    this.calls.push({ op: 'getTask', at: this.clock.now() });
    const code = this.pollErrors.shift();
    if (code) return Promise.reject(this.businessError(code, 'poll'));
    const b = this.batches.get(taskId)!;
    return Promise.resolve(this.status(++b.polls, 600));
  }
  submitBatch(docs: UrlDocument[], options: ParseOptions): Promise<{ batchId: string }> {
    this.calls.push({ op: 'submitBatch', at: this.clock.now(), size: docs.length, options });
    const code = this.submitErrors.shift();
    if (code) return Promise.reject(this.businessError(code, 'submit'));
    const id = `b${++this.n}`;
    this.batches.set(id, { docs, polls: 0 });
    return Promise.resolve({ batchId: id });
  }
  getBatch(batchId: string): Promise<BatchStatus> {
    this.calls.push({ op: 'getBatch', at: this.clock.now() });
    const code = this.pollErrors.shift();
    if (code) return Promise.reject(this.businessError(code, 'poll'));
    const b = this.batches.get(batchId)!;
    b.polls++;
    return Promise.resolve({ batchId, items: b.docs.map(() => this.status(b.polls, 3)) });
  }
  private status(polls: number, pages: number): TaskStatus {
    if (polls > this.steps) return { state: 'done', fullZipUrl: 'https://cdn.example/r.zip' };
    const extracted = Math.max(1, Math.floor((polls * pages) / this.steps));
    return { state: 'running', progress: { extractedPages: extracted, totalPages: pages } };
  }
  requestUploadUrls(): never {
    throw new Error('not used');
  }
  uploadFile(): never {
    throw new Error('not used');
  }
  agentParseUrl(): never {
    throw new Error('not used');
  }
  agentParseFile(): never {
    throw new Error('not used');
  }
  agentGetTask(): never {
    throw new Error('not used');
  }
}

const importer: ResultImporter = {
  importZip: (task) =>
    Promise.resolve({
      folder: `/out/${task.name}`,
      markdownPath: `/out/${task.name}/${task.name}.md`,
      extras: [],
      rejectedEntries: 0,
      brokenImageLinks: 0,
    }),
  importMarkdown: () => Promise.reject(new Error('not used')),
};

function stubEngine(settings: Partial<EngineSettings> = {}, steps = 3) {
  const clock = new FakeClock();
  const service = new StubService(clock, steps);
  const store = new TaskStore(new MemoryKeyValueStore());
  const engine = new ParseEngine({
    services: mineruServices(service, silentLogger),
    importer,
    store,
    clock,
    logger: silentLogger,
    settings: () => ({ batchLimit: 50, importConcurrency: 4, maxLinkRefreshes: 3, ...settings }),
    pollerTuning: { minIntervalMs: 1000, growth: 1.5, maxIntervalMs: 5000, unfocusedFactor: 2 },
    nameFor: (s) => (s.kind === 'url' ? (s.url.split('/').pop() ?? 'doc').replace(/\.pdf$/, '') : 'f'),
  });
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return { clock, service, store, engine, events };
}

const REQUEST = { outputDir: '/out', options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };
const urls = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ url: `https://example.com/d/doc-${i}.pdf` }));
const finished = (tasks: TaskRecord[]) => tasks.every((t) => t.state === 'done' || t.state === 'failed');

async function runUntil(clock: FakeClock, store: TaskStore, done: (t: TaskRecord[]) => boolean) {
  for (let i = 0; i < 10_000 && !done(store.all()); i++) await clock.tick(500);
  assert.ok(done(store.all()), 'did not finish in fake time');
}

describe('Power and scale: engine', function () {
  this.timeout(30_000);

  describe('1,000 links', () => {
    for (const limit of [50, 200, 7]) {
      it(`give ceil(1000/${limit}) batch requests and one poll per batch per round`, async () => {
        const steps = 3;
        const { clock, service, store, engine } = stubEngine({ batchLimit: limit }, steps);
        const submitted = await engine.submitUrls(urls(1000), REQUEST);
        assert.equal(submitted.length, 1000);
        const batches = Math.ceil(1000 / limit);
        const submits = service.calls.filter((c) => c.op === 'submitBatch');
        assert.equal(submits.length, batches);
        assert.ok(submits.every((c) => c.size! <= limit));
        assert.equal(
          submits.reduce((n, c) => n + c.size!, 0),
          1000,
        );
        await runUntil(clock, store, finished);
        assert.ok(store.all().every((t) => t.state === 'done'));
        // Every batch is polled until its items are done (steps + 1 polls), never per document.
        const polls = service.calls.filter((c) => c.op === 'getBatch').length;
        assert.equal(polls, batches * (steps + 1));
        assert.equal(service.calls.filter((c) => c.op === 'getTask').length, 0);
        engine.dispose();
      });
    }
  });

  it('keeps submissions within mineru.maxSubmissionsPerMinute on the injected clock', async () => {
    const { clock, service, engine } = stubEngine({ batchLimit: 10, maxSubmissionsPerMinute: 4 });
    const start = clock.now();
    const pending = engine.submitUrls(urls(100), REQUEST); // 10 batch requests
    await settle();
    assert.equal(service.calls.filter((c) => c.op === 'submitBatch').length, 4, 'only 4 in the first minute');
    await clock.tick(59_000);
    assert.equal(service.calls.filter((c) => c.op === 'submitBatch').length, 4);
    await clock.tick(1_000);
    assert.equal(service.calls.filter((c) => c.op === 'submitBatch').length, 8);
    await clock.tick(60_000);
    await pending;
    const times = service.calls.filter((c) => c.op === 'submitBatch').map((c) => c.at - start);
    assert.deepEqual(times, [0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000]);
    // No sliding 60 s window holds more than 4.
    for (const t of times) assert.ok(times.filter((u) => u >= t && u < t + 60_000).length <= 4);
    engine.dispose();
  });

  it('the rate limiter is off at 0 and ends its wait on abort', async () => {
    const clock = new FakeClock();
    const off = new SubmissionRateLimiter(clock, () => 0);
    for (let i = 0; i < 1000; i++) await off.acquire();
    const one = new SubmissionRateLimiter(clock, () => 1);
    await one.acquire();
    const controller = new AbortController();
    const waiting = one.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
  });

  it('a 600-page document shows progress throughout and is never given up while it runs', async () => {
    // 3,000 polls of "running" spread over hours of fake time: no client-side timeout fails it.
    const { clock, service, store, engine } = stubEngine({}, 3000);
    const [task] = await engine.submitUrls([{ url: 'https://example.com/d/huge-600.pdf' }], REQUEST);
    const seen = new Set<number>();
    for (let i = 0; i < 20_000 && store.get(task!.id)!.state !== 'done'; i++) {
      await clock.tick(5_000);
      const t = store.get(task!.id)!;
      assert.notEqual(t.state, 'failed', JSON.stringify(t.error));
      if (t.progress) seen.add(t.progress.extractedPages);
    }
    assert.equal(store.get(task!.id)!.state, 'done');
    assert.ok(clock.now() - task!.createdAt > 3600_000, 'ran for more than an hour of fake time');
    assert.ok(seen.size > 300, `progress moved ${seen.size} times`);
    assert.equal(Math.max(...seen), 600);
    assert.equal(service.calls.filter((c) => c.op === 'getTask').length, 3001);
    engine.dispose();
  });

  describe('quota pause', () => {
    it('-60018 at submit pauses the queue, tells once, and resumes on its timer', async () => {
      const { clock, service, store, engine, events } = stubEngine({ batchLimit: 10 });
      service.submitErrors = ['-60018'];
      await engine.submitUrls(urls(30), REQUEST);
      // The first batch hit the quota; the other two were not even sent.
      assert.equal(service.calls.filter((c) => c.op === 'submitBatch').length, 1);
      const tasks = store.all();
      assert.ok(tasks.every((t) => t.state === 'submitting' && t.paused?.code === '-60018'));
      const paused = events.filter((e) => e.kind === 'paused');
      assert.equal(paused.length, 1, 'told once, not once per task or batch');
      const until = engine.pausedUntil!;
      assert.equal(until % 3_600_000, 0, 'a daily quota is retried at the next full hour');
      assert.equal(paused[0]!.kind === 'paused' && paused[0]!.until, until);
      // Nothing is sent while paused.
      await clock.tick(until - clock.now() - 1);
      assert.equal(service.calls.length, 1);
      await clock.tick(1);
      await runUntil(clock, store, finished);
      assert.ok(store.all().every((t) => t.state === 'done' && !t.paused));
      assert.deepEqual(
        service.calls.filter((c) => c.op === 'submitBatch').map((c) => c.size),
        [10, 10, 10, 10],
      );
      engine.dispose();
    });

    it('-60009 while polling pauses polling with a backoff, and Refresh resumes at once', async () => {
      const { clock, service, store, engine, events } = stubEngine({ batchLimit: 10 });
      await engine.submitUrls(urls(20), REQUEST);
      service.pollErrors = ['-60009'];
      await clock.tick(1000);
      assert.ok(engine.pausedUntil !== undefined);
      assert.equal(engine.pausedUntil - clock.now(), 60_000);
      assert.ok(store.all().every((t) => t.paused?.code === '-60009' && t.state === 'pending'));
      assert.equal(events.filter((e) => e.kind === 'paused').length, 1);
      const before = service.calls.length;
      await clock.tick(30_000);
      assert.equal(service.calls.length, before, 'no polling while paused');
      engine.refresh();
      await runUntil(clock, store, finished);
      assert.ok(store.all().every((t) => t.state === 'done'));
      assert.equal(engine.pausedUntil, undefined);
      engine.dispose();
    });

    it('a repeated queue-full pause backs off and is not announced twice', async () => {
      const { clock, service, store, engine, events } = stubEngine();
      service.submitErrors = ['-60009', '-60009', '-60009'];
      await engine.submitUrls(urls(1), REQUEST);
      const first = engine.pausedUntil! - clock.now();
      await clock.tick(first);
      const second = engine.pausedUntil! - clock.now();
      await clock.tick(second);
      const third = engine.pausedUntil! - clock.now();
      assert.deepEqual([first, second, third], [60_000, 120_000, 240_000]);
      assert.equal(events.filter((e) => e.kind === 'paused').length, 1);
      await clock.tick(third);
      await runUntil(clock, store, finished);
      assert.equal(store.all()[0]!.state, 'done');
      engine.dispose();
    });

    it('a paused queue survives a restart and is resumed at the same time', async () => {
      const kv = new MemoryKeyValueStore();
      const clock = new FakeClock();
      const service = new StubService(clock);
      const stores: TaskStore[] = [];
      const make = () =>
        new ParseEngine({
          services: mineruServices(service, silentLogger),
          importer,
          store: stores[stores.push(new TaskStore(kv)) - 1]!,
          clock,
          logger: silentLogger,
          nameFor: () => 'doc',
        });
      service.submitErrors = ['-60019'];
      const a = make();
      await a.submitUrls(urls(3), REQUEST);
      const until = a.pausedUntil!;
      a.dispose();
      await stores[0]!.flush(); // what the extension does on deactivate
      const b = make();
      b.resume();
      assert.equal(b.pausedUntil, until);
      await clock.tick(until - clock.now());
      await settle();
      assert.equal(service.calls.filter((c) => c.op === 'submitBatch').length, 2);
      b.dispose();
    });

    it('retries a daily quota at the next full hour, at least five minutes away', () => {
      const h = 3_600_000;
      assert.equal(quotaRetryAt('-60018', 10 * h + 1, 0), 11 * h);
      assert.equal(quotaRetryAt('-60018', 11 * h - 60_000, 0), 12 * h);
      assert.equal(quotaRetryAt('-60009', 0, 10), 15 * 60_000);
    });
  });

  describe('one poll round', () => {
    /** Holds every getBatch answer until the test lets it through; counts what is in flight. */
    function gatePolls(service: StubService) {
      const answer = service.getBatch.bind(service);
      const gate = { started: 0, inFlight: 0, peak: 0, waiting: [] as (() => void)[] };
      service.getBatch = async (batchId: string) => {
        gate.started++;
        gate.inFlight++;
        gate.peak = Math.max(gate.peak, gate.inFlight);
        await new Promise<void>((resolve) => gate.waiting.push(resolve));
        gate.inFlight--;
        return answer(batchId);
      };
      return gate;
    }

    it(`polls the batches of a round concurrently, at most ${POLL_CONCURRENCY} requests at once`, async () => {
      const { clock, service, store, engine } = stubEngine({ batchLimit: 10 });
      await engine.submitUrls(urls(100), REQUEST);
      const gate = gatePolls(service);
      await clock.tick(1000);
      assert.ok(gate.inFlight > 1, 'the round starts several batch polls together');
      assert.equal(gate.inFlight, POLL_CONCURRENCY);
      for (let i = 0; i < 100 && gate.waiting.length > 0; i++) {
        gate.waiting.shift()!();
        await settle();
      }
      assert.equal(service.calls.filter((c) => c.op === 'getBatch').length, 10, 'each batch polled once');
      assert.equal(gate.peak, POLL_CONCURRENCY);
      assert.ok(store.all().every((t) => t.state === 'running' && t.progress?.extractedPages === 1));
      engine.dispose();
    });

    it('a quota answer stops the round: no request after it, and answers still in flight are dropped', async () => {
      const { clock, service, store, engine } = stubEngine({ batchLimit: 10 });
      await engine.submitUrls(urls(100), REQUEST);
      const gate = gatePolls(service);
      service.pollErrors = ['-60009'];
      await clock.tick(1000);
      // The first answer is the quota error; the other three are still waiting.
      gate.waiting.shift()!();
      await settle();
      assert.ok(engine.pausedUntil !== undefined, 'paused by the quota answer');
      for (const release of gate.waiting.splice(0)) release();
      await settle();
      assert.equal(gate.started, POLL_CONCURRENCY, 'no batch polled after the quota answer');
      assert.ok(
        store.all().every((t) => t.paused?.code === '-60009' && t.state === 'pending'),
        'the answers that came back after the pause changed nothing',
      );
      engine.dispose();
    });
  });

  describe('data_id templates and submit checks', () => {
    it('renders {name}, {date}, {time}, {index} and sanitises to [A-Za-z0-9_.-], at most 128', () => {
      const date = new Date(2026, 0, 2, 3, 4, 5);
      assert.equal(
        renderDataId('{date}-{name}-{index}', { name: 'attention', date, index: 7 }),
        '20260102-attention-7',
      );
      assert.equal(renderDataId('{name}@{time}', { name: 'a b/c', date, index: 1 }), 'a_b_c_030405');
      assert.equal(renderDataId('{name}', { name: '论文', date, index: 1 }), undefined);
      assert.equal(renderDataId('', { name: 'x', date, index: 1 }), undefined);
      assert.equal(renderDataId('{name}', { name: 'x'.repeat(300), date, index: 1 })!.length, 128);
      assert.equal(sanitizeDataId('..a..b__'), 'a..b');
    });

    it('requires a seed when a callback is set, before anything is sent', () => {
      const text = (options: { callback?: string; seed?: string }): string =>
        submitProblemText(checkSubmitOptions(options)!, englishL10n);
      assert.match(text({ callback: 'https://hook.example/x' }), /needs a seed/);
      assert.match(text({ callback: 'ftp://x' }), /not an http/);
      assert.match(text({ seed: 'bad seed!' }), /letters, digits/);
      assert.equal(checkSubmitOptions({ callback: 'https://hook.example/x', seed: 'abc_1' }), undefined);
      assert.equal(checkSubmitOptions({}), undefined);
    });
  });
});

describe('Power and scale: engine against the fake service', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => h?.dispose());

  it('sends every option, per file or top level as the guide says, with templated data_ids', async () => {
    h = await startHarness({}, { dataIdTemplate: '{name}-{index}' });
    const options: ParseOptions = {
      modelVersion: 'pipeline',
      isOcr: true,
      enableFormula: false,
      enableTable: true,
      language: 'en',
      pageRanges: '1-2',
      extraFormats: ['docx', 'html', 'latex'],
      noCache: true,
      callback: 'http://127.0.0.1:9/hook',
      seed: 'seed_1',
    };
    await h.engine.submitUrls([{ url: 'https://example.com/a.pdf' }, { url: 'https://example.com/b.pdf' }], {
      outputDir: h.outputDir,
      options,
      mode: 'precise',
    });
    const tasks = await h.waitFor(allFinished);
    assert.ok(
      tasks.every((t) => t.state === 'done'),
      JSON.stringify(tasks.map((t) => t.error)),
    );
    const body = h.fake.requests.find((r) => r.path.endsWith('/extract/task/batch'))!.body as Record<
      string,
      unknown
    >;
    assert.deepEqual(body.files, [
      { url: 'https://example.com/a.pdf', is_ocr: true, data_id: 'a-1', page_ranges: '1-2' },
      { url: 'https://example.com/b.pdf', is_ocr: true, data_id: 'b-2', page_ranges: '1-2' },
    ]);
    assert.deepEqual(
      Object.keys(body)
        .filter((k) => k !== 'files')
        .sort(),
      [
        'callback',
        'enable_formula',
        'enable_table',
        'extra_formats',
        'language',
        'model_version',
        'no_cache',
        'seed',
      ],
    );
    assert.equal(body.no_cache, true);
    // Extra formats land beside the Markdown, named after the document.
    for (const t of tasks) {
      assert.deepEqual(
        t
          .result!.extras.filter((e) => ['docx', 'html', 'latex'].includes(e.format))
          .map((e) => e.path.split(/[\\/]/).pop())
          .sort(),
        [`${t.name}.docx`, `${t.name}.html`, `${t.name}.tex`],
      );
    }
  });

  it('duplicate data_ids from a {name} template still match their own batch items', async () => {
    h = await startHarness({}, { dataIdTemplate: '{name}' });
    await h.engine.submitUrls(
      [{ url: 'https://example.com/x/paper.pdf' }, { url: 'https://example.com/y/paper.pdf?fail=1' }],
      { outputDir: h.outputDir, options: {}, mode: 'precise' },
    );
    const tasks = await h.waitFor(allFinished);
    const bySource = new Map(tasks.map((t) => [(t.source as { url: string }).url, t.state]));
    assert.equal(bySource.get('https://example.com/x/paper.pdf'), 'done');
    assert.equal(bySource.get('https://example.com/y/paper.pdf?fail=1'), 'failed');
  });

  it('a -60018 answer pauses the batch, and Refresh resumes it to the end', async () => {
    h = await startHarness({}, { batchLimit: 2 });
    h.fake.faults.businessErrorNext = {
      route: 'extract/task/batch',
      code: -60018,
      msg: 'daily limit',
      count: 1,
    };
    const events: EngineEvent[] = [];
    h.engine.onEvent((e) => events.push(e));
    await h.engine.submitUrls(
      [1, 2, 3, 4].map((i) => ({ url: `https://example.com/q/d${i}.pdf` })),
      { outputDir: h.outputDir, options: {}, mode: 'precise' },
    );
    assert.ok(h.store.all().every((t) => t.paused?.code === '-60018' && t.state === 'submitting'));
    assert.equal(events.filter((e) => e.kind === 'paused').length, 1);
    h.engine.refresh();
    const tasks = await h.waitFor(allFinished);
    assert.ok(tasks.every((t) => t.state === 'done' && !t.paused));
  });

  it('-60006 at submit fails with the code, and retryWithOptions re-runs with page ranges', async () => {
    h = await startHarness();
    h.fake.faults.businessErrorNext = {
      route: 'extract/task$',
      code: -60006,
      msg: 'too many pages',
      count: 1,
    };
    const [task] = await h.engine.submitUrls([{ url: 'https://example.com/big.pdf' }], {
      outputDir: h.outputDir,
      options: { modelVersion: 'vlm' },
      mode: 'precise',
    });
    assert.equal(h.store.get(task!.id)!.state, 'failed');
    assert.equal(h.store.get(task!.id)!.error?.code, '-60006');
    await h.engine.retryWithOptions(task!.id, { pageRanges: '1-200' });
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done');
    assert.equal(done!.options.pageRanges, '1-200');
    const submits = h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/extract/task'));
    assert.equal((submits[1]!.body as { page_ranges?: string }).page_ranges, '1-200');
  });
});
