/**
 * The user's text of engine errors (src/vscode/errorText.ts): every converted error site gives, in
 * English, exactly the text the core stores (message, hint and the one-line form), and in zh-cn a
 * Chinese text for both; errors without a reason (older records, unconverted sites) show as stored.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { idSegment } from '../../src/core/api/apiRequests';
import { normaliseBase } from '../../src/core/api/baseUrl';
import { MinerUClient } from '../../src/core/api/client';
import { ERROR_CODES, taskFailureError } from '../../src/core/api/errorCodes';
import type { MinerUApi } from '../../src/core/api/mineruApi';
import { assertAgentOptions, assertHttpUrl, assertParseOptions } from '../../src/core/api/requestChecks';
import { uploadFile } from '../../src/core/api/upload';
import { HttpTransport, type JsonRequest } from '../../src/core/api/http';
import { describeError as englishLine, MinerUError, type SerializedError } from '../../src/core/errors';
import { downloadForUpload } from '../../src/core/files/localCopy';
import { validateDocumentUrl } from '../../src/core/links/validateUrl';
import {
  parseAgentPageRange,
  parsePageRanges,
  type PageRangesResult,
} from '../../src/core/options/pageRanges';
import { networkError } from '../../src/core/net/networkError';
import { downloadToFile } from '../../src/core/results/download';
import {
  checkDeclaredSizes,
  checkEntryCount,
  checkEntrySize,
  checkInflatedTotal,
  DEFAULT_EXTRACT_LIMITS,
} from '../../src/core/results/extractLimits';
import { outputWriteError } from '../../src/core/results/outputWriteError';
import { arrangeResult } from '../../src/core/results/resultLayout';
import { mineruServices } from '../../src/core/services/mineruServices';
import type { SubmitItem } from '../../src/core/tasks/service';
import { failureFromStatus, toSerialized } from '../../src/core/tasks/taskErrors';
import type { TaskRecord } from '../../src/core/tasks/task';
import { readZipEntries } from '../../src/core/results/zipDirectory';
import { systemClock } from '../../src/core/util/clock';
import { silentLogger } from '../../src/core/util/logger';
import { describeError, englishL10n, errorText, urlProblemText } from '../../src/vscode/errorText';
import { pageRangesText, suggestsPageRanges } from '../../src/vscode/pageRangeText';
import { startHarness } from './helpers/engineHarness';
import { hasChinese, zhCnL10n } from './helpers/l10nBundles';

const zh = zhCnL10n();

type Answer = (res: http.ServerResponse) => void;

/** A server on 127.0.0.1 that answers every request with `answer`. */
async function serve(answer: Answer): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const reply =
  (status: number, body: string, headers: Record<string, string> = {}): Answer =>
  (res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(body);
  };
const envelope = (status: number, code: string | number, msg?: string): Answer =>
  reply(status, JSON.stringify({ code, ...(msg === undefined ? {} : { msg }), trace_id: 't-1', data: null }));

/** What a rejected promise rejected with, as a MinerUError. */
async function caught(promise: Promise<unknown>): Promise<MinerUError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MinerUError, `not a MinerUError: ${String(error)}`);
    return error;
  }
  assert.fail('did not fail');
}

function thrown(run: () => unknown): MinerUError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof MinerUError, `not a MinerUError: ${String(error)}`);
    return error;
  }
  assert.fail('did not throw');
}

/** The error of one JSON API call to a server answering with `answer`. */
async function apiError(answer: Answer, request: Partial<JsonRequest> = {}): Promise<MinerUError> {
  const server = await serve(answer);
  try {
    const transport = new HttpTransport({
      clock: systemClock,
      logger: silentLogger,
      random: () => 0,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      timeoutMs: 5_000,
    });
    return await caught(
      transport.requestJson({
        method: 'GET',
        url: `${server.origin}/api/v4/x`,
        phase: 'poll',
        mode: 'idempotent',
        ...request,
      }),
    );
  } finally {
    await server.close();
  }
}

function transport(): HttpTransport {
  return new HttpTransport({
    clock: systemClock,
    logger: silentLogger,
    random: () => 0,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 5_000,
  });
}

/** The error of an upload of `file` to a server answering with `answer`. */
async function uploadError(answer: Answer, file: string): Promise<MinerUError> {
  const server = await serve(answer);
  try {
    return await caught(uploadFile(transport(), `${server.origin}/put`, file, 5_000));
  } finally {
    await server.close();
  }
}

const ossError = (status: number, code: string, message?: string): Answer =>
  reply(
    status,
    `<?xml version="1.0"?><Error><Code>${code}</Code>${message ? `<Message>${message}</Message>` : ''}</Error>`,
    { 'Content-Type': 'application/xml' },
  );

const client = (baseUrl = 'https://mineru.net/api/v4'): MinerUClient =>
  new MinerUClient({
    baseUrl,
    getToken: () => Promise.resolve('tok-123'),
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });

async function downloadError(answer: Answer, timeoutMs?: number): Promise<MinerUError> {
  const server = await serve(answer);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-errtext-'));
  try {
    return await caught(
      downloadToFile(`${server.origin}/r.zip`, path.join(dir, 'r.zip'), {
        maxBytes: 1000,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      }),
    );
  } finally {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const errno = (code: string, message = `${code} happened`): Error =>
  Object.assign(new Error(message), { code });

/** One error of every converted site, by a name for the failure message. */
async function convertedErrors(): Promise<Array<[string, MinerUError]>> {
  const url = 'https://mineru.net/api/v4/extract/task';
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-errtext-'));
  const notZip = path.join(tmp, 'bad.zip');
  await fs.writeFile(notZip, 'not a zip');
  const limits = { ...DEFAULT_EXTRACT_LIMITS };
  const closed = await serve(() => undefined);
  const closedOrigin = closed.origin;
  await closed.close();
  const list: Array<[string, MinerUError]> = [
    ['timeout', networkError(new Error('aborted'), 'submit', url, { ms: 30_000 }, [])],
    ['tls', networkError(errno('CERT_HAS_EXPIRED', 'certificate has expired'), 'submit', url, undefined, [])],
    ['dns', networkError(errno('ENOTFOUND'), 'submit', url, undefined, [])],
    ['connect', networkError(errno('ECONNREFUSED'), 'submit', url, undefined, [])],
    ['dropped', networkError(errno('ECONNRESET', 'socket hang up'), 'submit', url, undefined, [])],
    ['network', networkError(new Error('something odd'), 'submit', url, undefined, [])],
    ['A0211', await apiError(envelope(200, 'A0211', 'token expired'))],
    ['A0202 without msg', await apiError(envelope(401, 'A0202'))],
    ['-60005', await apiError(envelope(200, -60005, 'file too large'))],
    ['unknown code', await apiError(envelope(200, 'X123', 'strange'))],
    ['unknown code, no msg', await apiError(envelope(200, 'X123'))],
    ['no token', await apiError(envelope(200, 0), { auth: () => Promise.resolve(undefined) })],
    ['redirect', await apiError(reply(302, '', { Location: 'https://example.com/next' }))],
    ['redirect without Location', await apiError(reply(302, ''))],
    [
      'html page',
      await apiError(reply(200, '<html><body>login</body></html>', { 'Content-Type': 'text/html' })),
    ],
    ['empty', await apiError(reply(200, ''))],
    ['not json', await apiError(reply(200, '{oops'))],
    ['no code', await apiError(reply(200, '{"data":1}'))],
    ['429', await apiError(reply(429, 'slow down', { 'Retry-After': '7' }))],
    ['429 without Retry-After', await apiError(reply(429, 'slow down'))],
    ['500 html', await apiError(reply(502, '<html>bad gateway</html>', { 'Content-Type': 'text/html' }))],
    ['401', await apiError(reply(401, 'nope'))],
    ['403 html', await apiError(reply(403, '<html>proxy</html>', { 'Content-Type': 'text/html' }))],
    ['404', await apiError(reply(404, 'nope'))],
    ['400', await apiError(reply(400, 'nope'))],
    [
      'task failed, code and msg',
      taskFailureError({ state: 'failed', errCode: '-60010', errMsg: 'boom' } as never),
    ],
    ['task failed, msg only', taskFailureError({ state: 'failed', errMsg: 'boom' } as never)],
    ['task failed, nothing', taskFailureError({ state: 'failed' } as never)],
    ['task failed, unknown code', taskFailureError({ state: 'failed', errCode: 'X9' } as never)],
    ['download 404', await downloadError(reply(404, 'gone'))],
    ['download 503', await downloadError(reply(503, 'busy'))],
    ['download 400', await downloadError(reply(400, 'bad'))],
    ['download too large', await downloadError(reply(200, 'x'.repeat(2000)))],
    ['download idle', await downloadError(() => undefined, 200)],
    ['download redirect loop', await downloadError(reply(302, '', { Location: '/r.zip' }))],
    [
      'download refused',
      await caught(downloadToFile(`${closedOrigin}/r.zip`, path.join(tmp, 'r.zip'), { maxBytes: 10 })),
    ],
    [
      'download bad url',
      await caught(downloadToFile('not a url', path.join(tmp, 'r.zip'), { maxBytes: 10 })),
    ],
    [
      'download ftp',
      await caught(downloadToFile('ftp://example.com/r.zip', path.join(tmp, 'r.zip'), { maxBytes: 10 })),
    ],
    ['too many entries', thrown(() => checkEntryCount(limits.maxEntries + 1, limits))],
    ['entry too large', thrown(() => checkEntrySize('a.png', limits.maxEntryBytes + 1, limits))],
    ['markdown too large', thrown(() => checkEntrySize('full.md', limits.maxMarkdownBytes + 1, limits))],
    [
      'bomb entry',
      thrown(() =>
        checkDeclaredSizes([{ entryName: 'a', size: 100 * 1048576, compressedSize: 10 }], 10, limits),
      ),
    ],
    [
      'total too large',
      thrown(() =>
        checkDeclaredSizes(
          [{ entryName: 'a', size: limits.maxTotalBytes + 1, compressedSize: limits.maxTotalBytes }],
          limits.maxTotalBytes,
          limits,
        ),
      ),
    ],
    ['inflated too large', thrown(() => checkInflatedTotal(limits.maxTotalBytes + 1, limits))],
    ['corrupt zip', await caught(readZipEntries(notZip))],
    ['no markdown', await caught(arrangeResult(tmp, ['a.png'], 'doc'))],
    ['disk full', outputWriteError(errno('ENOSPC'), '/out')],
    ['no permission', outputWriteError(errno('EACCES'), '/out')],
    ['write refused', outputWriteError(new Error('weird'), '/out')],
  ];
  const upload = path.join(tmp, 'up.pdf');
  await fs.writeFile(upload, '%PDF-1.4 up');
  const badAnswer = await serve(envelope(200, 0));
  try {
    list.push(['bad response', await caught(client(`${badAnswer.origin}/api/v4`).getTask('t-1'))]);
  } finally {
    await badAnswer.close();
  }
  const twoFiles = [0, 1].map((i) => ({
    task: { options: {} },
    source: { kind: 'file', uploadName: `f${i}.pdf` },
  })) as unknown as SubmitItem[];
  const oneLink = {
    requestUploadUrls: () => Promise.resolve({ batchId: 'b-1', fileUrls: ['https://up.example/1'] }),
  } as unknown as MinerUApi;
  const precise = mineruServices(oneLink, silentLogger).precise as unknown as {
    upload(items: readonly SubmitItem[]): Promise<unknown>;
  };
  list.push(
    ['no documents', await caught(client().submitBatch([], {}))],
    ['no files', await caught(client().requestUploadUrls([], {}))],
    ['a file without a name', await caught(client().requestUploadUrls([{ name: ' ' }], {}))],
    ['the file without a name', await caught(client().agentParseFile(' ', {}))],
    ['upload link not http', await caught(client().uploadFile('ftp://x/put', upload))],
    ['empty task id', thrown(() => idSegment(' ', 'task id'))],
    ['empty batch id', thrown(() => idSegment('', 'batch id'))],
    ['empty other id', thrown(() => idSegment('', 'data id'))],
    ['not an http url', thrown(() => assertHttpUrl('ftp://example.com/a.pdf'))],
    ['callback without seed', thrown(() => assertParseOptions({ callback: 'https://cb.example/' }))],
    ['bad seed', thrown(() => assertParseOptions({ seed: 'a b' }))],
    ['quick page range', thrown(() => assertAgentOptions({ pageRange: '1,3' }))],
    ['bad API base', thrown(() => normaliseBase('not a url', 'API base URL'))],
    ['bad batch base', thrown(() => normaliseBase('::', 'batch API base URL'))],
    ['bad agent base', thrown(() => normaliseBase('::', 'agent API base URL'))],
    ['bad other base', thrown(() => normaliseBase('::', 'upload URL'))],
    ['API base scheme', thrown(() => normaliseBase('ftp://mineru.net/api/v4', 'API base URL'))],
    ['batch base scheme', thrown(() => normaliseBase('ftp://mineru.net/api/v4', 'batch API base URL'))],
    ['agent base scheme', thrown(() => normaliseBase('ftp://mineru.net/api/v4', 'agent API base URL'))],
    ['other base scheme', thrown(() => normaliseBase('ftp://mineru.net/api/v4', 'upload URL'))],
    ['plain http', await caught(client('http://mineru.example/api/v4').getTask('t-1'))],
    ['upload signature', await uploadError(ossError(403, 'SignatureDoesNotMatch', 'no match'), upload)],
    ['upload expired', await uploadError(ossError(403, 'AccessDenied', 'Request has expired'), upload)],
    ['upload refused', await uploadError(ossError(403, 'AccessDenied'), upload)],
    ['upload busy', await uploadError(reply(503, 'busy'), upload)],
    ['upload other', await uploadError(reply(400, 'bad'), upload)],
    ['upload unreadable', await uploadError(reply(200, ''), path.join(tmp, 'missing.pdf'))],
    ['upload link count', await caught(precise.upload(twoFiles))],
  );
  for (const [status, name] of [
    [404, 'local copy refused'],
    [200, 'local copy too large'],
  ] as const) {
    const server = await serve(reply(status, 'x'.repeat(3 * 1048576)));
    try {
      list.push([
        name,
        await caught(downloadForUpload(`${server.origin}/doc.pdf`, tmp, { maxBytes: 1048576 })),
      ]);
    } finally {
      await server.close();
    }
  }
  await fs.rm(tmp, { recursive: true, force: true });
  return list;
}

describe('Error text for the user (reason codes through l10n)', function () {
  this.timeout(20_000);
  let errors: Array<[string, MinerUError]>;
  before(async () => {
    errors = await convertedErrors();
  });

  it('every converted error reads, in English, exactly as the core stored it', () => {
    for (const [name, error] of errors) {
      const json = error.toJSON();
      assert.ok(json.reason, `${name}: no reason`);
      assert.deepEqual(errorText(json, englishL10n), { message: error.message, hint: error.hint }, name);
      assert.equal(describeError(json, englishL10n), englishLine(json), name);
    }
  });

  it('every converted error reads in Chinese under zh-cn, message and hint', () => {
    for (const [name, error] of errors) {
      const text = errorText(error.toJSON(), zh);
      assert.ok(hasChinese(text.message), `${name}: ${text.message}`);
      if (error.hint !== undefined) assert.ok(hasChinese(text.hint), `${name}: ${text.hint}`);
      assert.ok(hasChinese(describeError(error.toJSON(), zh)), name);
    }
  });

  it('the errors the engine keeps as records read as stored in English, and in Chinese under zh-cn', () => {
    const services = mineruServices({} as MinerUApi, silentLogger);
    const urlTask = { source: { kind: 'url', url: 'https://example.com/a.pdf' } } as unknown as TaskRecord;
    const records: Array<[string, SerializedError]> = [
      ['unexpected', toSerialized('submit', new Error('boom'))],
      ['unexpected, not an Error', toSerialized('poll', 'odd')],
      [
        'url unreachable',
        failureFromStatus(
          { state: 'failed', errMsg: 'file read timeout' } as never,
          urlTask,
          services.precise,
        ),
      ],
      [
        'quick mode hint',
        failureFromStatus({ state: 'failed', errCode: '-30003' } as never, urlTask, services.quick),
      ],
      [
        'quick mode hint, unknown code',
        failureFromStatus({ state: 'failed', errCode: '-30009' } as never, urlTask, services.quick),
      ],
    ];
    for (const [name, json] of records) {
      assert.ok(json.reason, `${name}: no reason`);
      assert.deepEqual(errorText(json, englishL10n), { message: json.message, hint: json.hint }, name);
      assert.equal(describeError(json, englishL10n), englishLine(json), name);
      const text = errorText(json, zh);
      if (name.startsWith('unexpected')) assert.equal(text.message, json.message, name);
      else assert.ok(hasChinese(text.message), `${name}: ${text.message}`);
      assert.ok(hasChinese(text.hint), `${name}: ${text.hint}`);
    }
  });

  it('a refused page range reads as the core worded it in English, and in Chinese under zh-cn', () => {
    const seen = new Set<string>();
    const cases: Array<[(input: string) => PageRangesResult, string]> = [
      [parsePageRanges, ''],
      [parsePageRanges, '1,'.repeat(1001)],
      [parsePageRanges, '0'],
      [parsePageRanges, '999999'],
      [parsePageRanges, '1,,2'],
      [parsePageRanges, 'abc'],
      [parsePageRanges, '5-2'],
      [parsePageRanges, '-1--3'],
      [parseAgentPageRange, ''],
      [parseAgentPageRange, '1,2'],
      [parseAgentPageRange, '-3'],
      [parseAgentPageRange, 'x'],
      [parseAgentPageRange, '0-3'],
      [parseAgentPageRange, '1-999999'],
      [parseAgentPageRange, '9-3'],
    ];
    for (const [parse, input] of cases) {
      const r = parse(input);
      assert.ok(!r.ok, input);
      if (r.ok) continue;
      seen.add(r.problem);
      assert.equal(pageRangesText(r, englishL10n), r.message, input);
      assert.ok(hasChinese(pageRangesText(r, zh)), `${input}: ${pageRangesText(r, zh)}`);
    }
    assert.deepEqual([...seen].sort(), [
      'agentEmpty',
      'agentPart',
      'agentReversed',
      'commas',
      'empty',
      'fromEnd',
      'part',
      'tooLong',
    ]);
  });

  it("the engine's own errors (rate limit, interrupted step) read as stored, and in Chinese", async () => {
    const h = await startHarness({}, { rateLimitBaseMs: 60_000 });
    try {
      h.fake.faults.failNext = { route: '/parse/url$', status: 429, count: 4, retryAfter: 60 };
      await h.engine.submitUrls([{ url: 'https://example.com/busy.pdf' }], {
        outputDir: h.outputDir,
        options: {},
        mode: 'quick',
      });
      const limited = h.store.all()[0]!.error!;
      assert.equal(limited.reason, 'task.rateLimited');
      h.fake.faults.hangNext = { route: '/extract/task$', count: 1 };
      void h.engine.submitUrls([{ url: 'https://example.com/hung.pdf' }], {
        outputDir: h.outputDir,
        options: { modelVersion: 'vlm' },
        mode: 'precise',
      });
      await h.waitFor((tasks) => tasks.some((t) => t.state === 'submitting' && !t.error));
      await h.store.flush();
      h.reload();
      h.engine.resume();
      const [interrupted] = await h.waitFor((tasks) =>
        tasks.some((t) => t.error?.reason === 'task.interrupted'),
      );
      for (const json of [limited, interrupted!.error!]) {
        assert.ok(json.reason, json.message);
        assert.deepEqual(errorText(json, englishL10n), { message: json.message, hint: json.hint });
        assert.ok(hasChinese(errorText(json, zh).message), json.message);
        assert.ok(hasChinese(errorText(json, zh).hint), json.message);
      }
    } finally {
      await h.dispose();
    }
  });

  it('offers page ranges for exactly the failures the test on the English message offered them for', () => {
    const before = (e: SerializedError): boolean =>
      (e.code !== undefined && ['-60005', '-60006', '-30001', '-30003'].includes(e.code)) ||
      (/pages?/i.test(e.message) && /limit|exceed|too many/i.test(e.message));
    const samples: Array<[string, SerializedError]> = errors.map(([name, e]) => [name, e.toJSON()]);
    for (const code of [...Object.keys(ERROR_CODES), 'X1']) {
      for (const errMsg of [undefined, 'boom', 'number of pages exceeds limit', 'too many pages']) {
        const status = { state: 'failed', errCode: code, ...(errMsg ? { errMsg } : {}) } as never;
        samples.push([`task ${code} ${errMsg ?? ''}`, taskFailureError(status).toJSON()]);
      }
    }
    for (const errMsg of ['the file has too many pages, over the limit', 'boom']) {
      samples.push([`task ${errMsg}`, taskFailureError({ state: 'failed', errMsg } as never).toJSON()]);
    }
    samples.push(['old record', { phase: 'parse', message: 'Page limit exceeded', retryable: false }]);
    let offered = 0;
    for (const [name, json] of samples) {
      assert.equal(suggestsPageRanges(json), before(json), name);
      if (before(json)) offered += 1;
    }
    assert.ok(offered > 10, `only ${offered} samples offer page ranges`);
  });

  it('an expired token (A0211) reads in Chinese', async () => {
    const error = await apiError(envelope(200, 'A0211', 'token expired'));
    assert.equal(
      describeError(error.toJSON(), zh),
      '查询进度失败：API 令牌已过期（服务：“token expired”） (A0211)。请设置新的 API 令牌（在 https://mineru.net/apiManage/token 创建）',
    );
  });

  it('a connection refused reads in Chinese', () => {
    const error = networkError(errno('ECONNREFUSED'), 'upload', 'https://mineru.net/x', undefined, []);
    assert.deepEqual(errorText(error.toJSON(), zh), {
      message: '无法连接到 mineru.net（ECONNREFUSED）',
      hint: '请检查网络连接或代理设置，然后重试',
    });
    assert.equal(
      describeError(error.toJSON(), englishL10n),
      'Upload failed: Could not connect to mineru.net (ECONNREFUSED) (ECONNREFUSED). Check your network connection or proxy settings, then try again',
    );
  });

  it('a damaged result archive reads in Chinese', () => {
    const error = new MinerUError({
      phase: 'extract',
      code: 'ZIP_CORRUPT',
      message: 'The result archive is damaged or not a zip file',
      reason: 'zip.corrupt',
      hint: 'Download the result again.',
      retryable: true,
    });
    assert.equal(
      describeError(error.toJSON(), zh),
      '解压失败：结果压缩包已损坏或不是 zip 文件 (ZIP_CORRUPT)。请重新下载结果。',
    );
  });

  it('a task record saved before reasons existed still shows its message and hint', () => {
    const old = JSON.parse(
      '{"phase":"download","message":"Could not reach cdn.example (ECONNRESET)","hint":"Check the network, VPN or proxy, then Retry.","code":"ECONNRESET","retryable":true}',
    ) as SerializedError;
    for (const l10n of [englishL10n, zh]) {
      assert.deepEqual(errorText(old, l10n), {
        message: 'Could not reach cdn.example (ECONNRESET)',
        hint: 'Check the network, VPN or proxy, then Retry.',
      });
    }
    assert.equal(describeError(old, englishL10n), englishLine(old));
    assert.equal(
      describeError(old, englishL10n),
      'Download failed: Could not reach cdn.example (ECONNRESET) (ECONNRESET). Check the network, VPN or proxy, then Retry.',
    );
    assert.ok(describeError(old, zh).startsWith('下载失败：Could not reach cdn.example (ECONNRESET)'));
  });

  it('a hint changed after the fact, or a reason from a newer version, shows the stored text', () => {
    const json = taskFailureError({ state: 'failed', errCode: '-30003' } as never).toJSON();
    const changed: SerializedError = {
      ...json,
      hint: `${json.hint}; or set an API token for the precise mode`,
    };
    const text = errorText(changed, zh);
    assert.equal(text.hint, changed.hint);
    assert.equal(text.message, '文档页数超过快速模式允许的上限');
    const newer = { ...json, reason: 'quantum.flux' } as unknown as SerializedError;
    assert.deepEqual(errorText(newer, zh), { message: json.message, hint: json.hint });
  });

  it('a refused link reads as the core worded it in English, and in Chinese under zh-cn', () => {
    const seen = new Set<string>();
    for (const input of [
      '',
      'two words',
      '/home/me/a.pdf',
      'not-a-link',
      'c:/docs/a.pdf',
      'ftp://example.com/a.pdf',
      'http://',
    ]) {
      const r = validateDocumentUrl(input);
      assert.ok(!r.ok, input);
      if (r.ok) continue;
      seen.add(r.problem);
      assert.equal(urlProblemText(r, englishL10n), r.message, input);
      assert.ok(hasChinese(urlProblemText(r, zh)), `${input}: ${urlProblemText(r, zh)}`);
    }
    assert.deepEqual([...seen].sort(), [
      'driveLetter',
      'empty',
      'invalid',
      'localPath',
      'scheme',
      'whitespace',
    ]);
    const scheme = validateDocumentUrl('ftp://example.com/a.pdf');
    assert.ok(!scheme.ok);
    if (!scheme.ok) assert.equal(urlProblemText(scheme, zh), '只能解析 http 和 https 链接：不支持“ftp:”。');
  });
});
