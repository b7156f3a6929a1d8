// @ts-check
// The splitting section of the benchmark (issue 18): a 1,000-page, 300 MB PDF (a scanned book:
// every page an incompressible image) split by splitDocument with the cloud's limits (600 pages,
// 200 MB), in the driver's process: the split runs in a worker thread, which shares the process's
// resident memory. Wall time, the peak resident memory during the split above the process's
// before it (sampled every 20 ms), and the main thread's longest event-loop stall.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MB, NOISE, driverJson, figure, measure, stallFigures } from './lib.mjs';

/**
 * Writes, streamed, a PDF of `pages` pages of `imageBytes` random grey pixels each (plus "Page N"
 * in Helvetica): classic cross-reference table, one shared font, no compression.
 */
export async function writeScannedBook(file, pages, imageBytes) {
  const out = fs.createWriteStream(file);
  let position = 0;
  const offsets = [];
  const write = async (chunk) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    position += buffer.length;
    if (!out.write(buffer)) await /** @type {Promise<void>} */ (new Promise((r) => out.once('drain', r)));
  };
  const object = async (num, body, stream) => {
    offsets[num] = position;
    await write(`${num} 0 obj\n${body}`);
    if (stream) {
      await write('\nstream\n');
      await write(stream);
      await write('\nendstream');
    }
    await write('\nendobj\n');
  };
  // 1 catalog, 2 page tree, 3 font; page n: 4 + 3(n-1) page, +1 contents, +2 image.
  const pageNum = (n) => 4 + 3 * (n - 1);
  const width = 1000;
  const height = Math.ceil(imageBytes / width);
  await write('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n');
  await object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: pages }, (_, i) => `${pageNum(i + 1)} 0 R`).join(' ');
  await object(2, `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`);
  await object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (let n = 1; n <= pages; n++) {
    const p = pageNum(n);
    await object(
      p,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${p + 1} 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /Im ${p + 2} 0 R >> >> >>`,
    );
    const text = `q 595 0 0 842 0 0 cm /Im Do Q BT /F1 24 Tf 40 800 Td (Page ${n}) Tj ET`;
    await object(p + 1, `<< /Length ${text.length} >>`, text);
    await object(
      p + 2,
      `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${width * height} >>`,
      randomBytes(width * height),
    );
  }
  const count = pageNum(pages) + 3;
  const xref = position;
  let table = `xref\n0 ${count}\n0000000000 65535 f\r\n`;
  for (let num = 1; num < count; num++) table += `${String(offsets[num]).padStart(10, '0')} 00000 n\r\n`;
  await write(`${table}trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
  );
}

export async function splitSection(
  ctx,
  { runs, pages = 1000, fileMb = 300, maxPages = 600, maxMb = 200, log },
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-bench-split-'));
  const raw = [];
  try {
    const file = path.join(dir, `book-${pages}.pdf`);
    await writeScannedBook(file, pages, Math.floor((fileMb * MB) / pages));
    const fileBytes = fs.statSync(file).size;
    const goalMb = (2 * fileBytes) / MB + 100;
    const worker = path.join(ctx.repoRoot, 'dist', 'splitWorker.js');
    for (let run = 0; run < runs; run++) {
      const out = fs.mkdtempSync(path.join(dir, 'parts-'));
      const r = await measure('node', [
        ctx.out('splitDriver.js'),
        '--file',
        file,
        '--out',
        out,
        '--worker',
        worker,
        '--max-pages',
        String(maxPages),
        '--max-mb',
        String(maxMb),
      ]);
      const j = driverJson(r, 'split');
      raw.push(j);
      log(
        `split ${pages} pages, ${Math.round(fileBytes / MB)} MB run ${run + 1}: ${Math.round(j.ms)} ms, ${j.parts.length} parts (${j.parts.map((p) => `${p.first}–${p.last} ${Math.round(p.mb)} MB`).join(', ')}), +${Math.round((j.peakKb - j.idleKb) / 1024)} MB over idle, stall ${Math.round(j.stallMaxMs)} ms`,
      );
      fs.rmSync(out, { recursive: true, force: true });
    }
    const what = `split ${pages} pages ${Math.round(fileBytes / MB)} MB`;
    const figures = [
      figure({
        section: 'split',
        name: `${what}: wall time`,
        unit: 'ms',
        ours: raw.map((j) => j.ms),
        note: `limits ${maxPages} pages / ${maxMb} MB → ${raw[0].parts.length} parts`,
      }),
      figure({
        section: 'split',
        name: `${what}: peak RSS above before`,
        unit: 'MB',
        ours: raw.map((j) => (j.peakKb - j.idleKb) / 1024),
        goal: `≤ 2× file + 100 MB (${Math.round(goalMb)} MB)`,
        pass: ({ ours }) => ours.max <= goalMb,
        check: ({ ours }) => ours.median <= goalMb * NOISE.memory,
        note: `the worker thread shares the process, so this is the splitter's memory; sampled every 20 ms; idle ${Math.round(raw[0].idleKb / 1024)} MB, VmHWM ${raw.map((j) => Math.round(j.hwmKb / 1024)).join('/')} MB`,
      }),
      ...stallFigures('split', `${what}, main thread`, raw),
    ];
    return { figures, raw };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
