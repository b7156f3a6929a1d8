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
import { taskFailureError } from '../../src/core/api/errorCodes';
import { HttpTransport, type JsonRequest } from '../../src/core/api/http';
import { describeError as englishLine, MinerUError, type SerializedError } from '../../src/core/errors';
import { downloadForUpload } from '../../src/core/files/localCopy';
import { validateDocumentUrl } from '../../src/core/links/validateUrl';
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
import { readZipEntries } from '../../src/core/results/zipDirectory';
import { systemClock } from '../../src/core/util/clock';
import { silentLogger } from '../../src/core/util/logger';
import { describeError, englishL10n, errorText, urlProblemText } from '../../src/vscode/errorText';
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
