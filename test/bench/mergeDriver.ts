/**
 * Merge driver (issue 18): the parts of a document parsed in pieces merged into one result by
 * mergePartResults, in this process, with the event loop watched as the extension host's would be.
 *
 *   node out/test/bench/mergeDriver.js --dir <scratch> --parts 5 --pages 200 --images 2000
 *
 * Set-up (not timed): `parts` part folders of `pages` pages each, as the importer leaves them:
 * `<part>.md`, `images/` (small random JPEG-sized files; per part 20 names shared with the same
 * bytes, 20 names shared with other bytes), a content list (8 blocks a page), a layout.json with
 * lines and spans (~40 KB a page, as MinerU's middle.json), a docx; and the whole "PDF".
 * Timed: the merge, until the folder is in place. Checked: every image kept or renamed as it must
 * be, every page_idx of the merged content list within the document, the last page's the last.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mergePartResults, type MergePart } from '../../src/core/results/partsMerge';
import { args, procStatusKb, report, runMain, watchStalls } from './common';

const SHARED_SAME = 20;
const SHARED_OTHER = 20;

function pageLayout(page: number, images: readonly string[]): unknown {
  const span = (y: number, i: number): unknown => ({
    bbox: [72, y, 540, y + 12],
    score: 0.98,
    content: `Line ${i} of page ${page + 1}: the quick brown fox jumps over the lazy dog, again and again.`,
    type: 'text',
  });
  const blocks: unknown[] = [];
  for (let b = 0; b < 6; b++)
    blocks.push({
      type: 'text',
      bbox: [72, 72 + b * 100, 540, 160 + b * 100],
      index: b,
      lines: Array.from({ length: 6 }, (_, l) => ({
        bbox: [72, 72 + b * 100 + l * 14, 540, 84 + b * 100 + l * 14],
        spans: [span(72 + b * 100 + l * 14, l), span(72 + b * 100 + l * 14, l + 1)],
      })),
    });
  for (const img of images)
    blocks.push({
      type: 'image',
      bbox: [100, 650, 500, 760],
      blocks: [{ type: 'image_body', lines: [{ spans: [{ type: 'image', image_path: img }] }] }],
    });
  return {
    page_idx: page,
    page_size: [612, 792],
    preproc_blocks: blocks,
    para_blocks: blocks,
    discarded_blocks: [],
  };
}

async function makePart(dir: string, k: number, pages: number, imagesPerPart: number): Promise<MergePart> {
  const folder = path.join(dir, `manual.part-${k}`);
  await fs.mkdir(path.join(folder, 'images'), { recursive: true });
  // Image names: 20 shared with the same bytes in every part, 20 shared with other bytes, the rest own.
  const names: string[] = [];
  for (let i = 0; i < imagesPerPart; i++) {
    const name =
      i < SHARED_SAME
        ? `same-${i}.jpg`
        : i < SHARED_SAME + SHARED_OTHER
          ? `clash-${i}.jpg`
          : `p${k}-${i}.jpg`;
    const bytes =
      i < SHARED_SAME ? Buffer.alloc(2048 + i * 64, i) : randomBytes(2048 + ((i * 7919) % 30_000));
    await fs.writeFile(path.join(folder, 'images', name), bytes);
    names.push(name);
  }
  const perPage = Math.ceil(imagesPerPart / pages);
  const md: string[] = [];
  const list: unknown[] = [];
  const layout: unknown[] = [];
  for (let p = 0; p < pages; p++) {
    const own = names.slice(p * perPage, (p + 1) * perPage);
    md.push(`## Page ${(k - 1) * pages + p + 1}`);
    list.push({
      type: 'text',
      text: `Page ${(k - 1) * pages + p + 1}`,
      text_level: 2,
      bbox: [1, 2, 3, 4],
      page_idx: p,
    });
    for (let b = 0; b < 5; b++) {
      const text = `Paragraph ${b} of page ${p + 1}: ${'lorem ipsum dolor sit amet '.repeat(12)}`;
      md.push(text);
      list.push({ type: 'text', text, bbox: [100, 100 + b * 150, 900, 200 + b * 150], page_idx: p });
    }
    for (const img of own) {
      md.push(`![](images/${img})`);
      list.push({
        type: 'image',
        img_path: `images/${img}`,
        image_caption: [],
        bbox: [1, 2, 3, 4],
        page_idx: p,
      });
    }
    layout.push(pageLayout(p, own));
  }
  await fs.writeFile(path.join(folder, `manual.part-${k}.md`), md.join('\n\n'));
  await fs.writeFile(path.join(folder, `u${k}_content_list.json`), JSON.stringify(list, null, 4));
  await fs.writeFile(path.join(folder, 'layout.json'), JSON.stringify({ pdf_info: layout, _backend: 'vlm' }));
  await fs.writeFile(path.join(folder, `manual.part-${k}.docx`), randomBytes(64 * 1024));
  await fs.writeFile(path.join(folder, `u${k}_origin.pdf`), randomBytes(256 * 1024));
  return { folder, firstPage: (k - 1) * pages + 1, lastPage: k * pages };
}

async function main(): Promise<void> {
  const a = args(['dir', 'parts', 'pages', 'images']);
  const partCount = Number(a.parts);
  const pages = Number(a.pages);
  const imagesPerPart = Math.round(Number(a.images) / partCount);
  const dir = a.dir!;
  const parts: MergePart[] = [];
  for (let k = 1; k <= partCount; k++) parts.push(await makePart(dir, k, pages, imagesPerPart));
  const originPdf = path.join(dir, 'manual.pdf');
  await fs.writeFile(originPdf, randomBytes(8 * 1_048_576));
  let inputBytes = 0;
  for (const p of parts)
    for (const n of await fs.readdir(p.folder))
      if (n !== 'images') inputBytes += (await fs.stat(path.join(p.folder, n))).size;

  const outputDir = path.join(dir, 'workspace', 'mineru');
  const idleKb = procStatusKb('VmRSS');
  const watch = watchStalls();
  const started = performance.now();
  const summary = await mergePartResults({ parts, name: 'manual', outputDir, originPdf });
  const ms = performance.now() - started;
  const stalls = watch.stop();

  const images = await fs.readdir(path.join(summary.folder, 'images'));
  const expected = SHARED_SAME + partCount * (imagesPerPart - SHARED_SAME);
  if (images.length !== expected) throw new Error(`${images.length} images merged, expected ${expected}`);
  if (!images.includes(`clash-${SHARED_SAME}.part-${partCount}.jpg`))
    throw new Error('a clashing image was not renamed');
  const list = JSON.parse(
    await fs.readFile(path.join(summary.folder, 'manual_content_list.json'), 'utf8'),
  ) as {
    page_idx: number;
  }[];
  const last = list[list.length - 1]?.page_idx;
  if (last !== partCount * pages - 1) throw new Error(`the last block is on page_idx ${last}`);
  if (summary.brokenImageLinks !== 0) throw new Error(`${summary.brokenImageLinks} broken image links`);
  report({
    ms,
    ...stalls,
    images: images.length,
    imagesIn: imagesPerPart * partCount,
    pages: partCount * pages,
    jsonMb: Math.round(inputBytes / 1_048_576),
    idleKb,
    peakKb: procStatusKb('VmHWM'),
  });
}

runMain(main);
