/**
 * Real PDFs made by other tools (pdf-parse@1.1.1's test files, MIT: Letter and two A4 variants, 1
 * to 14 pages), beside the fake's own: our cheap page count agrees with pdf.js, and the geometry
 * the viewer draws boxes with gives each page, turned every way, the size pdf.js renders it at.
 *
 * The files are read from the pdf-parse package (a devDependency); before it is installed, from the
 * folder MINERU_PDF_FIXTURES names; with neither, the suite fails and says so.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { countPdfPages } from '../../src/core/files/pdfPageCount';
import { bboxToCss, viewportSize, type Rotation } from '../../src/core/viewer/geometry';

const VALID = ['01-valid.pdf', '02-valid.pdf', '04-valid.pdf', '05-versions-space.pdf'];

function fixturesDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('pdf-parse/package.json')), 'test', 'data');
  } catch {
    const env = process.env.MINERU_PDF_FIXTURES;
    return env && existsSync(path.join(env, VALID[0] as string)) ? env : undefined;
  }
}

interface PdfjsPage {
  view: number[];
  rotate: number;
  getViewport(o: { scale: number; rotation?: number }): { width: number; height: number };
}
interface PdfjsDoc {
  numPages: number;
  getPage(n: number): Promise<PdfjsPage>;
  destroy(): Promise<void>;
}
interface Pdfjs {
  getDocument(o: { data: Uint8Array; isEvalSupported: boolean; verbosity: number }): {
    promise: Promise<PdfjsDoc>;
  };
}

describe('viewer: real PDFs from other tools (pdf-parse test files)', function () {
  const dir = fixturesDir();
  let pdfjs: Pdfjs;
  before(async () => {
    // Not a skip (the project allows none but for a platform): without the files the suite fails.
    assert.ok(
      dir,
      'the real PDFs are missing: pdf-parse@1.1.1 is a devDependency (run npm install), or set MINERU_PDF_FIXTURES to a folder holding its test/data files',
    );
    pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  });

  for (const name of VALID) {
    it(`${name}: our page count is pdf.js's, and every page at every turn has the size pdf.js renders`, async () => {
      const file = path.join(dir as string, name);
      const doc = await pdfjs.getDocument({
        data: new Uint8Array(readFileSync(file)),
        isEvalSupported: false,
        verbosity: 0,
      }).promise;
      try {
        assert.ok(doc.numPages >= 1);
        assert.equal(await countPdfPages(file), doc.numPages);
        for (let n = 1; n <= doc.numPages; n++) {
          const p = await doc.getPage(n);
          const [x0, y0, x1, y1] = p.view as [number, number, number, number];
          const page = { width: x1 - x0, height: y1 - y0 };
          for (const turn of [0, 90, 180, 270] as Rotation[]) {
            const rotation = ((p.rotate + turn) % 360) as Rotation;
            const theirs = p.getViewport({ scale: 1.5, rotation });
            const ours = viewportSize(page, { scale: 1.5, rotation });
            assert.ok(Math.abs(ours.width - theirs.width) < 0.01, `${name} p${n} ${rotation}° width`);
            assert.ok(Math.abs(ours.height - theirs.height) < 0.01, `${name} p${n} ${rotation}° height`);
            // A box over the whole page (MinerU's 0–1000 grid) covers the whole drawn page.
            const all = bboxToCss([0, 0, 1000, 1000], 'normalized', page, { scale: 1.5, rotation });
            assert.ok(
              Math.abs(all.left) < 0.01 && Math.abs(all.top) < 0.01,
              `${name} p${n} ${rotation}° origin`,
            );
            assert.ok(Math.abs(all.width - theirs.width) < 0.01, `${name} p${n} ${rotation}° box width`);
            assert.ok(Math.abs(all.height - theirs.height) < 0.01, `${name} p${n} ${rotation}° box height`);
          }
        }
      } finally {
        await doc.destroy();
      }
    });
  }

  it('03-invalid.pdf (cut short: pdf.js cannot open it) has no page count, not a guessed one', async () => {
    const file = path.join(dir as string, '03-invalid.pdf');
    await assert.rejects(
      pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), isEvalSupported: false, verbosity: 0 })
        .promise,
      'pdf.js refuses the file (else it is not the invalid fixture)',
    );
    assert.equal(await countPdfPages(file), undefined);
  });

  it('the files hold pages of different sizes (Letter and A4), so the checks above are not one size', async () => {
    const sizes = new Set<string>();
    for (const name of VALID) {
      const doc = await pdfjs.getDocument({
        data: new Uint8Array(readFileSync(path.join(dir as string, name))),
        isEvalSupported: false,
        verbosity: 0,
      }).promise;
      const p = await doc.getPage(1);
      sizes.add(p.view.map((v) => Math.round(v)).join(','));
      await doc.destroy();
    }
    assert.ok(sizes.size >= 3, [...sizes].join(' | '));
  });
});
