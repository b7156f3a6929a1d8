import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkImageLinks } from '../../src/core/results/markdownLinks';
import { allFinished, startHarness, type Harness } from './helpers/engineHarness';

const PRECISE = { outputDir: '', options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };

describe('ParseEngine against the fake service', function () {
  this.timeout(20_000);
  let h: Harness;
  afterEach(async () => h?.dispose());

  const request = () => ({ ...PRECISE, outputDir: h.outputDir });

  it('parses one URL to <name>/<name>.md with every image link resolving', async () => {
    h = await startHarness();
    await h.engine.submitUrls([{ url: 'https://example.com/papers/attention.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const md = path.join(h.outputDir, 'attention', 'attention.md');
    assert.equal(task!.result!.markdownPath, md);
    const text = await fs.readFile(md, 'utf8');
    assert.match(text, /!\[\]\(images\/[0-9a-f]{64}\.jpg\)/);
    assert.deepEqual(await checkImageLinks(text, path.dirname(md)), []);
    assert.equal(
      h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/extract/task')).length,
      1,
    );
  });

  it('submits a selection as batches split at the limit, polling once per batch per round', async () => {
    h = await startHarness({}, { batchLimit: 4 });
    const urls = Array.from({ length: 10 }, (_, i) => ({ url: `https://example.com/d/doc-${i}.pdf` }));
    await h.engine.submitUrls(urls, request());
    const tasks = await h.waitFor(allFinished);
    assert.ok(tasks.every((t) => t.state === 'done'));
    const submits = h.fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/extract/task/batch'),
    );
    assert.deepEqual(
      submits.map((r) => (r.body as { files: unknown[] }).files.length),
      [4, 4, 2],
    );
    // Each batch is polled as a whole: the number of polls does not grow with the documents in it.
    const perBatch = new Map<string, number>();
    for (const r of h.fake.requests.filter(
      (x) => x.method === 'GET' && x.path.includes('/extract-results/batch/'),
    )) {
      const id = r.path.split('/').pop()!;
      perBatch.set(id, (perBatch.get(id) ?? 0) + 1);
    }
    assert.equal(perBatch.size, 3);
    const single = await startHarness();
    try {
      await single.engine.submitUrls(
        [{ url: 'https://example.com/d/a.pdf' }, { url: 'https://example.com/d/b.pdf' }],
        { ...PRECISE, outputDir: single.outputDir },
      );
      await single.waitFor(allFinished);
      const twoDocPolls = single.fake.requests.filter((x) =>
        x.path.includes('/extract-results/batch/'),
      ).length;
      assert.ok(
        Math.max(...perBatch.values()) <= twoDocPolls + 1,
        `4-document batch polled ${[...perBatch.values()].join(',')} vs ${twoDocPolls}`,
      );
    } finally {
      await single.dispose();
    }
    const folders = (await fs.readdir(h.outputDir)).sort();
    assert.equal(folders.length, 10);
  });

  it('reports a document the service failed with the parse phase and the service message', async () => {
    h = await startHarness();
    await h.engine.submitUrls([{ url: 'https://example.com/fail-this.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error!.phase, 'parse');
    assert.match(task!.error!.message, /parsing failed/);
    assert.ok(task!.error!.hint);
  });

  it('[R-SEC-2] uploads a local file without Content-Type or Authorization and imports its result', async () => {
    h = await startHarness();
    const file = path.join(h.workDir, '论文 draft.pdf');
    await fs.writeFile(file, Buffer.alloc(300_000, 7));
    await h.engine.submitFiles([{ path: file, size: 300_000 }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const put = h.fake.requests.find((r) => r.method === 'PUT');
    assert.ok(put);
    assert.equal(put.headers['content-type'], undefined);
    assert.equal(put.headers.authorization, undefined);
    assert.equal(put.bodyBytes, 300_000);
    const body = h.fake.requests.find((r) => r.path.endsWith('/file-urls/batch'))!.body as {
      files: { name: string }[];
    };
    assert.equal(body.files[0]!.name, '论文 draft.pdf');
    assert.equal(path.basename(task!.result!.markdownPath), '论文 draft.md');
  });

  it('quick mode uses the agent API without a token and writes <name>.md', async () => {
    h = await startHarness();
    await h.engine.submitUrls([{ url: 'https://example.com/short.pdf' }], { ...request(), mode: 'quick' });
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.ok(
      h.fake.requests
        .filter((r) => r.path.includes('/agent/'))
        .every((r) => r.headers.authorization === undefined),
    );
    assert.match(await fs.readFile(task!.result!.markdownPath, 'utf8'), /\S/);
  });

  it('[R-NET-10] [R-INT-1] resumes after a reload: polling continues and the result is imported once', async () => {
    h = await startHarness();
    await h.engine.submitUrls([{ url: 'https://example.com/resume-pages-6.pdf' }], request());
    await h.waitFor((t) => t[0]!.state === 'running');
    await h.store.flush();
    h.reload();
    h.engine.resume();
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done');
    assert.deepEqual(await fs.readdir(h.outputDir), ['resume-pages-6']);
  });

  it('[R-INT-1] a task interrupted during submission is failed with a retry hint, and Retry completes it', async () => {
    h = await startHarness();
    const now = Date.now();
    await h.store.add([
      {
        id: 'x',
        name: 'interrupted',
        source: { kind: 'url', url: 'https://example.com/interrupted.pdf' },
        mode: 'precise',
        options: {},
        outputDir: h.outputDir,
        state: 'submitting',
        createdAt: now,
        updatedAt: now,
      },
    ]);
    h.engine.resume();
    assert.equal(h.store.get('x')!.state, 'failed');
    assert.match(h.store.get('x')!.error!.hint!, /Retry/);
    await h.engine.retry('x');
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done');
  });

  it('[R-NET-8] refreshes an expired result link by polling again, then imports', async () => {
    h = await startHarness();
    h.fake.faults.cdnExpiredOnce = true;
    await h.engine.submitUrls([{ url: 'https://example.com/expiring.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const zips = h.fake.requests.filter((r) => r.server === 'cdn' && r.path.endsWith('.zip'));
    assert.ok(zips.length >= 2);
    assert.deepEqual(await fs.readdir(h.outputDir), ['expiring']);
  });

  it('never overwrites: a second parse of the same document gets a new folder', async () => {
    h = await startHarness();
    const existing = path.join(h.outputDir, 'report');
    await fs.mkdir(existing, { recursive: true });
    await fs.writeFile(path.join(existing, 'report.md'), 'my notes');
    await h.engine.submitUrls([{ url: 'https://example.com/report.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done');
    assert.equal(await fs.readFile(path.join(existing, 'report.md'), 'utf8'), 'my notes');
    assert.equal(path.basename(task!.result!.folder), 'report (2)');
  });

  it('[R-SEC-1] a bad token fails the submission with the code and keeps the token out of state and logs', async () => {
    const token = 'sk-wrong-token-0123456789';
    h = await startHarness({}, {}, token);
    const events: string[] = [];
    h.engine.onEvent((e) => events.push(e.kind));
    await h.engine.submitUrls([{ url: 'https://example.com/x.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error!.code, 'A0202');
    assert.ok(events.includes('auth-failed'));
    await h.store.flush();
    assert.ok(h.logger.lines.length > 0);
    assert.ok(!h.kv.dump().includes(token));
    assert.ok(!h.logger.lines.join('\n').includes(token));
    assert.ok(!JSON.stringify(task!.error).includes(token));
  });

  it('removing a task stops tracking it, and the poller goes idle', async () => {
    h = await startHarness();
    const [t] = await h.engine.submitUrls([{ url: 'https://example.com/slow-pages-50.pdf' }], request());
    await h.waitFor((ts) => ts[0]!.state === 'running' || ts[0]!.state === 'pending');
    await h.engine.remove([t!.id]);
    await h.waitFor(() => !h.engine.polling, 2000);
    const before = h.fake.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.fake.requests.length, before, 'no requests once nothing is tracked');
    assert.equal(h.store.size, 0);
  });
});

describe('ParseEngine quick mode (token-free agent API)', function () {
  this.timeout(20_000);
  let h: Harness;
  afterEach(async () => h?.dispose());
  const quick = () => ({ outputDir: h.outputDir, options: {}, mode: 'quick' as const });

  it('follows a quick URL task through its states and writes <name>.md from markdown_url', async () => {
    h = await startHarness();
    const seen = new Set<string>();
    h.store.onDidChange((e) => e.changed.forEach((t) => seen.add(t.state)));
    await h.engine.submitUrls([{ url: 'https://example.com/quick-note.pdf' }], quick());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal(task!.mode, 'quick');
    assert.ok(seen.has('pending') || seen.has('running') || seen.has('uploading'), [...seen].join(','));
    assert.equal(path.basename(task!.result!.markdownPath), 'quick-note.md');
    assert.ok(h.fake.requests.some((r) => r.path.endsWith('/parse/url')));
    assert.ok(h.fake.requests.every((r) => r.headers.authorization === undefined));
  });

  it('uploads a local file through parse/file and the presigned PUT', async () => {
    h = await startHarness();
    const file = path.join(h.workDir, 'memo.docx');
    await fs.writeFile(file, Buffer.alloc(4096, 1));
    await h.engine.submitFiles([{ path: file, size: 4096 }], quick());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    const put = h.fake.requests.find((r) => r.method === 'PUT')!;
    assert.equal(put.headers['content-type'], undefined);
    assert.equal(put.bodyBytes, 4096);
  });

  for (const [keyword, code] of [
    ['toolarge', '-30001'],
    ['toomanypages', '-30003'],
  ] as const) {
    it(`maps ${code} (${keyword}) to a clear message that suggests a token`, async () => {
      h = await startHarness();
      await h.engine.submitUrls([{ url: `https://example.com/${keyword}.pdf` }], quick());
      const [task] = await h.waitFor(allFinished);
      assert.equal(task!.state, 'failed');
      assert.equal(task!.error!.code, code);
      assert.match(task!.error!.hint!, /token/i);
    });
  }

  it('HTTP 429 is tried again later instead of failing, and the user is told', async () => {
    h = await startHarness({}, { rateLimitBaseMs: 30 });
    h.fake.faults.failNext = { route: '/parse/url$', status: 429, count: 4, retryAfter: 60 };
    const events: string[] = [];
    h.engine.onEvent((e) => events.push(e.kind));
    await h.engine.submitUrls([{ url: 'https://example.com/busy.pdf' }], quick());
    assert.equal(h.store.all()[0]!.state, 'submitting');
    assert.equal(h.store.all()[0]!.error?.httpStatus, 429);
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.ok(events.includes('rate-limited'));
    assert.equal(task!.error, undefined);
  });
});
