/**
 * The fake MinerU service on real PDFs (issue 18): the numbered PDFs of helpers/splitPdfs.ts, the
 * service's page and size limits read from the uploaded bytes, page_ranges against the real page
 * count, results that name the pages they were given, and failTaskOnce. Talks to the fake with
 * fetch only, so that it does not depend on the client under test.
 */
import * as assert from 'node:assert/strict';
import { PDFDocument } from '@cantoo/pdf-lib';
import type { FakeMinerU } from '../fake-mineru/server';
import { startFakeMinerU } from '../fake-mineru/server';
import { readPdfFacts, selectedPageList } from '../fake-mineru/pdfPages';
import { makeNumberedPdf, makeSplitPdf } from './helpers/splitPdfs';

type Json = Record<string, unknown>;

describe('fake MinerU service: real PDFs, limits and task faults', () => {
  let fake: FakeMinerU;

  before(async () => {
    // manual: each test moves the tasks itself (advance()), so that every state is seen in order.
    fake = await startFakeMinerU({ progress: 'manual' });
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  async function api(path: string, body?: object): Promise<Json> {
    const res = await fetch(`${fake.apiBaseUrl}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        authorization: `Bearer ${fake.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as Json;
  }

  /** Uploads files through /file-urls/batch + PUT; returns the batch id. */
  async function upload(files: { name: string; bytes: Uint8Array; page_ranges?: string }[]): Promise<string> {
    const reply = await api('/file-urls/batch', {
      files: files.map((f) => ({ name: f.name, ...(f.page_ranges ? { page_ranges: f.page_ranges } : {}) })),
    });
    assert.equal(reply.code, 0, JSON.stringify(reply));
    const d = reply.data as { batch_id: string; file_urls: string[] };
    for (const [i, f] of files.entries()) {
      const put = await fetch(d.file_urls[i] ?? '', { method: 'PUT', body: f.bytes });
      assert.equal(put.status, 200);
    }
    return d.batch_id;
  }

  /** Steps every task until the batch is finished; returns its items. */
  async function finish(batchId: string): Promise<Json[]> {
    for (let i = 0; i < 40; i++) {
      const items = ((await api(`/extract-results/batch/${batchId}`)).data as Json).extract_result as Json[];
      if (items.every((it) => it.state === 'done' || it.state === 'failed')) return items;
      fake.advanceAll();
    }
    throw new Error('the batch did not finish');
  }

  describe('numbered PDFs (helpers/splitPdfs.ts makeNumberedPdf)', () => {
    it('makes 1,300 pages fast, each "Page k" as another reader (pdf-lib) and the fake see it', async () => {
      const started = Date.now();
      const bytes = makeNumberedPdf(1300);
      const took = Date.now() - started;
      assert.ok(took < 1000, `${took} ms`);
      const doc = await PDFDocument.load(bytes);
      assert.equal(doc.getPageCount(), 1300);
      const facts = await readPdfFacts(bytes);
      assert.equal(facts?.pages, 1300);
      assert.deepEqual(
        facts?.marks,
        Array.from({ length: 1300 }, (_, i) => i + 1),
      );
    });

    it('starts at another number and carries images of the size asked for', async () => {
      const bytes = makeNumberedPdf(4, { first: 601, imageBytes: (p) => (p === 3 ? 300_000 : 0) });
      assert.ok(bytes.length > 300_000 && bytes.length < 320_000, String(bytes.length));
      const facts = await readPdfFacts(bytes);
      assert.deepEqual(facts?.marks, [601, 602, 603, 604]);
    });

    it('the fake reads the marks of pdf-lib PDFs too (compressed, hex strings), and none of other files', async () => {
      assert.deepEqual((await readPdfFacts(await makeSplitPdf(3)))?.marks, [1, 2, 3]);
      assert.equal(await readPdfFacts(Buffer.from('not a pdf')), undefined);
      assert.equal(await readPdfFacts(Buffer.from('%PDF-1.4\ngarbage')), undefined);
    });

    it('page_ranges select pages of the real count, negative from the end', () => {
      assert.deepEqual(selectedPageList('2,4-6', 10), [2, 4, 5, 6]);
      assert.deepEqual(selectedPageList('2--2', 5), [2, 3, 4]);
      assert.deepEqual(selectedPageList('8-12', 10), [8, 9, 10]);
      assert.deepEqual(selectedPageList(undefined, 3), [1, 2, 3]);
      assert.deepEqual(selectedPageList('20', 3), [1, 2, 3]);
    });
  });

  describe('failTaskOnce', () => {
    it('fails the next task for that file name once; the next one for it runs', async () => {
      fake.faults.failTaskOnce('doc.part-2.pdf');
      const first = await finish(
        await upload([
          { name: 'doc.part-1.pdf', bytes: makeNumberedPdf(2) },
          { name: 'doc.part-2.pdf', bytes: makeNumberedPdf(2, { first: 3 }) },
        ]),
      );
      assert.deepEqual(
        first.map((it) => it.state),
        ['done', 'failed'],
      );
      assert.equal(first[1]?.err_msg, 'parsing failed, please try again later');
      const failed = fake.tasks().find((t) => t.name === 'doc.part-2.pdf');
      assert.equal(failed?.errCode, -60010);
      // It ran one step before failing, as a parse that breaks does.
      const again = await finish(await upload([{ name: 'doc.part-2.pdf', bytes: makeNumberedPdf(2) }]));
      assert.equal(again[0]?.state, 'done');
    });

    it('takes a pattern or a test, an err_msg and pending, and reset() clears what is left', async () => {
      fake.faults.failTaskOnce(/part-\d+\.pdf$/, { errMsg: 'boom', from: 'pending' });
      fake.faults.failTaskOnce((name) => name.startsWith('z'));
      const items = await finish(
        await upload([
          { name: 'a.part-1.pdf', bytes: makeNumberedPdf(1) },
          { name: 'a.part-2.pdf', bytes: makeNumberedPdf(1) },
          { name: 'zeta.pdf', bytes: makeNumberedPdf(1) },
        ]),
      );
      assert.deepEqual(
        items.map((it) => [it.state, it.err_msg]),
        [
          ['failed', 'boom'],
          ['done', ''],
          ['failed', 'parsing failed, please try again later'],
        ],
      );
      fake.faults.failTaskOnce('b.pdf');
      fake.reset();
      assert.equal(fake.faults.failTasks, undefined);
      const after = await finish(await upload([{ name: 'b.pdf', bytes: makeNumberedPdf(1) }]));
      assert.equal(after[0]?.state, 'done');
    });

    it('matches URL tasks by their name too', async () => {
      fake.faults.failTaskOnce('remote.pdf');
      const id = String(
        ((await api('/extract/task', { url: 'https://example.com/remote.pdf' })).data as Json).task_id,
      );
      let state = '';
      for (let i = 0; i < 10 && state !== 'failed' && state !== 'done'; i++) {
        state = String(((await api(`/extract/task/${id}`)).data as Json).state);
        fake.advanceAll();
      }
      assert.equal(state, 'failed');
    });
  });
});
