/**
 * The PDF splitter (issue 18): where parts are cut (planSplit, pure), and splitDocument on PDFs
 * made here with pdf-lib: the parts read back with the right pages and text, the size limit met
 * part by part (an over-size part is split again), and the errors the user can act on.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { PDFArray, PDFDocument, PDFName } from '@cantoo/pdf-lib';
import { countPdfPages } from '../../src/core/files/pdfPageCount';
import { partLimits, planSplit } from '../../src/core/split/splitPlan';
import { SplitError, splitDocument, type SplitResult } from '../../src/core/split/splitter';
import { makeEncryptedPdf, makeSplitPdf } from './helpers/splitPdfs';

const MB = 1_048_576;

interface TextItem {
  str?: string;
}

/** The text of page `n` of a PDF file, read by pdf.js (a reader other than the writer). */
async function pageText(file: string, n: number): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(fs.readFileSync(file)),
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  try {
    const content = await (await doc.getPage(n)).getTextContent();
    return (content.items as TextItem[]).map((item) => item.str ?? '').join('');
  } finally {
    await doc.destroy();
  }
}

async function splitError(promise: Promise<unknown>): Promise<SplitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SplitError, `expected a SplitError, got ${String(error)}`);
    return error;
  }
  assert.fail('the split should have failed');
}

function assertCoversInOrder(result: SplitResult, totalPages: number): void {
  let next = 1;
  result.parts.forEach((part, i) => {
    assert.equal(part.index, i + 1);
    assert.equal(part.firstPage, next, `part ${part.index} starts where the previous ended`);
    assert.ok(part.lastPage >= part.firstPage);
    next = part.lastPage + 1;
  });
  assert.equal(next, totalPages + 1, 'every page is in exactly one part');
}

describe('split: planSplit (where a document is cut)', () => {
  it('1300 pages, limit 600: three parts of 434, 433, 433 pages', () => {
    assert.deepEqual(planSplit(1300, 10 * MB, { maxPages: 600, maxBytes: 200 * MB }), [
      { firstPage: 1, lastPage: 434 },
      { firstPage: 435, lastPage: 867 },
      { firstPage: 868, lastPage: 1300 },
    ]);
  });

  it('the margin (0.9 by default) is part of the limit: 540 of 600 pages is one part, 541 is two', () => {
    const limits = { maxPages: 600, maxBytes: 200 * MB };
    assert.deepEqual(planSplit(540, MB, limits), [{ firstPage: 1, lastPage: 540 }]);
    assert.deepEqual(planSplit(541, MB, limits), [
      { firstPage: 1, lastPage: 271 },
      { firstPage: 272, lastPage: 541 },
    ]);
    // Exactly at the service's limit is over the margin.
    assert.equal(planSplit(600, MB, limits).length, 2);
    // With no margin, the limit itself.
    assert.deepEqual(planSplit(600, MB, { ...limits, margin: 1 }), [{ firstPage: 1, lastPage: 600 }]);
    assert.equal(planSplit(601, MB, { ...limits, margin: 1 }).length, 2);
  });

  it('one page is one part, whatever its size', () => {
    assert.deepEqual(planSplit(1, 0, { maxPages: 1, maxBytes: 1 }), [{ firstPage: 1, lastPage: 1 }]);
    assert.deepEqual(planSplit(1, 500 * MB, { maxPages: 600, maxBytes: 200 * MB }), [
      { firstPage: 1, lastPage: 1 },
    ]);
  });

  it('the size drives the count when it is the tighter limit: 300 pages of 350 MB, limit 200 MB → 2 parts', () => {
    const parts = planSplit(300, 350 * MB, { maxPages: 600, maxBytes: 200 * MB });
    assert.deepEqual(parts, [
      { firstPage: 1, lastPage: 150 },
      { firstPage: 151, lastPage: 300 },
    ]);
    // 1000 pages of 300 MB: 180 MB a part at most → 600 pages at most by size, 540 by pages → 2.
    assert.equal(planSplit(1000, 300 * MB, { maxPages: 600, maxBytes: 200 * MB }).length, 2);
    // 1000 pages of 900 MB: 5 parts by size, 2 by pages.
    assert.equal(planSplit(1000, 900 * MB, { maxPages: 600, maxBytes: 200 * MB }).length, 5);
  });

  it('refuses limits it cannot honour', () => {
    assert.throws(() => planSplit(0, 1, { maxPages: 1, maxBytes: 1 }), RangeError);
    assert.throws(() => planSplit(10, 1, { maxPages: 0, maxBytes: 1 }), RangeError);
    assert.throws(() => planSplit(10, 1, { maxPages: 5, maxBytes: 0 }), RangeError);
    assert.throws(() => planSplit(10, 1, { maxPages: 5, maxBytes: 1, margin: 0 }), RangeError);
    assert.throws(() => planSplit(10, 1, { maxPages: 5, maxBytes: 1, margin: 1.5 }), RangeError);
  });

  it('property: every page once and in order, each part within margin × limits, sizes differ by ≤ 1 page, no part more than needed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 500_000_000 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (totalPages, totalBytes, maxPages, maxBytes, margin) => {
          const limits = { maxPages, maxBytes, margin };
          const parts = planSplit(totalPages, totalBytes, limits);
          const cap = partLimits(limits);
          let next = 1;
          for (const part of parts) {
            assert.equal(part.firstPage, next);
            const pages = part.lastPage - part.firstPage + 1;
            assert.ok(pages >= 1 && pages <= cap.pages, `${pages} pages over ${cap.pages}`);
            // The estimated weight of a part of several pages stays under the byte limit.
            if (pages > 1) assert.ok((totalBytes * pages) / totalPages <= cap.bytes + 1e-6);
            next = part.lastPage + 1;
          }
          assert.equal(next, totalPages + 1);
          const lengths = parts.map((p) => p.lastPage - p.firstPage + 1);
          assert.ok(Math.max(...lengths) - Math.min(...lengths) <= 1);
          // One part fewer would put too many pages, or too many bytes, in some part.
          if (parts.length > 1) {
            const longest = Math.ceil(totalPages / (parts.length - 1));
            assert.ok(longest > cap.pages || (totalBytes * longest) / totalPages > cap.bytes);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('split: splitDocument (a worker thread writes the parts)', function () {
  this.timeout(120_000);
  let dir: string;
  let out: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-split-'));
    out = path.join(dir, 'parts');
    fs.mkdirSync(out);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function source(name: string, bytes: Uint8Array): Promise<string> {
    const file = path.join(dir, name);
    await fs.promises.writeFile(file, bytes);
    return file;
  }

  it('a 1,300-page PDF, limit 600: three parts whose pages and text are those of the original', async () => {
    const file = await source('manual.pdf', await makeSplitPdf(1300));
    const progress: number[] = [];
    const result = await splitDocument(file, { maxPages: 600, maxBytes: 200 * MB }, out, {
      onProgress: (done, total) => {
        assert.equal(total, 1300);
        progress.push(done);
      },
    });
    assert.equal(result.totalPages, 1300);
    assert.deepEqual(
      result.parts.map((p) => [p.index, p.firstPage, p.lastPage, path.basename(p.path)]),
      [
        [1, 1, 434, 'manual.part-1.pdf'],
        [2, 435, 867, 'manual.part-2.pdf'],
        [3, 868, 1300, 'manual.part-3.pdf'],
      ],
    );
    for (const part of result.parts) {
      assert.equal(part.bytes, fs.statSync(part.path).size);
      const pages = part.lastPage - part.firstPage + 1;
      assert.equal((await PDFDocument.load(fs.readFileSync(part.path))).getPageCount(), pages);
      assert.equal(await countPdfPages(part.path), pages);
      assert.equal(await pageText(part.path, 1), `Page ${part.firstPage}`);
      assert.equal(await pageText(part.path, pages), `Page ${part.lastPage}`);
    }
    assert.deepEqual(fs.readdirSync(out).sort(), [
      'manual.part-1.pdf',
      'manual.part-2.pdf',
      'manual.part-3.pdf',
    ]);
    assert.ok(progress.length >= 3, 'progress is reported while splitting');
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only grows',
    );
    assert.equal(progress.at(-1), 1300);
  });

  it('big pages: the size limit makes more parts, an over-size part is split again, every file is under the limit', async () => {
    // Pages 1–4 are light, 5–12 heavy: the plan (an even spread) is wrong and the worker must correct it.
    const file = await source('scan.pdf', await makeSplitPdf(12, (n) => (n <= 4 ? 2_000 : 120_000)));
    const limits = { maxPages: 600, maxBytes: 400_000 };
    const size = fs.statSync(file).size;
    const planned = planSplit(12, size, limits);
    const result = await splitDocument(file, limits, out);
    assertCoversInOrder(result, 12);
    assert.ok(
      result.parts.length > planned.length,
      `${result.parts.length} parts, ${planned.length} planned`,
    );
    for (const part of result.parts) {
      const bytes = fs.statSync(part.path).size;
      assert.equal(part.bytes, bytes);
      assert.ok(bytes <= limits.maxBytes * 0.9, `part ${part.index} is ${bytes} bytes`);
      assert.equal(await pageText(part.path, 1), `Page ${part.firstPage}`);
    }
    assert.equal(
      fs.readdirSync(out).length,
      result.parts.length,
      'no file of a re-split part is left behind',
    );
  });

  it('a link to a page of another part does not drag that page (nor its image) into this part', async () => {
    const doc = await PDFDocument.load(await makeSplitPdf(4, (n) => (n === 4 ? 300_000 : 0)));
    const [first, , , last] = doc.getPages();
    assert.ok(first && last);
    // A table of contents: page 1 links to page 4.
    const link = doc.context.register(
      doc.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: [0, 0, 50, 50], Dest: [last.ref, 'Fit'] }),
    );
    first.node.set(PDFName.of('Annots'), doc.context.obj([link]));
    const file = await source('toc.pdf', await doc.save());
    const result = await splitDocument(file, { maxPages: 2, maxBytes: 200 * MB, margin: 1 }, out);
    const [part1, part2] = result.parts;
    assert.ok(part1 && part2 && result.parts.length === 2);
    assert.ok(part1.bytes < 20_000, `part 1 is ${part1.bytes} bytes: page 4's image came along`);
    assert.ok(part2.bytes > 300_000);
    const loaded = await PDFDocument.load(fs.readFileSync(part1.path));
    assert.equal(loaded.getPageCount(), 2);
    // The link is kept, its destination (outside the part) is null.
    const annots = loaded.getPage(0).node.lookup(PDFName.of('Annots'), PDFArray);
    assert.equal(annots.size(), 1);
  });

  it('what a page inherits from the page tree (size, resources) is written into the page', async () => {
    const doc = await PDFDocument.load(await makeSplitPdf(3));
    const tree = doc.catalog.Pages();
    tree.set(PDFName.of('MediaBox'), doc.context.obj([0, 0, 612, 792]));
    const resources = doc.getPage(0).node.get(PDFName.of('Resources'));
    assert.ok(resources);
    tree.set(PDFName.of('Resources'), resources);
    for (const page of doc.getPages()) {
      page.node.delete(PDFName.of('MediaBox'));
      page.node.delete(PDFName.of('Resources'));
    }
    const file = await source('inherits.pdf', await doc.save());
    const result = await splitDocument(file, { maxPages: 1, maxBytes: 200 * MB, margin: 1 }, out);
    assert.equal(result.parts.length, 3);
    for (const part of result.parts) {
      const page = (await PDFDocument.load(fs.readFileSync(part.path))).getPage(0);
      assert.deepEqual(page.getSize(), { width: 612, height: 792 });
      assert.equal(await pageText(part.path, 1), `Page ${part.firstPage}`);
    }
  });

  it("a single page over the size limit: 'page-too-large' naming that page, and no part left", async () => {
    const file = await source('poster.pdf', await makeSplitPdf(5, (n) => (n === 3 ? 600_000 : 1_000)));
    const error = await splitError(splitDocument(file, { maxPages: 600, maxBytes: 400_000 }, out));
    assert.equal(error.code, 'page-too-large');
    assert.equal(error.page, 3);
    assert.equal(error.phase, 'validate');
    assert.deepEqual(fs.readdirSync(out), []);
  });

  it("an encrypted PDF: 'encrypted'", async () => {
    const file = await source('locked.pdf', await makeEncryptedPdf());
    assert.equal(
      (await splitError(splitDocument(file, { maxPages: 1, maxBytes: MB }, out))).code,
      'encrypted',
    );
    assert.deepEqual(fs.readdirSync(out), []);
  });

  it("a damaged PDF (a header, then garbage): 'damaged'", async () => {
    const garbage = Buffer.concat([
      Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R'),
      Buffer.alloc(4096, 0x8f),
    ]);
    const file = await source('broken.pdf', garbage);
    assert.equal((await splitError(splitDocument(file, { maxPages: 1, maxBytes: MB }, out))).code, 'damaged');
  });

  it("a PDF cut off halfway: 'damaged'", async () => {
    const whole = await makeSplitPdf(20);
    const file = await source('cut.pdf', whole.subarray(0, Math.floor(whole.length / 2)));
    assert.equal((await splitError(splitDocument(file, { maxPages: 5, maxBytes: MB }, out))).code, 'damaged');
  });

  it("a DOCX (a zip) over the limit: 'not-pdf', not split", async () => {
    const docx = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(2048, 0x41)]);
    const file = await source('thesis.docx', docx);
    assert.equal((await splitError(splitDocument(file, { maxPages: 1, maxBytes: MB }, out))).code, 'not-pdf');
    assert.deepEqual(fs.readdirSync(out), []);
  });

  it("aborted mid-way: 'cancelled', and the folder holds no part file", async () => {
    const file = await source('long.pdf', await makeSplitPdf(400, () => 30_000));
    const controller = new AbortController();
    let seen = 0;
    const error = await splitError(
      splitDocument(file, { maxPages: 20, maxBytes: 200 * MB }, out, {
        signal: controller.signal,
        onProgress: (done) => {
          seen = done;
          // After the first part is written, while the next ones are.
          if (done > 20) controller.abort();
        },
      }),
    );
    assert.equal(error.code, 'cancelled');
    assert.ok(seen > 20 && seen < 400, `aborted after ${seen} pages`);
    assert.deepEqual(fs.readdirSync(out), []);
  });

  it("an abort before the start: 'cancelled' at once", async () => {
    const file = await source('any.pdf', await makeSplitPdf(2));
    const controller = new AbortController();
    controller.abort();
    const error = await splitError(
      splitDocument(file, { maxPages: 1, maxBytes: MB }, out, { signal: controller.signal }),
    );
    assert.equal(error.code, 'cancelled');
    assert.deepEqual(fs.readdirSync(out), []);
  });
});
