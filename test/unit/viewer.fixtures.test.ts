/**
 * The fakes' results as viewer fixtures: the cloud fake's origin PDF has its text where its
 * content_list says, layout.json has the same boxes in points, and the matcher finds every block of
 * both fakes' Markdown.
 */
import * as assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { resultEntries } from '../fake-mineru/content';
import type { ParseOptions } from '../fake-mineru/selfHosted/engine';
import { parseDirFiles } from '../fake-mineru/selfHosted/results';
import type { ZipEntry } from '../fake-mineru/zip';
import { readContentList, type ContentBlock } from '../../src/core/viewer/contentList';
import { bboxToCss } from '../../src/core/viewer/geometry';
import { pointBoxes, readLayout } from '../../src/core/viewer/layout';
import { matchBlocks } from '../../src/core/viewer/matcher';

function cloudResult(pages: number): Map<string, Buffer> {
  const entries = resultEntries({
    title: 'Doc',
    innerUuid: 'u-1',
    pages,
    modelVersion: 'vlm',
    extraFormats: [],
  });
  const raw = (e: ZipEntry): Buffer => {
    const data = e.data ?? Buffer.alloc(0);
    return e.method === 8 ? inflateRawSync(data) : data;
  };
  return new Map(entries.map((e) => [e.name, raw(e)]));
}

function blocksOf(text: string): ContentBlock[] {
  const r = readContentList(text);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

interface PdfPage {
  mediaBox: number[];
  rotate: number;
  texts: { text: string; x: number; y: number; size: number; matrix: number[] }[];
}

/** The pages of the fake's (uncompressed) PDF: MediaBox, /Rotate and each text with its Tm. */
function readFakePdf(pdf: Buffer): PdfPage[] {
  const src = pdf.toString('latin1');
  const pages: PdfPage[] = [];
  const pageRe =
    /\/Type \/Page \/Parent[^]*?\/MediaBox \[([^\]]+)\]( \/Rotate (\d+))?[^]*?\/Contents (\d+) 0 R/g;
  for (const m of src.matchAll(pageRe)) {
    const stream =
      new RegExp(`\\n${m[4]} 0 obj\\n<<[^>]*>>\\nstream\\n([^]*?)\\nendstream`).exec(src)?.[1] ?? '';
    const texts = [...stream.matchAll(/\/F1 ([\d.]+) Tf ([-\d. ]+) Tm \(((?:\\.|[^\\)])*)\) Tj/g)].map(
      (t) => {
        const matrix = (t[2] ?? '').trim().split(' ').map(Number);
        return {
          text: (t[3] ?? '').replace(/\\(.)/g, '$1'),
          size: Number(t[1]),
          matrix,
          x: matrix[4] ?? NaN,
          y: matrix[5] ?? NaN,
        };
      },
    );
    pages.push({ mediaBox: (m[1] ?? '').split(' ').map(Number), rotate: Number(m[3] ?? 0), texts });
  }
  return pages;
}

/** A user-space point of a page, on the page as displayed (top-left origin). */
function displayed(page: PdfPage, x: number, y: number): [number, number] {
  const h = page.mediaBox[3] ?? 0;
  return page.rotate === 90 ? [y, x] : [x, h - y];
}

describe('viewer: the fakes as fixtures', () => {
  it('the cloud fake’s origin PDF shows each block’s text inside the box content_list gives it', () => {
    const files = cloudResult(4);
    const blocks = blocksOf(files.get('u-1_content_list.json')?.toString('utf8') ?? '');
    const layout = readLayout(files.get('layout.json')?.toString('utf8') ?? '');
    assert.ok(layout.ok);
    const pdf = readFakePdf(files.get('u-1_origin.pdf') ?? Buffer.alloc(0));
    assert.equal(pdf.length, 4);
    // Pages of different sizes, one turned: Letter, A4, Letter landscape by /Rotate 90, Letter.
    assert.deepEqual(
      pdf.map((p) => [p.mediaBox[2], p.mediaBox[3], p.rotate]),
      [
        [612, 792, 0],
        [595, 842, 0],
        [612, 792, 90],
        [612, 792, 0],
      ],
    );
    assert.deepEqual(
      [...layout.value.pages.values()].map((p) => [p.width, p.height]),
      [
        [612, 792],
        [595, 842],
        [792, 612],
        [612, 792],
      ],
    );
    const exact = pointBoxes(blocks, layout.value);
    assert.equal(exact.size, blocks.length, 'every block has its box in points');
    let checked = 0;
    for (const b of blocks) {
      if (b.kind !== 'text' && b.kind !== 'heading') continue;
      const page = pdf[b.page];
      const geo = layout.value.pages.get(b.page);
      assert.ok(page && geo && b.bbox);
      const t = page.texts.find((x) => x.text === b.text);
      assert.ok(t, `text of block ${b.index} on page ${b.page + 1}`);
      const [px, py] = displayed(page, t.x, t.y);
      const box = bboxToCss(b.bbox, 'normalized', geo, { scale: 1, rotation: 0 });
      assert.ok(px >= box.left && px <= box.left + box.width, `x of block ${b.index}`);
      // The baseline, and the glyphs above it, lie inside the box.
      assert.ok(py - t.size >= box.top - 0.01 && py <= box.top + box.height, `y of block ${b.index}`);
      const pts = exact.get(b.index);
      assert.ok(pts && Math.abs(pts[0] - box.left) < 0.01 && Math.abs(pts[1] - box.top) < 0.01);
      // On the turned page the text runs along the displayed x axis (Tm rotated a quarter).
      assert.deepEqual(t.matrix.slice(0, 4), page.rotate === 90 ? [0, 1, -1, 0] : [1, 0, 0, 1]);
      checked++;
    }
    assert.equal(checked, 1 + 2 * 4);
  });

  it('every block of the cloud fake’s Markdown is matched, for one page and for many', () => {
    for (const pages of [1, 3, 150]) {
      const files = cloudResult(pages);
      const blocks = blocksOf(files.get('u-1_content_list.json')?.toString('utf8') ?? '');
      const r = matchBlocks(blocks, files.get('full.md')?.toString('utf8') ?? '');
      assert.equal(r.matched, r.eligible, `${pages} page(s)`);
      assert.equal(r.eligible, blocks.length);
    }
  });

  it('every block of the self-hosted fake’s Markdown is matched, for each backend', () => {
    const options = (backend: string): ParseOptions => ({
      backend,
      effort: 'medium',
      parseMethod: 'auto',
      langList: ['en'],
      formulaEnable: true,
      tableEnable: true,
      imageAnalysis: false,
      serverUrl: null,
      returnMd: true,
      returnMiddleJson: true,
      returnModelOutput: false,
      returnContentList: true,
      returnImages: true,
      responseFormatZip: true,
      returnOriginalFile: true,
      clientSideOutputGeneration: false,
      startPageId: 0,
      endPageId: -1,
    });
    for (const backend of ['pipeline', 'vlm-auto-engine', 'hybrid-auto-engine']) {
      const doc = { uploadName: 'r.pdf', stem: 'r', suffix: 'pdf', pages: 3, bytes: Buffer.from('%PDF-1.4') };
      const files = parseDirFiles(doc, options(backend), '3.4.4');
      const blocks = blocksOf(files.contentList);
      const r = matchBlocks(blocks, files.md);
      assert.equal(r.matched, r.eligible, backend);
      const layout = readLayout(files.middle);
      assert.ok(layout.ok, backend);
    }
  });
});
