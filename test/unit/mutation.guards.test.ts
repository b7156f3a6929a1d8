/**
 * Tests written from the surviving mutants of src/core/api/guards.ts (npm run mutation): each
 * reader of the service's responses, called directly with the malformed values it must refuse or
 * drop, and the exact GuardError message the client turns into an error naming the host.
 */
import * as assert from 'node:assert/strict';
import {
  asCodeString,
  GuardError,
  readBatchItems,
  readEnvelope,
  readFileUrls,
  readHttpUrl,
  readProgress,
  readRequiredId,
  readState,
  readTaskStatus,
} from '../../src/core/api/guards';

function guardError(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof GuardError, String(error));
    assert.equal(error.name, 'GuardError');
    assert.equal(error.message, message);
    return true;
  });
}

describe('mutation: guards', () => {
  it('asCodeString: trims strings, renders finite numbers, refuses the rest', () => {
    assert.equal(asCodeString(' A0202 '), 'A0202');
    assert.equal(asCodeString(-60007), '-60007');
    assert.equal(asCodeString(Number.NaN), undefined);
    assert.equal(asCodeString(Number.POSITIVE_INFINITY), undefined);
    assert.equal(asCodeString(true), undefined);
    assert.equal(asCodeString({ code: 1 }), undefined);
  });

  it('readEnvelope: only objects; a blank msgCode falls back to code; a blank code is not a code', () => {
    assert.equal(readEnvelope(null), undefined);
    assert.equal(readEnvelope('{"code":0}'), undefined);
    assert.deepEqual(readEnvelope({ msgCode: '', code: 0, data: 1 }), {
      kind: 'ok',
      data: 1,
      code: '0',
      msg: undefined,
      traceId: undefined,
    });
    assert.equal(readEnvelope({ code: '' }), undefined);
    assert.equal(readEnvelope({ code: '  ' }), undefined);
    assert.equal(readEnvelope({ success: true }), undefined);
  });

  it('readEnvelope: success:false without any code is the gateway envelope "GATEWAY"', () => {
    assert.deepEqual(readEnvelope({ success: false, msg: 'denied', traceId: 't1' }), {
      kind: 'gateway',
      code: 'GATEWAY',
      msg: 'denied',
      traceId: 't1',
    });
    assert.deepEqual(readEnvelope({ success: false, code: '' }), {
      kind: 'gateway',
      code: 'GATEWAY',
      msg: undefined,
      traceId: undefined,
    });
  });

  it('readState: refuses an empty state, trims, maps aliases, and keeps polling an unknown one', () => {
    guardError(() => readState(''), 'a task has no "state"');
    guardError(() => readState(3), 'a task has no "state"');
    assert.equal(readState(' Done '), 'done');
    assert.equal(readState('success'), 'done');
    assert.equal(readState('fail'), 'failed');
    assert.equal(readState('error'), 'failed');
    assert.equal(readState('something-new'), 'pending');
    const seen: string[] = [];
    assert.equal(
      readState('something-new', (raw) => seen.push(raw)),
      'pending',
    );
    assert.deepEqual(seen, ['something-new']);
  });

  it('readProgress: numbers or numeric strings only, both counts required, no empty start time', () => {
    const p = (extracted: unknown, total: unknown = 10): unknown =>
      readProgress({ extracted_pages: extracted, total_pages: total });
    assert.deepEqual(p(3), { extractedPages: 3, totalPages: 10 });
    assert.deepEqual(p(' 3 '), { extractedPages: 3, totalPages: 10 });
    assert.deepEqual(p('-2'), { extractedPages: -2, totalPages: 10 });
    assert.deepEqual(p('12'), { extractedPages: 12, totalPages: 10 });
    assert.deepEqual(p('1.25'), { extractedPages: 1.25, totalPages: 10 });
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      'x12',
      '12x',
      '1.',
      '1.x',
      '3 pages',
      [12],
      true,
      null,
    ]) {
      assert.equal(p(bad), undefined, JSON.stringify(bad));
      assert.equal(p(3, bad), undefined, `total ${JSON.stringify(bad)}`);
    }
    assert.equal(readProgress({ total_pages: 10 }), undefined);
    assert.equal(readProgress({ extracted_pages: 1 }), undefined);
    assert.deepEqual(readProgress({ extracted_pages: 1, total_pages: 2, start_time: '' }), {
      extractedPages: 1,
      totalPages: 2,
    });
    assert.deepEqual(readProgress({ extracted_pages: 1, total_pages: 2, start_time: '2026-01-01 10:00' }), {
      extractedPages: 1,
      totalPages: 2,
      startTime: '2026-01-01 10:00',
    });
  });

  it('readTaskStatus: drops empty and non-string fields, a zero error code and a missing progress', () => {
    guardError(() => readTaskStatus('done'), 'a task entry is not an object');
    assert.deepEqual(
      readTaskStatus({ state: 'running', task_id: '', data_id: 7, err_code: '0', extract_progress: {} }),
      { state: 'running' },
    );
    assert.deepEqual(readTaskStatus({ state: 'failed', task_id: 't1', err_code: 0, err_msg: 'bad file' }), {
      state: 'failed',
      taskId: 't1',
      errMsg: 'bad file',
    });
    assert.deepEqual(readTaskStatus({ state: 'failed', err_code: -60001 }), {
      state: 'failed',
      errCode: '-60001',
    });
  });

  it('readBatchItems: no object is an error; a null or missing list is empty; a string is not a list', () => {
    guardError(() => readBatchItems(null), 'the batch result has no "data" object');
    assert.deepEqual(readBatchItems({ extract_result: null }), []);
    assert.deepEqual(readBatchItems({}), []);
    guardError(() => readBatchItems({ extract_result: 'x' }), '"extract_result" is not a list');
  });

  it('readRequiredId: an object with a non-empty id', () => {
    guardError(() => readRequiredId([], 'batch_id'), 'the response has no "data" object');
    guardError(() => readRequiredId({}, 'batch_id'), 'the response has no "batch_id"');
    guardError(() => readRequiredId({ batch_id: '' }, 'batch_id'), 'the response has no "batch_id"');
    assert.equal(readRequiredId({ batch_id: ' b1 ' }, 'batch_id'), 'b1');
  });

  it('readFileUrls: an object, a list, http(s) URLs only (from the start), as many as asked', () => {
    guardError(() => readFileUrls('x', 1), 'the response has no "data" object');
    guardError(() => readFileUrls({ file_urls: 'https://u' }, 1), 'the response has no "file_urls" list');
    const notHttp = 'an upload link in "file_urls" is not an http(s) URL';
    guardError(() => readFileUrls({ file_urls: [42] }, 1), notHttp);
    guardError(() => readFileUrls({ file_urls: [{ url: 42 }] }, 1), notHttp);
    guardError(() => readFileUrls({ file_urls: ['ftp://u/a'] }, 1), notHttp);
    guardError(() => readFileUrls({ file_urls: ['see https://u/a'] }, 1), notHttp);
    guardError(
      () => readFileUrls({ file_urls: ['https://u/a'] }, 2),
      'the service returned 1 upload links for 2 files',
    );
    assert.deepEqual(readFileUrls({ file_urls: ['https://u/a', { url: 'HTTP://u/b' }] }, 2), [
      'https://u/a',
      'HTTP://u/b',
    ]);
  });

  it('readHttpUrl: an object with an http(s) URL in the field', () => {
    guardError(() => readHttpUrl(null, 'file_url'), 'the response has no "data" object');
    guardError(() => readHttpUrl({ file_url: 42 }, 'file_url'), '"file_url" is not an http(s) URL');
    guardError(
      () => readHttpUrl({ file_url: 'javascript:https://x' }, 'file_url'),
      '"file_url" is not an http(s) URL',
    );
    guardError(() => readHttpUrl({}, 'file_url'), '"file_url" is not an http(s) URL');
    assert.equal(readHttpUrl({ file_url: 'https://cdn/x' }, 'file_url'), 'https://cdn/x');
  });

  it('an empty msg or trace_id falls back to message / traceId', () => {
    assert.deepEqual(
      readEnvelope({ code: 'A0202', msg: '', message: 'token expired', trace_id: '', traceId: 't9' }),
      {
        kind: 'business',
        code: 'A0202',
        msg: 'token expired',
        traceId: 't9',
      },
    );
  });

  it('every state alias maps to its state', () => {
    const aliases: [string, string][] = [
      ['success', 'done'],
      ['succeeded', 'done'],
      ['finished', 'done'],
      ['fail', 'failed'],
      ['error', 'failed'],
      ['queued', 'pending'],
      ['processing', 'running'],
    ];
    for (const [alias, state] of aliases)
      assert.equal(
        readState(alias, () => assert.fail(alias)),
        state,
        alias,
      );
  });

  it('readBatchItems: a null extract_results is an empty list too', () => {
    assert.deepEqual(readBatchItems({ extract_results: null }), []);
  });

  it('a URL field that is a list is refused, even when the list would print as a URL', () => {
    guardError(
      () => readFileUrls({ file_urls: [{ url: ['https://u/a'] }] }, 1),
      'an upload link in "file_urls" is not an http(s) URL',
    );
    guardError(
      () => readHttpUrl({ file_url: ['https://cdn/x'] }, 'file_url'),
      '"file_url" is not an http(s) URL',
    );
  });
});
