/**
 * MinerUClient against the fake MinerU service (test/fake-mineru/server.ts): the wire contract of
 * every endpoint and parameter, the error-code table, retries, Authorization placement, timeouts
 * and the streamed upload.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MinerUClient, taskFailureError, type MinerUClientOptions } from '../../src/core/api/client';
import { ERROR_CODES } from '../../src/core/api/errorCodes';
import type { ParseOptions } from '../../src/core/api/types';
import { MinerUError } from '../../src/core/errors';
import { isAbortError, type Clock, type TimerHandle } from '../../src/core/util/clock';
import type { Logger } from '../../src/core/util/logger';
import { startFakeMinerU, type FakeMinerU, type RecordedRequest } from '../fake-mineru/server';

const TOKEN = 'sk-unit-test-token-0123456789abcdef';

function instantClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    setTimeout: (callback, ms): TimerHandle => {
      sleeps.push(ms);
      return setTimeout(callback, 0);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

const logLines: string[] = [];
const logger: Logger = {
  trace: (m) => void logLines.push(m),
  debug: (m) => void logLines.push(m),
  info: (m) => void logLines.push(m),
  warn: (m) => void logLines.push(m),
  error: (m) => void logLines.push(m),
};

async function rejection(promise: Promise<unknown>): Promise<MinerUError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MinerUError, `expected MinerUError, got ${String(error)}`);
    assert.ok(!JSON.stringify(error).includes(TOKEN) && !error.message.includes(TOKEN), 'token in error');
    return error;
  }
  assert.fail('expected a rejection');
}

const ALL_OPTIONS: Required<ParseOptions> = {
  modelVersion: 'vlm',
  enableFormula: false,
  enableTable: true,
  language: 'en',
  extraFormats: ['docx', 'latex'],
  callback: 'http://127.0.0.1:9/callback',
  seed: 'seed_42',
  noCache: true,
  cacheTolerance: 60,
  isOcr: true,
  pageRanges: '1-3',
  // Self-hosted only: never on the cloud's wire.
  selfHosted: { backend: 'pipeline', effort: 'high', parseMethod: 'ocr', imageAnalysis: false },
};

describe('api client against the fake MinerU', function () {
  let fake: FakeMinerU;
  let clock: Clock & { sleeps: number[] };
  let dir: string;

  const client = (extra: Partial<MinerUClientOptions> = {}): MinerUClient =>
    new MinerUClient({
      baseUrl: fake.apiBaseUrl,
      agentBaseUrl: fake.agentBaseUrl,
      getToken: () => Promise.resolve(TOKEN),
      clock,
      logger,
      random: () => 0.5,
      timeoutMs: 3000,
      uploadTimeoutMs: 5000,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 },
      ...extra,
    });
  const api = (method: string, pathPart: string): RecordedRequest[] =>
    fake.requests.filter((r) => r.server === 'api' && r.method === method && r.path.includes(pathPart));

  before(async () => {
    // Manual progress: a test that follows a task moves it with fake.advanceAll() between polls.
    fake = await startFakeMinerU({
      tokens: [TOKEN],
      expiredTokens: ['expired-token-xyz'],
      progress: 'manual',
    });
    dir = mkdtempSync(join(tmpdir(), 'mineru-api-test-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
    const leaked = logLines.filter((line) => line.includes(TOKEN));
    assert.deepEqual(leaked, [], 'the token appeared in a log line');
  });
  beforeEach(() => {
    fake.reset();
    clock = instantClock();
  });

  describe('wire contract', () => {
    it('POST /extract/task carries every option at top level, snake_case, with Bearer and JSON', async () => {
      const { taskId, traceId } = await client().submitTask(
        { url: 'https://example.test/paper.pdf', dataId: 'doc-1' },
        ALL_OPTIONS,
      );
      assert.ok(taskId);
      assert.ok(traceId);
      const [req] = api('POST', '/api/v4/extract/task');
      assert.ok(req);
      assert.equal(req.path, '/api/v4/extract/task');
      assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
      assert.match(req.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(req.body, {
        url: 'https://example.test/paper.pdf',
        data_id: 'doc-1',
        model_version: 'vlm',
        enable_formula: false,
        enable_table: true,
        language: 'en',
        extra_formats: ['docx', 'latex'],
        callback: 'http://127.0.0.1:9/callback',
        seed: 'seed_42',
        no_cache: true,
        cache_tolerance: 60,
        is_ocr: true,
        page_ranges: '1-3',
      });
    });

    it('sends only the options that are set', async () => {
      await client().submitTask({ url: 'https://example.test/a.pdf' }, {});
      assert.deepEqual(api('POST', '/extract/task')[0]?.body, { url: 'https://example.test/a.pdf' });
      await client().submitBatch([{ url: 'https://example.test/b.pdf' }], { enableTable: false });
      assert.deepEqual(api('POST', '/extract/task/batch')[0]?.body, {
        files: [{ url: 'https://example.test/b.pdf' }],
        enable_table: false,
      });
    });

    it('GET /extract/task/{id} reads the state and progress', async () => {
      const c = client();
      const { taskId } = await c.submitTask({ url: 'https://example.test/pages-4.pdf', dataId: 'd1' }, {});
      const seen = new Set<string>();
      let status = await c.getTask(taskId);
      for (let i = 0; i < 20 && status.state !== 'done'; i++) {
        seen.add(status.state);
        if (status.state === 'running') {
          assert.ok(status.progress && status.progress.totalPages === 4, JSON.stringify(status));
        }
        fake.advanceAll();
        status = await c.getTask(taskId);
      }
      assert.equal(status.state, 'done');
      assert.equal(status.taskId, taskId);
      assert.equal(status.dataId, 'd1');
      assert.match(status.fullZipUrl ?? '', new RegExp(`^${fake.cdnOrigin}/cdn/.*\\.zip$`));
      assert.ok(seen.has('running'));
      assert.equal(api('GET', `/api/v4/extract/task/${taskId}`).length > 1, true);
    });

    it('POST /extract/task/batch puts url, is_ocr, data_id, page_ranges per file and the rest at top level', async () => {
      const { batchId } = await client().submitBatch(
        [
          { url: 'https://example.test/a.pdf', dataId: 'a', isOcr: false, pageRanges: '2--2' },
          { url: 'https://example.test/b.pdf' },
        ],
        ALL_OPTIONS,
      );
      assert.ok(batchId);
      const req = api('POST', '/api/v4/extract/task/batch')[0];
      assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(req?.body, {
        files: [
          { url: 'https://example.test/a.pdf', data_id: 'a', is_ocr: false, page_ranges: '2--2' },
          { url: 'https://example.test/b.pdf', is_ocr: true, page_ranges: '1-3' },
        ],
        model_version: 'vlm',
        enable_formula: false,
        enable_table: true,
        language: 'en',
        extra_formats: ['docx', 'latex'],
        callback: 'http://127.0.0.1:9/callback',
        seed: 'seed_42',
        no_cache: true,
        cache_tolerance: 60,
      });
    });

    it('GET /extract-results/batch/{id} keeps request order and tolerates an empty first list', async () => {
      const c = client();
      fake.faults.emptyExtractResultOnce = true;
      const { batchId } = await c.submitBatch(
        [{ url: 'https://example.test/one.pdf', dataId: 'one' }, { url: 'https://example.test/two.pdf' }],
        {},
      );
      const first = await c.getBatch(batchId);
      assert.deepEqual(first, { batchId, items: [] });
      const second = await c.getBatch(batchId);
      assert.equal(second.items.length, 2);
      assert.equal(second.items[0]?.dataId, 'one');
      assert.equal(second.items[0]?.fileName, 'one.pdf');
      assert.equal(api('GET', `/api/v4/extract-results/batch/${batchId}`).length, 2);
    });

    it('POST /file-urls/batch sends names per file and never the URL cache options', async () => {
      const urls = await client().requestUploadUrls(
        [
          { name: '论文.pdf', dataId: 'x1', pageRanges: '1-2' },
          { name: 'b.docx', isOcr: false },
        ],
        ALL_OPTIONS,
      );
      assert.equal(urls.fileUrls.length, 2);
      assert.ok(urls.fileUrls.every((u) => u.startsWith(`${fake.cdnOrigin}/upload/`)));
      const body = api('POST', '/api/v4/file-urls/batch')[0]?.body;
      assert.deepEqual(body, {
        files: [
          { name: '论文.pdf', data_id: 'x1', is_ocr: true, page_ranges: '1-2' },
          { name: 'b.docx', is_ocr: false, page_ranges: '1-3' },
        ],
        model_version: 'vlm',
        enable_formula: false,
        enable_table: true,
        language: 'en',
        extra_formats: ['docx', 'latex'],
        callback: 'http://127.0.0.1:9/callback',
        seed: 'seed_42',
      });
    });

    it('agent API: parse/url, parse/file and parse/{id} send JSON options and no Authorization', async () => {
      const c = client();
      const byUrl = await c.agentParseUrl('https://example.test/short.pdf', {
        fileName: 'short.pdf',
        language: 'en',
        pageRange: '1-2',
        enableTable: false,
        isOcr: true,
        enableFormula: false,
      });
      const byFile = await c.agentParseFile('local.pdf', { language: 'ch' });
      assert.match(byFile.fileUrl, new RegExp(`^${fake.cdnOrigin}/upload/`));
      await c.agentGetTask(byUrl.taskId);
      const agentRequests = fake.requests.filter((r) => r.path.startsWith('/api/v1/agent/'));
      assert.equal(agentRequests.length, 3);
      for (const r of agentRequests) assert.equal(r.headers.authorization, undefined, r.path);
      assert.deepEqual(agentRequests[0]?.body, {
        url: 'https://example.test/short.pdf',
        file_name: 'short.pdf',
        language: 'en',
        page_range: '1-2',
        enable_table: false,
        is_ocr: true,
        enable_formula: false,
      });
      assert.deepEqual(agentRequests[1]?.body, { file_name: 'local.pdf', language: 'ch' });
      assert.equal(agentRequests[2]?.path, `/api/v1/agent/parse/${byUrl.taskId}`);
    });

    it('agent task reaches done with a Markdown link; a failed one maps err_code', async () => {
      const c = client();
      const good = await c.agentParseUrl('https://example.test/ok.pdf', {});
      let status = await c.agentGetTask(good.taskId);
      for (let i = 0; i < 20 && status.state !== 'done' && status.state !== 'failed'; i++) {
        fake.advanceAll();
        status = await c.agentGetTask(good.taskId);
      }
      assert.equal(status.state, 'done');
      assert.ok(status.markdownUrl);
      const bad = await c.agentParseUrl('https://example.test/toomanypages.pdf', {});
      status = await c.agentGetTask(bad.taskId);
      for (let i = 0; i < 20 && status.state !== 'failed'; i++) {
        fake.advanceAll();
        status = await c.agentGetTask(bad.taskId);
      }
      assert.equal(status.errCode, '-30003');
      const error = taskFailureError(status);
      assert.equal(error.code, '-30003');
      assert.equal(error.hint, ERROR_CODES['-30003']?.hint);
    });

    it('accepts code sent as a string throughout', async () => {
      fake.faults.codeAsString = true;
      const c = client();
      const { taskId } = await c.submitTask({ url: 'https://example.test/a.pdf' }, {});
      assert.ok((await c.getTask(taskId)).state);
      await assert.rejects(
        c.getTask('missing-task'),
        (e: unknown) => e instanceof MinerUError && e.code === '-60012',
      );
    });
  });

  describe('errors', () => {
    const codes = Object.keys(ERROR_CODES);
    for (const code of codes) {
      it(`maps ${code} to its message and next step`, async () => {
        const route = code.startsWith('-3000') ? '/api/v1/agent/' : '/api/v4/';
        fake.faults.businessErrorNext = {
          route,
          code: /^-?\d+$/.test(code) ? Number(code) : code,
          msg: 'svc says',
          count: 1,
        };
        const c = client({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
        const call = route.includes('agent') ? c.agentGetTask('any') : c.getBatch('any');
        const error = await rejection(call);
        const info = ERROR_CODES[code]!;
        assert.equal(error.code, code);
        assert.ok(error.message.startsWith(info.message), error.message);
        assert.match(error.message, /svc says/);
        assert.equal(error.hint, info.hint);
        assert.equal(error.retryable, info.retryable);
        assert.ok(error.traceId, 'trace id kept');
        assert.equal(error.host, new URL(fake.apiOrigin).host);
      });
    }

    it('a wrong token gets A0202 from the 401 gateway envelope, an expired one A0211', async () => {
      const wrong = await rejection(
        client({ getToken: () => Promise.resolve('wrong-token-123') }).getBatch('b'),
      );
      assert.equal(wrong.code, 'A0202');
      assert.equal(wrong.httpStatus, 401);
      assert.ok(wrong.traceId);
      assert.match(wrong.hint ?? '', /new API token/);
      const expired = await rejection(
        client({ getToken: () => Promise.resolve('expired-token-xyz') }).getBatch('b'),
      );
      assert.equal(expired.code, 'A0211');
      assert.equal(fake.requests.length, 2, 'auth failures are not retried');
    });

    it('-60005 at submit is not retried and suggests page ranges or splitting', async () => {
      const error = await rejection(client().submitTask({ url: 'https://example.test/toolarge.pdf' }, {}));
      assert.equal(error.code, '-60005');
      assert.equal(
        error.hint,
        'Compress the file, or parse fewer pages with the page ranges option (e.g. "1-200"), or split the document',
      );
      assert.equal(fake.requests.length, 1);
    });

    it('a wrong base URL (404 with an unknown code) says to check the base URL', async () => {
      const c = new MinerUClient({
        baseUrl: `${fake.apiOrigin}/api/v3`,
        getToken: () => Promise.resolve(TOKEN),
        logger,
      });
      const error = await rejection(c.getTask('t'));
      assert.equal(error.httpStatus, 404);
      assert.equal(error.code, 'HTTP_404');
      assert.match(error.hint ?? '', /base URL/);
    });

    it('an HTML error page from a proxy names the host', async () => {
      fake.faults.failNext = { status: 200, body: '<html><body>Captive portal</body></html>', count: 1 };
      const error = await rejection(client().getTask('t'));
      assert.match(error.message, /returned an HTML page, not JSON/);
      assert.ok(error.message.includes(new URL(fake.apiOrigin).host));
    });

    it('malformed JSON with status 200 is reported, not crashed on', async () => {
      fake.faults.failNext = {
        status: 200,
        body: '{"code":0,"data":',
        contentType: 'application/json',
        count: 1,
      };
      const error = await rejection(client().getTask('t'));
      assert.equal(error.code, 'NOT_JSON');
    });
  });

  describe('retries', () => {
    it('retries a 5xx storm on polling, then succeeds', async () => {
      const c = client();
      const { batchId } = await c.submitBatch([{ url: 'https://example.test/a.pdf' }], {});
      fake.faults.failNext = { route: '/extract-results/', status: 502, count: 3 };
      const status = await c.getBatch(batchId);
      assert.equal(status.items.length, 1);
      assert.equal(api('GET', '/extract-results/batch/').length, 4);
      assert.equal(clock.sleeps.length, 3);
    });

    it('honours Retry-After on an agent 429', async () => {
      fake.faults.failNext = {
        route: '/parse/url',
        status: 429,
        retryAfter: 2,
        body: '{"msg":"rate limited"}',
        count: 1,
      };
      const { taskId } = await client().agentParseUrl('https://example.test/a.pdf', {});
      assert.ok(taskId);
      assert.equal(fake.requests.filter((r) => r.path === '/api/v1/agent/parse/url').length, 2);
      assert.ok(clock.sleeps[0]! >= 2000, `slept ${clock.sleeps[0]} ms`);
    });

    it('retries -60009 (queue full) on a submit', async () => {
      fake.faults.businessErrorNext = {
        route: '/extract/task/batch',
        code: -60009,
        msg: 'queue full',
        count: 2,
      };
      const { batchId } = await client().submitBatch([{ url: 'https://example.test/a.pdf' }], {});
      assert.ok(batchId);
      assert.equal(api('POST', '/extract/task/batch').length, 3);
    });

    it('does not retry HTTP 400', async () => {
      fake.faults.failNext = { status: 400, body: '{"error":"bad request"}', count: 1 };
      const error = await rejection(client().getTask('t'));
      assert.equal(error.httpStatus, 400);
      assert.equal(fake.requests.length, 1);
    });

    it('[R-NET-1] retries a dropped connection on polling', async () => {
      const c = client();
      const { taskId } = await c.submitTask({ url: 'https://example.test/a.pdf' }, {});
      fake.faults.dropNext = { route: '/extract/task/', count: 1 };
      assert.ok((await c.getTask(taskId)).state);
      assert.equal(api('GET', '/extract/task/').length, 2);
    });
  });

  describe('checkConnection', () => {
    it('resolves when the token passes the gateway, rejects with A0202 when not', async () => {
      const result = await client().checkConnection();
      assert.ok(result.traceId);
      const error = await rejection(
        client({ getToken: () => Promise.resolve('nope-token') }).checkConnection(),
      );
      assert.equal(error.code, 'A0202');
    });
  });

  describe('timeouts and cancellation', () => {
    it('an abort during a retry wait ends at once', async () => {
      fake.faults.failNext = { status: 503, count: 5 };
      const controller = new AbortController();
      const slowClock: Clock = {
        now: () => Date.now(),
        setTimeout: (callback, ms): TimerHandle => {
          controller.abort();
          return setTimeout(callback, ms);
        },
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      };
      await assert.rejects(client({ clock: slowClock }).getTask('t', controller.signal), (e: unknown) =>
        isAbortError(e),
      );
      assert.equal(fake.requests.length, 1);
    });

    it('[R-NET-4] a hung request fails within the timeout', async () => {
      fake.faults.hangNext = { count: 1 };
      const started = Date.now();
      const error = await rejection(
        client({ timeoutMs: 200, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).getTask('t'),
      );
      assert.equal(error.code, 'ETIMEDOUT');
      assert.ok(Date.now() - started < 1500);
    });

    it('an AbortSignal cancels quietly', async () => {
      fake.faults.hangNext = { count: 1 };
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      await assert.rejects(
        client().getTask('t', controller.signal),
        (e: unknown) => isAbortError(e) && !(e instanceof MinerUError),
      );
    });
  });

  describe('upload', () => {
    const SIZE = 1_234_567;
    const file = (): string => {
      const path = join(dir, 'doc.pdf');
      writeFileSync(path, Buffer.alloc(SIZE, 1));
      return path;
    };

    it('streams the file with Content-Length, no Content-Type, no Authorization; progress reaches the size', async () => {
      const c = client();
      const { batchId, fileUrls } = await c.requestUploadUrls([{ name: 'doc.pdf' }], {});
      const progress: number[] = [];
      await c.uploadFile(fileUrls[0]!, file(), {
        onProgress: (sent, total) => progress.push(sent, total ?? -1),
      });
      const put = fake.requests.find((r) => r.method === 'PUT');
      assert.ok(put);
      assert.equal(put.server, 'cdn');
      assert.equal(put.headers['content-type'], undefined);
      assert.equal(put.headers.authorization, undefined);
      assert.equal(put.headers['content-length'], String(SIZE));
      assert.equal(put.bodyBytes, SIZE);
      assert.equal(progress.at(-2), SIZE);
      assert.equal(progress.at(-1), SIZE);
      assert.ok(progress.length > 6, 'progress reported along the way');
      const status = await c.getBatch(batchId);
      assert.notEqual(status.items[0]?.state, 'waiting-file');
    });

    it('sends no basic auth from user info in the upload link', async () => {
      const c = client();
      const { fileUrls } = await c.requestUploadUrls([{ name: 'doc.pdf' }], {});
      const link = new URL(fileUrls[0]!);
      link.username = 'alice';
      link.password = 'secret';
      await c.uploadFile(link.toString(), file());
      const put = fake.requests.find((r) => r.method === 'PUT');
      assert.ok(put);
      assert.equal(put.headers.authorization, undefined);
      assert.equal(put.bodyBytes, SIZE);
    });

    it('an expired upload link (OSS XML 403) becomes a readable error naming the upload host', async () => {
      const c = client();
      const { fileUrls } = await c.requestUploadUrls([{ name: 'doc.pdf' }], {});
      fake.faults.uploadExpired = true;
      const error = await rejection(c.uploadFile(fileUrls[0]!, file()));
      const host = new URL(fake.cdnOrigin).host;
      assert.equal(error.phase, 'upload');
      assert.equal(error.httpStatus, 403);
      assert.equal(error.code, 'AccessDenied');
      assert.equal(error.host, host);
      assert.ok(error.message.includes(host), error.message);
      assert.match(error.message, /Request has expired/);
      assert.match(error.hint ?? '', /expired/);
      assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 1, 'not retried');
    });

    it('a bad signature (OSS 403 SignatureDoesNotMatch) is readable', async () => {
      const c = client();
      const { fileUrls } = await c.requestUploadUrls([{ name: 'doc.pdf' }], {});
      const tampered = new URL(fileUrls[0]!);
      tampered.searchParams.set('Signature', 'forged');
      const error = await rejection(c.uploadFile(tampered.toString(), file()));
      assert.equal(error.code, 'SignatureDoesNotMatch');
      assert.match(error.message, /SignatureDoesNotMatch — The request signature we calculated/);
      assert.ok(!error.message.includes('forged'), 'the signed query string is not shown');
    });

    it('[R-NET-3] retries a dropped upload, re-opening the file', async () => {
      const c = client();
      const { fileUrls } = await c.requestUploadUrls([{ name: 'doc.pdf' }], {});
      fake.faults.dropNext = { route: '/upload/', count: 1 };
      fake.faults.failNext = { route: '/upload/', status: 503, count: 1 };
      await c.uploadFile(fileUrls[0]!, file());
      const puts = fake.requests.filter((r) => r.method === 'PUT');
      assert.equal(puts.length, 3);
      assert.equal(puts[2]?.bodyBytes, SIZE);
    });

    it('a missing file fails before any request', async () => {
      const c = client();
      const error = await rejection(
        c.uploadFile(`${fake.cdnOrigin}/upload/x?Signature=y`, join(dir, 'nope.pdf')),
      );
      assert.equal(error.code, 'EFILE');
      assert.equal(fake.requests.length, 0);
    });
  });
});
