import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinerUClient } from '../../src/core/api/client';
import type { ParseOptions } from '../../src/core/api/types';
import { mineruServices } from '../../src/core/services/mineruServices';
import { SelfHostedClient, type ServerCredential } from '../../src/core/services/selfHosted/serverClient';
import { formFields, pageWindow, pageWindows } from '../../src/core/services/selfHosted/serverOptions';
import { SelfHostedService } from '../../src/core/services/selfHosted/selfHostedService';
import { flattenNested, withSelfHostedResults } from '../../src/core/services/selfHosted/selfHostedResults';
import { documentNameFromFile, documentNameFromUrl } from '../../src/core/results/naming';
import { createResultImporter } from '../../src/core/results/resultImporter';
import { ParseEngine, type EngineEvent } from '../../src/core/tasks/engine';
import type { TaskRecord } from '../../src/core/tasks/task';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { systemClock } from '../../src/core/util/clock';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';
import { englishL10n, errorText } from '../../src/vscode/errorText';
import {
  startFakeSelfHosted,
  type FakeSelfHosted,
  type FakeSelfHostedOptions,
} from '../fake-mineru/selfHosted/server';
import { CapturingLogger } from './helpers/engineHarness';

const PDF = Buffer.from('%PDF-1.4\n% fake document for the self-hosted fake\n%%EOF\n', 'latin1');

interface Rig {
  fake: FakeSelfHosted;
  engine: ParseEngine;
  store: TaskStore;
  logger: CapturingLogger;
  dir: string;
  out: string;
  reload(): ParseEngine;
  file(name: string): Promise<{ path: string; size: number }>;
  waitFor(pred: (tasks: TaskRecord[]) => boolean, ms?: number): Promise<TaskRecord[]>;
  close(): Promise<void>;
}

async function rig(
  fakeOptions: FakeSelfHostedOptions = {},
  credential?: ServerCredential,
  busyRetry = { baseMs: 5, maxMs: 20, attempts: 5 },
): Promise<Rig> {
  const fake = await startFakeSelfHosted({ stepMs: 10, ...fakeOptions });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-selfhosted-'));
  const out = path.join(dir, 'workspace', 'mineru');
  const kv = new MemoryKeyValueStore();
  const logger = new CapturingLogger();
  let store = new TaskStore(kv);
  const engines: ParseEngine[] = [];
  const build = (): ParseEngine => {
    const selfHosted = new SelfHostedService({
      connection: () => ({
        baseUrl: fake.baseUrl,
        ...(credential ? { credential: () => Promise.resolve(credential) } : {}),
      }),
      clock: systemClock,
      logger,
      downloadDir: path.join(dir, 'downloads'),
      maxDownloadBytes: () => 10 * 1_048_576,
      busyRetry,
      timeoutMs: 3000,
      idleTimeoutMs: 3000,
    });
    // The cloud client is never called here: a cloud request would fail loudly on port 9.
    const cloud = new MinerUClient({
      baseUrl: 'http://127.0.0.1:9',
      agentBaseUrl: 'http://127.0.0.1:9',
      getToken: () => Promise.resolve('unused-token'),
      logger,
      timeoutMs: 500,
    });
    const settings = () => ({ maxZipBytes: 50 * 1_048_576, tempDir: dir });
    const engine = new ParseEngine({
      services: mineruServices(cloud, logger, selfHosted),
      importer: withSelfHostedResults(createResultImporter(logger, settings), {
        clientFor: (base) => selfHosted.clientFor(base),
        settings,
        logger,
      }),
      store,
      clock: systemClock,
      logger,
      pollerTuning: { minIntervalMs: 5, growth: 1.5, maxIntervalMs: 20, unfocusedFactor: 2 },
      nameFor: (s) => (s.kind === 'url' ? documentNameFromUrl(s.url) : documentNameFromFile(s.path)),
    });
    engines.push(engine);
    return engine;
  };
  const r: Rig = {
    fake,
    engine: build(),
    get store() {
      return store;
    },
    logger,
    dir,
    out,
    reload() {
      for (const e of engines) e.dispose();
      store = new TaskStore(kv);
      r.engine = build();
      return r.engine;
    },
    async file(name) {
      const p = path.join(dir, name);
      await fs.writeFile(p, PDF);
      return { path: p, size: PDF.length };
    },
    async waitFor(pred, ms = 8000) {
      const end = Date.now() + ms;
      for (;;) {
        const tasks = store.all();
        if (pred(tasks)) return tasks;
        if (Date.now() > end)
          throw new Error(
            `timed out: ${JSON.stringify(tasks.map((t) => [t.name, t.state, t.error?.message]))}`,
          );
        await new Promise((res) => setTimeout(res, 5));
      }
    },
    async close() {
      for (const e of engines) e.dispose();
      await fake.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return r;
}

const finished = (tasks: TaskRecord[]): boolean =>
  tasks.length > 0 && tasks.every((t) => t.state === 'done' || t.state === 'failed');

const request = (r: Rig, options: ParseOptions = {}) => ({
  outputDir: r.out,
  options,
  mode: 'selfHosted' as const,
});

/** A document server on loopback that records the headers of every request. */
async function documentServer(): Promise<{
  url: string;
  headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length });
    res.end(PDF);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((res) => server.once('listening', res));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    headers,
    close: () => new Promise((res) => server.close(() => res())),
  };
}

describe('self-hosted service against the fake mineru-api', function () {
  this.timeout(20_000);
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('a local file: one multipart POST /tasks, polled, the zip imported into the cloud layout', async () => {
    r = await rig();
    const f = await r.file('report.pdf');
    await r.engine.submitFiles(
      [{ path: f.path, size: f.size }],
      request(r, { language: 'en', enableTable: false }),
    );
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal(task!.mode, 'selfHosted');
    assert.equal(task!.remote?.kind, 'server');
    const folder = path.join(r.out, 'report');
    assert.equal(task!.result?.markdownPath, path.join(folder, 'report.md'));
    assert.equal(task!.result?.brokenImageLinks, 0);
    const entries = await fs.readdir(folder);
    assert.ok(entries.includes('report.md') && entries.includes('images'), entries.join(','));
    assert.ok(!entries.includes('report') || !(await fs.stat(path.join(folder, 'report'))).isDirectory());
    const md = await fs.readFile(path.join(folder, 'report.md'), 'utf8');
    const img = /!\[\]\((images\/[^)]+)\)/.exec(md)?.[1];
    assert.ok(img, 'the Markdown has an image link');
    await fs.access(path.join(folder, img));
    const post = r.fake.requests.find((q) => q.method === 'POST' && q.path === '/tasks')!;
    assert.deepEqual(post.fields.lang_list, ['en']);
    assert.deepEqual(post.fields.table_enable, ['false']);
    assert.deepEqual(post.fields.response_format_zip, ['true']);
    assert.equal(post.files[0]?.fileName, 'report.pdf');
    assert.equal(post.files[0]?.size, PDF.length);
    assert.equal(post.headers['content-length'], String(post.bodyBytes));
    assert.ok(r.fake.requests.some((q) => /^\/tasks\/[^/]+\/result$/.test(q.path)));
  });

  it('a URL is downloaded here without credentials and uploaded; the credential goes only to the server', async () => {
    const docs = await documentServer();
    try {
      r = await rig({ auth: { bearer: ['proxy-secret'] } }, { kind: 'bearer', token: 'proxy-secret' });
      await r.engine.submitUrls([{ url: `${docs.url}/papers/Annual%20Report.pdf` }], request(r));
      const [task] = await r.waitFor(finished);
      assert.equal(task!.state, 'done', JSON.stringify(task!.error));
      assert.equal(task!.source.kind, 'url');
      assert.equal(docs.headers.length, 1);
      assert.equal(docs.headers[0]!.authorization, undefined, 'no credential to the document host');
      assert.equal(docs.headers[0]!.cookie, undefined);
      for (const q of r.fake.requests) assert.equal(q.headers.authorization, 'Bearer proxy-secret', q.path);
      const post = r.fake.requests.find((q) => q.method === 'POST')!;
      assert.equal(post.files[0]?.fileName, 'Annual Report.pdf');
      // The downloaded copy is gone once uploaded.
      assert.deepEqual(await fs.readdir(path.join(r.dir, 'downloads')), []);
      assert.ok(!r.logger.lines.some((l) => l.includes('proxy-secret')), 'the credential is not logged');
    } finally {
      await docs.close();
    }
  });

  it('basic credentials for the proxy are sent as Authorization: Basic', async () => {
    r = await rig(
      { auth: { basic: [{ user: 'ann', password: 'pw-1234' }] } },
      { kind: 'basic', user: 'ann', password: 'pw-1234' },
    );
    const f = await r.file('basic.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const expected = `Basic ${Buffer.from('ann:pw-1234').toString('base64')}`;
    assert.ok(r.fake.requests.every((q) => q.headers.authorization === expected));
  });

  it('a batch of 3 on a one-slot server: queued with the number ahead, then all done', async () => {
    r = await rig({ maxConcurrent: 1, progress: 'manual' });
    const files = await Promise.all(['a.pdf', 'b.pdf', 'c.pdf'].map((n) => r!.file(n)));
    await r.engine.submitFiles(files, request(r));
    // Manual progress: nothing starts until the fake is stepped, so all three wait, in order.
    const queued = await r.waitFor(
      (ts) => ts.length === 3 && ts.every((t) => t.state === 'pending' && t.queuedAhead !== undefined),
    );
    assert.deepEqual(
      queued.map((t) => [t.name, t.queuedAhead]),
      [
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ],
    );
    r.fake.advanceAll();
    const moving = await r.waitFor((ts) => ts.find((t) => t.name === 'c')?.queuedAhead === 1);
    assert.equal(moving.find((t) => t.name === 'a')?.state, 'running');
    for (let i = 0; i < 40 && !finished(r.store.all()); i++) {
      r.fake.advanceAll();
      await new Promise((res) => setTimeout(res, 15));
    }
    const done = await r.waitFor(finished);
    assert.deepEqual(
      done.map((t) => t.state),
      ['done', 'done', 'done'],
    );
    assert.ok(done.every((t) => t.queuedAhead === undefined));
  });

  it('a reload mid-queue: a new engine over the same store resumes polling and imports', async () => {
    r = await rig({ maxConcurrent: 1, progress: 'manual' });
    const files = await Promise.all(['one.pdf', 'two.pdf'].map((n) => r!.file(n)));
    await r.engine.submitFiles(files, request(r));
    await r.waitFor(
      (ts) => ts.length === 2 && ts.every((t) => t.state === 'pending' && t.queuedAhead !== undefined),
    );
    await r.store.flush();
    const engine = r.reload();
    engine.resume();
    for (let i = 0; i < 40 && !finished(r.store.all()); i++) {
      r.fake.advanceAll();
      await new Promise((res) => setTimeout(res, 15));
    }
    const done = await r.waitFor(finished);
    assert.deepEqual(
      done.map((t) => t.state),
      ['done', 'done'],
    );
  });

  it('server down: the task fails saying the server could not be reached', async () => {
    r = await rig();
    await r.fake.down();
    const f = await r.file('down.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error?.reason, 'selfHosted.unreachable');
    assert.equal(task!.error?.retryable, true);
    assert.match(
      errorText(task!.error, englishL10n).message,
      /The MinerU server at 127\.0\.0\.1:\d+ could not be reached/,
    );
  });

  it('the server lost while a task waits: the task carries why (one event per outage), cleared by the next answer', async () => {
    r = await rig({ progress: 'manual' });
    const events: EngineEvent[] = [];
    r.engine.onEvent((e) => events.push(e));
    const f = await r.file('lost.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    await r.waitFor((ts) => ts[0]?.state === 'pending');
    await r.fake.down();
    const rounds = r.fake.requests.length;
    await r.waitFor((ts) => ts[0]?.pollProblem?.reason === 'selfHosted.unreachable');
    await new Promise((res) => setTimeout(res, 100)); // several failed rounds
    const trouble = events.filter((e) => e.kind === 'poll-trouble');
    assert.equal(trouble.length, 1, 'one event for the outage, not one per round');
    assert.equal(trouble[0]!.kind === 'poll-trouble' && trouble[0]!.error.phase, 'poll');
    assert.equal(r.store.all()[0]!.state, 'pending', 'it keeps its place');
    await r.fake.up();
    await r.waitFor((ts) => r!.fake.requests.length > rounds && ts[0]?.pollProblem === undefined);
    for (let i = 0; i < 40 && !finished(r.store.all()); i++) {
      r.fake.advanceAll();
      await new Promise((res) => setTimeout(res, 15));
    }
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'done');
  });

  it('503 at submission is waited on and tried again, not a failure', async () => {
    r = await rig();
    r.fake.faults.failNext = { status: 503, route: '^/tasks$', count: 2, body: '{"detail":"busy"}' };
    const f = await r.file('busy.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal(r.fake.requests.filter((q) => q.method === 'POST').length, 3);
  });

  it('400 invalid option: the failure names the field', async () => {
    r = await rig();
    const f = await r.file('bad.pdf');
    await r.engine.submitFiles(
      [{ path: f.path, size: f.size }],
      request(r, { selfHosted: { backend: 'no-such-backend' } }),
    );
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error?.reason, 'selfHosted.invalidOption');
    assert.equal(task!.error?.params?.field, 'backend');
    assert.match(task!.error.message, /refused the option backend: Invalid backend/);
  });

  it('400 for a language the server does not have names lang_list', async () => {
    r = await rig();
    const f = await r.file('klingon.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r, { language: 'tlh' }));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error?.reason, 'selfHosted.invalidOption');
    assert.equal(task!.error?.params?.field, 'lang_list');
    assert.match(task!.error.message, /refused the option lang_list: Language tlh not supported/);
  });

  it('404 after a server restart: the task fails as retryable with a clear note, and Retry submits again', async () => {
    r = await rig({ progress: 'manual' });
    const f = await r.file('lost.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    await r.waitFor((ts) => ts[0]?.state === 'pending' || ts[0]?.state === 'running');
    r.fake.restart();
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error?.reason, 'selfHosted.taskNotFound');
    assert.equal(task!.error?.retryable, true);
    assert.match(errorText(task!.error, englishL10n).message, /no longer knows this task/);
    await r.engine.retry(task!.id);
    for (let i = 0; i < 40 && r.store.all()[0]?.state !== 'done'; i++) {
      r.fake.advanceAll();
      await new Promise((res) => setTimeout(res, 15));
    }
    assert.equal(r.store.all()[0]?.state, 'done');
  });

  it("409 failed: the server's error text is shown", async () => {
    r = await rig();
    const f = await r.file('will-fail.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error?.phase, 'parse');
    assert.match(task!.error.message, /fake parse failure/);
  });

  it('proxy 401 without a credential and 403 with a refused one: "check the credential for this server"', async () => {
    r = await rig({ auth: { bearer: ['good-token'], forbidden: ['bad-token'] } });
    const f = await r.file('auth.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.error?.reason, 'selfHosted.credential');
    assert.equal(task!.error?.httpStatus, 401);
    assert.match(task!.error.hint!, /Check the credential for this server/);
    await r.close();
    r = await rig(
      { auth: { bearer: ['good-token'], forbidden: ['bad-token'] } },
      { kind: 'bearer', token: 'bad-token' },
    );
    const g = await r.file('auth.pdf');
    await r.engine.submitFiles([{ path: g.path, size: g.size }], request(r));
    const [forbidden] = await r.waitFor(finished);
    assert.equal(forbidden!.error?.httpStatus, 403);
    assert.equal(
      errorText(forbidden!.error, englishL10n).message,
      `The server at ${new URL(r.fake.baseUrl).host} refused the credential (HTTP 403)`,
    );
  });

  it('a page range of several pieces is one server task per piece, merged into one folder in page order', async () => {
    r = await rig({ pages: 5 });
    const f = await r.file('pieces.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r, { pageRanges: '4,1-2' }));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal(task!.remote?.parts?.length, 2);
    const posts = r.fake.requests.filter((q) => q.method === 'POST');
    assert.deepEqual(
      posts.map((q) => [q.fields.start_page_id?.[0], q.fields.end_page_id?.[0]]),
      [
        ['0', '1'],
        ['3', '3'],
      ],
    );
    const folder = path.join(r.out, 'pieces');
    const md = await fs.readFile(path.join(folder, 'pieces.md'), 'utf8');
    const links = [...md.matchAll(/!\[\]\((images\/[^)]+)\)/g)].map((m) => m[1]!);
    assert.equal(links.length, 3, md);
    for (const link of links) await fs.access(path.join(folder, link));
    assert.equal(md.split('# pieces').length - 1, 2, 'both pieces, one after the other');
    assert.deepEqual(
      (await fs.readdir(folder)).filter((n) => n.endsWith('.md')),
      ['pieces.md'],
    );
  });

  it('a page range of several pieces counts pages as in the document: one content list, middle.json and v2, rebased', async () => {
    r = await rig({ pages: 6 });
    const f = await r.file('rebased.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r, { pageRanges: '1-2,5-6' }));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const folder = task!.result!.folder;
    assert.equal(folder, path.join(r.out, 'rebased'));
    const names = (await fs.readdir(folder)).sort();
    assert.deepEqual(
      names.filter((n) => n.endsWith('.json')),
      ['rebased_content_list.json', 'rebased_content_list_v2.json', 'rebased_middle.json'],
    );
    const list = JSON.parse(await fs.readFile(path.join(folder, 'rebased_content_list.json'), 'utf8')) as {
      type: string;
      page_idx: number;
      img_path?: string;
    }[];
    assert.deepEqual(
      [...new Set(list.map((b) => b.page_idx))],
      [0, 1, 4, 5],
      'pages 1-2 and 5-6 of the document',
    );
    for (const b of list) if (b.img_path) await fs.access(path.join(folder, b.img_path));
    const middle = JSON.parse(await fs.readFile(path.join(folder, 'rebased_middle.json'), 'utf8')) as {
      pdf_info: { page_idx: number }[];
    };
    assert.deepEqual(
      middle.pdf_info.map((p) => p.page_idx),
      [0, 1, 4, 5],
    );
    const v2 = JSON.parse(
      await fs.readFile(path.join(folder, 'rebased_content_list_v2.json'), 'utf8'),
    ) as unknown[][];
    assert.deepEqual(
      v2.map((page) => page.length > 0),
      [true, true, false, false, true, true],
      'one array per page of the document, pages 3-4 empty',
    );
    const extras = task!.result!.extras.map((e) => path.basename(e.path)).sort();
    assert.deepEqual(extras, [
      'rebased_content_list.json',
      'rebased_content_list_v2.json',
      'rebased_middle.json',
    ]);
    assert.deepEqual(await fs.readdir(r.out), ['rebased'], 'one folder, no temporary one');
    assert.deepEqual(
      (await fs.readdir(r.dir)).filter((n) => n.startsWith('mineru-')),
      [],
      'the pieces imported outside the workspace are removed',
    );
  });

  it('a page range counted from the end (except the last piece to the end) is refused before anything is sent', async () => {
    r = await rig();
    const f = await r.file('pages.pdf');
    await r.engine.submitFiles([{ path: f.path, size: f.size }], request(r, { pageRanges: '2--2' }));
    const [task] = await r.waitFor(finished);
    assert.equal(task!.error?.reason, 'selfHosted.pageRange');
    assert.equal(r.fake.requests.length, 0);
    assert.deepEqual(pageWindow('2-5'), { start: 1, end: 4 });
    assert.deepEqual(pageWindow('1-3,4-6'), { start: 0, end: 5 });
    assert.deepEqual(pageWindow('5--1'), { start: 4, end: 99_999 });
    assert.deepEqual(pageWindows('7--1,1-3'), [
      { start: 0, end: 2 },
      { start: 6, end: 99_999 },
    ]);
    const fields = formFields({ isOcr: true, modelVersion: 'pipeline', pageRanges: '3' });
    assert.deepEqual(
      fields.filter(([k]) => ['backend', 'parse_method', 'start_page_id', 'end_page_id'].includes(k)),
      [
        ['backend', 'pipeline'],
        ['parse_method', 'ocr'],
        ['start_page_id', '2'],
        ['end_page_id', '2'],
      ],
    );
  });

  it('health, the task API probe, and a 2.x server that has only /file_parse', async () => {
    r = await rig();
    const client = new SelfHostedClient({ baseUrl: r.fake.baseUrl });
    const health = await client.health();
    assert.equal(health.healthy, true);
    assert.equal(health.version, '3.4.4');
    assert.equal(await client.hasTaskApi(), true);
    await r.close();
    r = await rig({ version: '2.7.6' });
    const legacy = new SelfHostedClient({ baseUrl: r.fake.baseUrl });
    assert.equal(await legacy.hasTaskApi(), false);
  });

  it('flattening keeps the nested layout when a name at the top is taken', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-flatten-'));
    try {
      const nested = path.join(dir, 'doc', 'hybrid_auto');
      await fs.mkdir(path.join(nested, 'images'), { recursive: true });
      await fs.writeFile(path.join(nested, 'doc.md'), '![](images/a.jpg)');
      await fs.writeFile(path.join(nested, 'images', 'a.jpg'), 'x');
      await fs.writeFile(path.join(dir, 'doc.md'), 'already here');
      const kept = await flattenNested(dir, path.join(nested, 'doc.md'), []);
      assert.equal(kept.markdownPath, path.join(nested, 'doc.md'));
      assert.equal(await fs.readFile(path.join(dir, 'doc.md'), 'utf8'), 'already here');
      await fs.rm(path.join(dir, 'doc.md'));
      const flat = await flattenNested(dir, path.join(nested, 'doc.md'), [
        { format: 'json', path: path.join(nested, 'x.json') },
      ]);
      assert.equal(flat.markdownPath, path.join(dir, 'doc.md'));
      assert.equal(flat.extras[0]?.path, path.join(dir, 'x.json'));
      assert.deepEqual((await fs.readdir(dir)).sort(), ['doc.md', 'images']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
