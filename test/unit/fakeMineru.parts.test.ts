/**
 * The fake MinerU service on real PDFs (issue 18): the numbered PDFs of helpers/splitPdfs.ts, the
 * service's page and size limits read from the uploaded bytes, page_ranges against the real page
 * count, results that name the pages they were given, and failTaskOnce. Talks to the fake with
 * fetch only, so that it does not depend on the client under test.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import AdmZip from 'adm-zip';
import { PDFDocument } from '@cantoo/pdf-lib';
import type { FakeMinerU } from '../fake-mineru/server';
import { startFakeMinerU } from '../fake-mineru/server';
import { readPdfFacts, selectedPageList } from '../fake-mineru/pdfPages';
import { splitPdfFile } from '../../src/core/split/splitPdf';
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

  async function zipOf(item: Json): Promise<AdmZip> {
    const res = await fetch(String(item.full_zip_url));
    assert.equal(res.status, 200);
    return new AdmZip(Buffer.from(await res.arrayBuffer()));
  }

  function contentList(zip: AdmZip): { type: string; text?: string; img_path?: string; page_idx: number }[] {
    const entry = zip.getEntries().find((e) => e.entryName.endsWith('_content_list.json'));
    return JSON.parse(zip.readAsText(entry ?? '')) as {
      type: string;
      text?: string;
      img_path?: string;
      page_idx: number;
    }[];
  }

  const headings = (md: string): number[] => [...md.matchAll(/^## Page (\d+)$/gm)].map((m) => Number(m[1]));
  const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

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

  describe('limits and results from the real bytes', () => {
    it('a part of pages 601-1200 gives "## Page 601".."## Page 1200", page_idx local, a figure every 10 pages', async () => {
      const [item] = await finish(
        await upload([{ name: 'book.part-2.pdf', bytes: makeNumberedPdf(600, { first: 601 }) }]),
      );
      assert.equal(item?.state, 'done');
      const task = fake.tasks()[0];
      assert.equal(task?.pages, 600);
      const zip = await zipOf(item ?? {});
      const md = zip.readAsText('full.md');
      assert.deepEqual(headings(md), range(601, 1200));
      assert.ok(!md.startsWith('# '), 'no title of the fake');
      assert.ok(!md.includes('<table>'), 'no table of the fake');
      assert.match(md, /^Text of page 777\.$/m);
      const links = [...md.matchAll(/!\[\]\((images\/[0-9a-f]{64}\.jpg)\)/g)].map((m) => m[1] ?? '');
      assert.equal(links.length, 60);
      for (const link of links) assert.ok(zip.getEntry(link), link);
      assert.match(md, /## Page 611\n\nText of page 611\.\n\n!\[\]\(images\//);
      const list = contentList(zip);
      const titles = list.filter((b) => b.type === 'text' && b.text?.startsWith('Page '));
      assert.deepEqual(
        titles.map((b) => [b.text, b.page_idx]),
        range(0, 599).map((i) => [`Page ${601 + i}`, i]),
      );
      assert.deepEqual(
        list.filter((b) => b.type === 'image').map((b) => b.page_idx),
        range(0, 59).map((i) => i * 10),
      );
    });

    it('page_ranges select real pages: "3-5,-1" of a 10-page PDF parses pages 3, 4, 5 and 10', async () => {
      const [item] = await finish(
        await upload([{ name: 'r.pdf', bytes: makeNumberedPdf(10), page_ranges: '3-5,-1' }]),
      );
      assert.equal(fake.tasks()[0]?.pages, 4);
      const zip = await zipOf(item ?? {});
      assert.deepEqual(headings(zip.readAsText('full.md')), [3, 4, 5, 10]);
      assert.deepEqual(
        contentList(zip)
          .filter((b) => b.type === 'text' && b.text?.startsWith('Page '))
          .map((b) => b.page_idx),
        [0, 1, 2, 3],
      );
    });

    it('an upload over the page limit fails -60006 from pending; page_ranges within it pass', async () => {
      const bytes = makeNumberedPdf(1300);
      const [over, within] = await finish(
        await upload([
          { name: 'long.pdf', bytes },
          { name: 'long-first.pdf', bytes, page_ranges: '1-600' },
        ]),
      );
      assert.equal(over?.state, 'failed');
      assert.equal(
        over?.err_msg,
        'number of pages exceeds limit (600 pages), please split the file and try again',
      );
      const tasks = fake.tasks();
      assert.equal(tasks[0]?.errCode, -60006);
      assert.equal(tasks[0]?.extractedPages, 0, 'it never ran');
      assert.equal(within?.state, 'done');
      assert.deepEqual(headings((await zipOf(within ?? {})).readAsText('full.md')), range(1, 600));
    });

    it('fake.limits is settable (whole or a field) and reset() restores 600 pages and 200 MiB', async () => {
      fake.limits = { maxPages: 5, maxBytes: 5000 };
      const items = await finish(
        await upload([
          { name: 'six.pdf', bytes: makeNumberedPdf(6) },
          { name: 'five.pdf', bytes: makeNumberedPdf(5) },
          { name: 'big.pdf', bytes: makeNumberedPdf(1, { imageBytes: () => 6000 }) },
        ]),
      );
      assert.deepEqual(
        items.map((it) => it.err_msg),
        [
          'number of pages exceeds limit (5 pages), please split the file and try again',
          '',
          'file size exceeds limit (5000 bytes), please split the file and try again',
        ],
      );
      assert.deepEqual(
        fake.tasks().map((t) => t.errCode),
        [-60006, undefined, -60005],
      );
      fake.limits.maxPages = 7;
      assert.deepEqual(fake.limits, { maxPages: 7, maxBytes: 5000 });
      fake.reset();
      assert.deepEqual(fake.limits, { maxPages: 600, maxBytes: 200 * 1024 * 1024 });
    });

    it('files that are not numbered PDFs keep their keywords: pages-N, unreadable bytes', async () => {
      fake.limits.maxPages = 2;
      const [plain, text] = await finish(
        await upload([
          // A real 1-page PDF without a mark: its pages-4 keyword decides the result, the limit its 1 page.
          { name: 'plain-pages-4.pdf', bytes: Buffer.from(await (await PDFDocument.create()).save()) },
          { name: 'notes-pages-9.pdf', bytes: Buffer.from('not really a pdf') },
        ]),
      );
      assert.equal(plain?.state, 'done');
      assert.deepEqual(
        fake.tasks().map((t) => t.pages),
        [4, 9],
      );
      assert.equal(text?.state, 'done');
      assert.match((await zipOf(plain ?? {})).readAsText('full.md'), /^# plain-pages-4/);
    });

    it("the splitter's parts of a 1,300-page PDF, parsed in one batch, give pages 1..1300 once each in order", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-parts-'));
      try {
        const file = path.join(dir, 'book.pdf');
        fs.writeFileSync(file, makeNumberedPdf(1300));
        assert.equal(
          (await api('/file-urls/batch', { files: [{ name: 'book.pdf' }] })).code,
          0,
          'the whole book is accepted at submit',
        );
        const split = await splitPdfFile({ filePath: file, limits: fake.limits, folder: dir });
        assert.equal(split.parts.length, 3);
        const items = await finish(
          await upload(
            split.parts.map((p) => ({ name: path.basename(p.path), bytes: fs.readFileSync(p.path) })),
          ),
        );
        const pages: number[] = [];
        for (const item of items) pages.push(...headings((await zipOf(item)).readAsText('full.md')));
        assert.deepEqual(pages, range(1, 1300));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    describe('URLs on a loopback host (read at submit)', () => {
      let server: http.Server;
      let origin = '';
      const served = new Map<string, Buffer>();
      let hits = 0;
      before(async () => {
        server = http.createServer((req, res) => {
          hits += 1;
          const body = served.get(req.url ?? '');
          res.writeHead(body ? 200 : 404).end(body);
        });
        server.listen(0, '127.0.0.1');
        await new Promise((resolve) => server.once('listening', resolve));
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        served.set('/long.pdf', makeNumberedPdf(1300));
        served.set('/short.pdf', makeNumberedPdf(12, { first: 1 }));
      });
      after(() => new Promise<void>((resolve) => server.close(() => resolve())));

      beforeEach(() => {
        fake.readUrls = true;
        hits = 0;
      });

      it('off by default (reset() too): the fake never fetches a URL, the keywords decide', async () => {
        fake.reset();
        assert.equal(fake.readUrls, false);
        assert.equal((await api('/extract/task', { url: `${origin}/long.pdf` })).code, 0);
        assert.equal(hits, 0);
        assert.equal(fake.tasks()[0]?.pages, 3);
      });

      it('answers -60006 at submit for too many pages, -60005 for too many bytes', async () => {
        const long = await api('/extract/task', { url: `${origin}/long.pdf` });
        assert.equal(long.code, -60006);
        assert.equal(hits, 1);
        assert.equal(
          long.msg,
          'number of pages exceeds limit (600 pages), please split the file and try again',
        );
        const batch = await api('/extract/task/batch', { files: [{ url: `${origin}/long.pdf` }] });
        assert.equal(batch.code, -60006);
        const part = await api('/extract/task', { url: `${origin}/long.pdf`, page_ranges: '601-1200' });
        assert.equal(part.code, 0);
        fake.limits.maxBytes = 1000;
        assert.equal((await api('/extract/task', { url: `${origin}/short.pdf` })).code, -60005);
      });

      it('a numbered URL PDF gives its pages; an unreachable one keeps the keywords', async () => {
        const reply = await api('/extract/task/batch', {
          files: [
            { url: `${origin}/short.pdf`, page_ranges: '11-12' },
            { url: `${origin}/gone-pages-5.pdf` },
          ],
        });
        assert.equal(reply.code, 0, JSON.stringify(reply));
        const items = await finish(String((reply.data as Json).batch_id));
        assert.deepEqual(headings((await zipOf(items[0] ?? {})).readAsText('full.md')), [11, 12]);
        assert.deepEqual(
          fake.tasks().map((t) => t.pages),
          [2, 5],
        );
      });
    });
  });
});
