// @ts-check
// The merge section of the benchmark (issue 18): a document parsed in 5 parts of 200 pages with
// 2,000 images in all merged into one result folder (test/bench/mergeDriver.ts, a fresh process
// per run): wall time, and the longest event-loop stall the extension host would feel.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { driverJson, figure, measure, NOISE, stallFigures } from './lib.mjs';

export async function mergeSection(ctx, { runs, parts = 5, pages = 200, images = 2000, log }) {
  /** @type {any[]} */
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-bench-merge-'));
    try {
      const r = await measure('node', [
        ctx.out('mergeDriver.js'),
        '--dir',
        dir,
        '--parts',
        String(parts),
        '--pages',
        String(pages),
        '--images',
        String(images),
      ]);
      const j = driverJson(r, `merge of ${parts} parts`);
      samples.push(j);
      log(
        `merge ${parts} × ${pages} pages, ${j.imagesIn} images (${j.jsonMb} MB of JSON and extras) run ${run + 1}: ${Math.round(j.ms)} ms, longest stall ${Math.round(j.stallMaxMs)} ms (p99 ${j.stallP99Ms.toFixed(1)} ms)`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const what = `merge ${parts} parts × ${pages} pages, ${images} images`;
  return {
    raw: samples,
    figures: [
      figure({
        section: 'merge',
        name: `${what}: wall`,
        unit: 'ms',
        ours: samples.map((s) => s.ms),
        goal: '< 2 s',
        pass: ({ ours }) => ours.max < 2000,
        check: ({ ours }) => ours.median < 2000 * NOISE.time,
        note: `${samples[0]?.images} images kept of ${samples[0]?.imagesIn} (same name and bytes once, other bytes renamed); ${samples[0]?.jsonMb} MB of content list, layout.json, docx and origin per run`,
      }),
      ...stallFigures('merge', what, samples),
    ],
  };
}
