import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDocuments } from '../../src/core/files/findDocuments';
import { countPdfPages, PDF_FULL_SCAN_BYTES } from '../../src/core/files/pdfPageCount';
import { checkFile } from '../../src/core/files/preflight';
import { makePdf, type PdfSpec } from './helpers/pdf';
import { requireTool } from './helpers/skip';

const MB = 1_048_576;

describe('pre-flight checks of local files', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-preflight-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, content: Buffer | string): Promise<string> {
    const p = path.join(dir, name);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
    return p;
  }

  async function pdf(name: string, spec: PdfSpec): Promise<string> {
    return file(name, makePdf(spec));
  }

  describe('checkFile', () => {
    it('accepts a small supported file and reports its size and PDF pages', async () => {
      const p = await pdf('ok.pdf', { pages: 3 });
      const r = await checkFile(p, { maxBytes: 10 * MB, maxPages: 600 });
      assert.equal(r.ok, true, JSON.stringify(r.problems));
      assert.equal(r.size, (await fs.stat(p)).size);
      assert.equal(r.pages, 3);
      assert.deepEqual(r.problems, []);
    });

    it('accepts every supported type, whatever the case of the extension; pages only for PDFs', async () => {
      for (const name of ['a.docx', 'b.PPTX', 'c.Jpeg', 'd.png', 'e.html', 'f.doc', 'g.ppt', 'h.jpg']) {
        const r = await checkFile(await file(name, 'x'), { maxBytes: MB });
        assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.problems)}`);
        assert.equal(r.pages, undefined);
      }
    });

    it('refuses an unsupported type, naming the supported ones', async () => {
      const r = await checkFile(await file('notes.txt', 'hello'), { maxBytes: MB });
      assert.equal(r.ok, false);
      assert.equal(r.problems[0]?.code, 'unsupported-type');
      assert.match(r.problems[0].message, /\.txt/);
      assert.match(r.problems[0].hint, /\.pdf/);
      const none = await checkFile(await file('Makefile', 'all:'), { maxBytes: MB });
      assert.match(none.problems[0]!.message, /no file extension/);
    });

    it('honours a narrower list of types (quick mode)', async () => {
      const r = await checkFile(await file('slides.pptx', 'x'), { maxBytes: MB, extensions: ['.pdf'] });
      assert.equal(r.problems[0]?.code, 'unsupported-type');
    });

    it('refuses an empty file', async () => {
      const r = await checkFile(await file('empty.pdf', ''), { maxBytes: MB, maxPages: 10 });
      assert.deepEqual(
        r.problems.map((p) => p.code),
        ['empty'],
      );
      assert.match(r.problems[0]!.message, /empty/);
    });

    it('refuses a file above the size limit, with both sizes in the message; the limit itself passes', async () => {
      const p = await file('big.docx', Buffer.alloc(2 * MB + 1));
      const r = await checkFile(p, { maxBytes: 2 * MB });
      assert.equal(r.problems[0]?.code, 'too-large');
      assert.equal(r.problems[0]?.actual, 2 * MB + 1);
      assert.equal(r.problems[0]?.limit, 2 * MB);
      assert.match(r.problems[0].message, /2\.0 MB.*2\.0 MB limit/);
      const exact = await checkFile(await file('exact.docx', Buffer.alloc(2 * MB)), { maxBytes: 2 * MB });
      assert.equal(exact.ok, true);
    });

    it('refuses a PDF above the page limit and suggests page ranges', async () => {
      const p = await pdf('long.pdf', { pages: 12, fanout: 5 });
      const r = await checkFile(p, { maxBytes: 10 * MB, maxPages: 10 });
      assert.equal(r.pages, 12);
      assert.equal(r.problems[0]?.code, 'too-many-pages');
      assert.match(r.problems[0].message, /12 pages.*10-page limit/);
      assert.match(r.problems[0].hint, /page ranges.*"1-10"/);
      assert.equal((await checkFile(p, { maxBytes: 10 * MB, maxPages: 12 })).ok, true);
    });

    it('reports a missing file and a folder instead of throwing', async () => {
      const missing = await checkFile(path.join(dir, 'gone.pdf'), { maxBytes: MB });
      assert.equal(missing.problems.at(-1)?.code, 'not-found');
      const folder = path.join(dir, 'folder.pdf');
      await fs.mkdir(folder, { recursive: true });
      assert.equal((await checkFile(folder, { maxBytes: MB })).problems.at(-1)?.code, 'not-a-file');
    });

    it('a file that only claims to be a PDF has no page count and is not refused for it', async () => {
      const r = await checkFile(await file('fake.pdf', 'just text, /Type /Pages /Count 9999'), {
        maxBytes: MB,
        maxPages: 10,
      });
      assert.equal(r.pages, undefined);
      assert.equal(r.ok, true);
    });
  });

  describe('countPdfPages', () => {
    it('reads a flat page tree', async () => {
      assert.equal(await countPdfPages(await pdf('flat.pdf', { pages: 7 })), 7);
    });

    it('takes the root of a nested tree, not an inner node', async () => {
      assert.equal(await countPdfPages(await pdf('nested.pdf', { pages: 700, fanout: 50 })), 700);
    });

    it('ignores the /Count of an outline', async () => {
      assert.equal(await countPdfPages(await pdf('outline.pdf', { pages: 4, outlineCount: 999 })), 4);
    });

    it('uses the last definition after an incremental update (pages added or removed)', async () => {
      assert.equal(await countPdfPages(await pdf('grown.pdf', { pages: 5, updateTo: 9 })), 9);
      assert.equal(await countPdfPages(await pdf('shrunk.pdf', { pages: 5, updateTo: 2 })), 2);
    });

    it('reads page trees packed in compressed object streams', async () => {
      assert.equal(
        await countPdfPages(await pdf('objstm.pdf', { pages: 640, fanout: 40, objectStream: true })),
        640,
      );
    });

    it('reads a large file only at its ends: the tree at the end is found', async () => {
      const p = await pdf('large-end.pdf', { pages: 610, fanout: 61, padBytes: PDF_FULL_SCAN_BYTES + MB });
      assert.ok((await fs.stat(p)).size > PDF_FULL_SCAN_BYTES);
      assert.equal(await countPdfPages(p), 610);
    });

    it('a large file whose tree sits in the middle gives no count rather than a wrong one', async () => {
      const p = await pdf('large-middle.pdf', {
        pages: 610,
        fanout: 61,
        padBytes: 5 * MB,
        padAt: 'around',
      });
      assert.ok((await fs.stat(p)).size > PDF_FULL_SCAN_BYTES);
      assert.equal(await countPdfPages(p), undefined);
    });

    it('a PDF cut short (no end-of-file marker at its end) has no count, whole or large', async () => {
      const whole = makePdf({ pages: 7 });
      assert.equal(
        await countPdfPages(await file('cut.pdf', whole.subarray(0, whole.length - 40))),
        undefined,
      );
      // Still counted with a few bytes of junk after the marker (writers and mailers add some).
      const junk = Buffer.concat([whole, Buffer.from('\r\n\0\0 ')]);
      assert.equal(await countPdfPages(await file('junk.pdf', junk)), 7);
      const large = makePdf({ pages: 610, fanout: 61, padBytes: PDF_FULL_SCAN_BYTES + MB });
      assert.equal(
        await countPdfPages(await file('large-cut.pdf', large.subarray(0, large.length - 40))),
        undefined,
      );
    });

    it('a linearised PDF shorter than the length it declares is cut short: no count', async () => {
      const body = makePdf({ pages: 3 }).toString('latin1');
      const declared = body.replace(
        '%PDF-1.7\n',
        `%PDF-1.7\n99 0 obj << /Linearized 1 /L ${body.length * 2} /N 3 >> endobj\n`,
      );
      assert.equal(
        await countPdfPages(await file('lin-short.pdf', Buffer.from(declared, 'latin1'))),
        undefined,
      );
      const honest = body.replace('%PDF-1.7\n', '%PDF-1.7\n99 0 obj << /Linearized 1 /L 1 /N 3 >> endobj\n');
      assert.equal(await countPdfPages(await file('lin-updated.pdf', Buffer.from(honest, 'latin1'))), 3);
    });

    it('counts the pages of a small file with no page tree node', async () => {
      const body = [
        '%PDF-1.4',
        '1 0 obj << /Type /Page /MediaBox [0 0 1 1] >> endobj',
        '2 0 obj << /Type /Page /MediaBox [0 0 1 1] >> endobj',
        '3 0 obj << /Type /PageLabel >> endobj',
        '%%EOF',
      ].join('\n');
      assert.equal(await countPdfPages(await file('leaves.pdf', body)), 2);
    });

    it('a real PDF 1.5 from the system docs (libtasn1-doc, installed by scripts/install-test-tools.sh)', async function () {
      const real = '/usr/share/doc/libtasn1-doc/libtasn1.pdf';
      const installed = (await fs.stat(real).catch(() => undefined)) !== undefined;
      requireTool(
        this,
        installed,
        real,
        'bash scripts/install-test-tools.sh installs the Debian package libtasn1-doc',
      );
      assert.equal(await countPdfPages(real), 36);
    });
  });

  describe('findDocuments (Parse All Documents in Folder)', () => {
    it('finds supported documents recursively, skipping the output folder, hidden and dependency folders', async () => {
      const root = path.join(dir, 'tree');
      for (const rel of [
        'a.pdf',
        'sub/b.DOCX',
        'sub/deep/c.png',
        'sub/readme.md',
        'mineru/a/a.pdf',
        '.git/x.pdf',
        'node_modules/pkg/y.pdf',
      ])
        await file(path.join('tree', rel), 'x');
      const { files, truncated } = await findDocuments(root, {
        maxFiles: 100,
        skip: [path.join(root, 'mineru')],
      });
      assert.equal(truncated, false);
      assert.deepEqual(
        files.map((f) => path.relative(root, f)),
        ['a.pdf', path.join('sub', 'b.DOCX'), path.join('sub', 'deep', 'c.png')],
      );
      const capped = await findDocuments(root, { maxFiles: 2, skip: [path.join(root, 'mineru')] });
      assert.equal(capped.files.length, 2);
      assert.equal(capped.truncated, true);
    });
  });
});
