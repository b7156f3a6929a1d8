/** Pure checks of the response guards, the request builders and the error-code table. */
import * as assert from 'node:assert/strict';
import { taskFailureError } from '../../src/core/api/client';
import { AUTO_RETRY_CODES, ERROR_CODES, describeCode } from '../../src/core/api/errorCodes';
import {
  GuardError,
  readBatchItems,
  readEnvelope,
  readFileUrls,
  readTaskStatus,
} from '../../src/core/api/guards';
import { agentBody, fileUrlsBody } from '../../src/core/api/wire';

describe('api guards', () => {
  it('tells the two envelopes apart and normalises the code', () => {
    assert.deepEqual(readEnvelope({ code: '0', msg: 'ok', trace_id: 't', data: { a: 1 } }), {
      kind: 'ok',
      code: '0',
      msg: 'ok',
      traceId: 't',
      data: { a: 1 },
    });
    assert.equal(readEnvelope({ code: -60012, msg: 'x' })?.kind, 'business');
    assert.equal(readEnvelope({ code: -60012 })?.code, '-60012');
    const gw = readEnvelope({ success: false, msgCode: 'A0211', msg: 'expired', traceId: 'abc' });
    assert.deepEqual(gw, { kind: 'gateway', code: 'A0211', msg: 'expired', traceId: 'abc' });
    assert.equal(readEnvelope({ hello: 1 }), undefined);
    assert.equal(readEnvelope([1, 2]), undefined);
    assert.equal(readEnvelope('x'), undefined);
  });

  it('reads a task, coercing numeric strings and ignoring junk', () => {
    const status = readTaskStatus({
      task_id: 'id',
      state: 'running',
      err_msg: '',
      extract_progress: { extracted_pages: '2', total_pages: 10, start_time: '2025-01-20 11:43:20' },
      model_version: 'vlm2.6.5',
    });
    assert.deepEqual(status, {
      state: 'running',
      taskId: 'id',
      progress: { extractedPages: 2, totalPages: 10, startTime: '2025-01-20 11:43:20' },
    });
    assert.equal(readTaskStatus({ state: 'failed', err_code: -30003 }).errCode, '-30003');
    assert.throws(() => readTaskStatus({ state: 42 }), GuardError);
    assert.throws(() => readTaskStatus(null), GuardError);
  });

  it('maps state aliases and keeps polling on an unknown state', () => {
    assert.equal(readTaskStatus({ state: 'succeeded', full_zip_url: 'https://x/z.zip' }).state, 'done');
    assert.equal(readTaskStatus({ state: 'error' }).state, 'failed');
    const unknown: string[] = [];
    assert.equal(readTaskStatus({ state: 'thinking' }, (s) => unknown.push(s)).state, 'pending');
    assert.deepEqual(unknown, ['thinking']);
  });

  it('tolerates extract_results, a missing list and a map', () => {
    assert.deepEqual(readBatchItems({ batch_id: 'b' }), []);
    assert.deepEqual(readBatchItems({ extract_result: null }), []);
    assert.equal(readBatchItems({ extract_results: [{ state: 'pending' }] })[0]?.state, 'pending');
    assert.equal(
      readBatchItems({ extract_result: { a: { state: 'running' }, b: { state: 'done' } } }).length,
      2,
    );
    assert.equal(
      readBatchItems({ extract_result: { state: 'pending', file_name: 'a.pdf' } })[0]?.fileName,
      'a.pdf',
    );
    assert.throws(() => readBatchItems({ extract_result: 'nope' }), GuardError);
    assert.throws(() => readBatchItems(null), GuardError);
  });

  it('checks upload links: strings or {url}, one per file, http(s) only', () => {
    assert.deepEqual(readFileUrls({ file_urls: ['https://a/1', { name: 'b', url: 'https://a/2' }] }, 2), [
      'https://a/1',
      'https://a/2',
    ]);
    assert.throws(() => readFileUrls({ file_urls: ['https://a/1'] }, 2), /1 upload links for 2 files/);
    assert.throws(() => readFileUrls({ file_urls: ['file:///etc/passwd'] }, 1), GuardError);
    assert.throws(() => readFileUrls({}, 1), GuardError);
  });
});

describe('api request builders', () => {
  it('never sends the URL cache options to file-urls', () => {
    const body = fileUrlsBody([{ name: 'a.pdf' }], { noCache: true, cacheTolerance: 5 });
    assert.deepEqual(body, { files: [{ name: 'a.pdf' }] });
  });

  it('builds agent bodies with only the set options', () => {
    assert.deepEqual(agentBody({ url: 'https://x/a.pdf' }, {}), { url: 'https://x/a.pdf' });
    assert.deepEqual(agentBody({ file_name: 'a.pdf' }, { fileName: 'ignored.pdf', isOcr: false }), {
      file_name: 'a.pdf',
      is_ocr: false,
    });
  });
});

describe('api error-code table', () => {
  const specCodes = ['A0202', 'A0211', '-500', '-10001', '-10002'];
  for (let n = 1; n <= 22; n++) specCodes.push(`-600${String(n).padStart(2, '0')}`);
  specCodes.push('-30001', '-30002', '-30003', '-30004');

  it('covers every code of the spec, the newer -60018…-60022 and the agent codes', () => {
    for (const code of specCodes) {
      const info = ERROR_CODES[code];
      assert.ok(info, `missing ${code}`);
      assert.ok(info.message.length > 5 && info.hint.length > 5, code);
    }
  });

  it('points auth codes at a new token and size/page codes at page ranges or splitting', () => {
    for (const code of ['A0202', 'A0211']) {
      assert.match(ERROR_CODES[code]!.hint, /Set a new API token/);
      assert.equal(ERROR_CODES[code]!.auth, true);
    }
    for (const code of ['-60005', '-60006']) assert.match(ERROR_CODES[code]!.hint, /page ranges/);
  });

  it('retries automatically only -10001, -60007 and -60009', () => {
    assert.deepEqual([...AUTO_RETRY_CODES].sort(), ['-10001', '-60007', '-60009']);
  });

  it('gives unknown codes a generic entry with the service message', () => {
    const info = describeCode('-99999', 'strange things');
    assert.match(info.message, /strange things/);
    assert.equal(info.retryable, false);
  });

  it('turns a failed task into a MinerUError of the parse phase', () => {
    const byCode = taskFailureError({ state: 'failed', errCode: '-60006', errMsg: 'too many pages' }, 'h');
    assert.equal(byCode.phase, 'parse');
    assert.equal(byCode.code, '-60006');
    assert.match(byCode.message, /too many pages/);
    const byText = taskFailureError({ state: 'failed', errMsg: 'number of pages exceeds limit (600 pages)' });
    assert.equal(byText.code, '-60006');
    const plain = taskFailureError({
      state: 'failed',
      errMsg: 'failed to read file, please check if the file is corrupted and try uploading again',
    });
    assert.equal(plain.code, undefined);
    assert.match(plain.message, /failed to read file/);
  });
});
