// What a self-hosted server writes for one document and how it hands it back: the files of a parse
// directory (common.py _process_output), the nested result zip (fast_api.py create_result_zip /
// build_zip_arcname), the JSON results (build_result_dict), and the flat 2.x zip (mineru-2.7.6).
import { createHash } from 'node:crypto';
import { minimalPdf, tinyJpeg } from '../content';
import type { ZipEntry } from '../zip';
import { memEntry, zipToBuffer } from '../zip';
import type { ParseOptions, StoredDoc } from './engine';
import { sanitizeLegacyName } from './form';

export interface ParseDirFiles {
  /** `<parse dir>` name: `auto`/`txt`/`ocr` (pipeline), `vlm`, `hybrid_<method>`, `office`. */
  dir: string;
  md: string;
  contentList: string;
  contentListV2: string;
  middle: string;
  model: string;
  images: { name: string; bytes: Buffer }[];
  origin: { name: string; bytes: Buffer };
}

const OFFICE = new Set(['docx', 'pptx', 'xlsx']);
const IMAGE = new Set(['png', 'jpeg', 'jp2', 'webp', 'gif', 'bmp', 'jpg', 'tiff']);

/** output_paths.py build_parse_dir(). */
export function parseDirName(backend: string, parseMethod: string, suffix: string): string {
  if (OFFICE.has(suffix)) return 'office';
  if (backend.startsWith('pipeline')) return parseMethod;
  if (backend.startsWith('vlm')) return 'vlm';
  return `hybrid_${parseMethod}`;
}

/** Pages actually parsed: start_page_id..end_page_id (0-based, inclusive), clamped to the document. */
export function selectedPages(doc: StoredDoc, o: ParseOptions): number {
  const total = IMAGE.has(doc.suffix) ? 1 : doc.pages;
  const start = Math.max(0, o.startPageId);
  const end = o.endPageId < 0 ? total - 1 : Math.min(o.endPageId, total - 1);
  return Math.max(0, end - start + 1);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

const json = (v: unknown): string => JSON.stringify(v, null, 4);

/** The parse directory of one document, as the server's output writer leaves it. */
export function parseDirFiles(doc: StoredDoc, o: ParseOptions, version: string): ParseDirFiles {
  const pages = selectedPages(doc, o);
  const name = doc.stem;
  const dir = parseDirName(o.backend, o.parseMethod, doc.suffix);
  const kind = OFFICE.has(doc.suffix)
    ? 'office'
    : o.backend.startsWith('pipeline')
      ? 'pipeline'
      : o.backend.startsWith('vlm')
        ? 'vlm'
        : 'hybrid';
  const md: string[] = [`# ${name}`, ''];
  const list: unknown[] = [
    { type: 'text', text: name, text_level: 1, bbox: [100, 60, 900, 100], page_idx: 0 },
  ];
  const v2: unknown[][] = [];
  const pdfInfo: unknown[] = [];
  const model: unknown[] = [];
  const images: { name: string; bytes: Buffer }[] = [];
  for (let p = 0; p < pages; p++) {
    const text = `Text of page ${p + 1} of ${name}.`;
    const bytes = tinyJpeg(`fake self-hosted ${name} ${o.startPageId + p}`);
    const img = `${sha256(bytes)}.jpg`;
    images.push({ name: img, bytes });
    const caption = `Figure ${p + 1}.`;
    md.push(text, '', `![](images/${img})`, caption, '');
    list.push({ type: 'text', text, bbox: [100, 160, 900, 260], page_idx: p });
    list.push({
      type: 'image',
      img_path: `images/${img}`,
      image_caption: [caption],
      image_footnote: [],
      bbox: [200, 300, 800, 700],
      page_idx: p,
    });
    v2.push([
      {
        type: 'paragraph',
        content: { paragraph_content: [{ type: 'text', content: text }] },
        bbox: [100, 160, 900, 260],
      },
      {
        type: 'image',
        content: {
          image_source: { path: `images/${img}` },
          image_caption: [{ type: 'text', content: caption }],
          image_footnote: [],
        },
        bbox: [200, 300, 800, 700],
      },
    ]);
    const span = (t: string, y: number): unknown => ({
      bbox: [61, y, 551, y + 20],
      type: 'text',
      content: t,
    });
    pdfInfo.push({
      page_idx: p,
      page_size: [612, 792],
      para_blocks: [
        {
          type: 'text',
          bbox: [61, 127, 551, 206],
          lines: [{ bbox: [61, 127, 551, 147], spans: [span(text, 127)] }],
          index: 0,
        },
        {
          type: 'image',
          bbox: [122, 238, 490, 554],
          blocks: [
            {
              type: 'image_body',
              bbox: [122, 238, 490, 554],
              lines: [
                {
                  bbox: [122, 238, 490, 554],
                  spans: [{ bbox: [122, 238, 490, 554], type: 'image', image_path: img }],
                },
              ],
            },
          ],
          index: 1,
        },
      ],
      discarded_blocks: [],
    });
    model.push({ page_info: { page_no: p, width: 1224, height: 1584 }, layout_dets: [] });
  }
  if (pages > 0 && o.formulaEnable) {
    md.push('$$', 'E = m c ^ {2}', '$$', '');
    list.push({
      type: 'equation',
      text: '$$\nE = m c ^ {2}\n$$',
      text_format: 'latex',
      bbox: [300, 720, 700, 760],
      page_idx: 0,
    });
  }
  if (pages > 0 && o.tableEnable) {
    const table = `<table><tr><td>Document</td><td>${name}</td></tr><tr><td>Pages</td><td>${pages}</td></tr></table>`;
    md.push(table, '');
    list.push({
      type: 'table',
      table_body: table,
      table_caption: [],
      table_footnote: [],
      bbox: [100, 780, 900, 900],
      page_idx: pages - 1,
    });
  }
  const originExt = OFFICE.has(doc.suffix) ? doc.suffix : 'pdf';
  return {
    dir,
    md: md.join('\n'),
    contentList: json(list),
    contentListV2: json(v2),
    middle: json({ pdf_info: pdfInfo, _backend: kind, _version_name: version }),
    model: json(model),
    images,
    origin: {
      name: `${name}_origin.${originExt}`,
      bytes: doc.suffix === 'pdf' || OFFICE.has(doc.suffix) ? doc.bytes : minimalPdf(name, 1),
    },
  };
}

/** create_result_zip(): `<name>/<parse dir>/<file>` for each requested file, in the server's order. */
export function resultZip(docs: readonly StoredDoc[], o: ParseOptions, version: string): Buffer {
  const entries: ZipEntry[] = [];
  for (const doc of docs) {
    const f = parseDirFiles(doc, o, version);
    const at = (rel: string): string => `${doc.stem}/${f.dir}/${rel}`;
    if (o.returnMd) entries.push(memEntry(at(`${doc.stem}.md`), f.md));
    if (o.returnMiddleJson) entries.push(memEntry(at(`${doc.stem}_middle.json`), f.middle));
    if (o.returnModelOutput) entries.push(memEntry(at(`${doc.stem}_model.json`), f.model));
    if (o.returnContentList) {
      entries.push(memEntry(at(`${doc.stem}_content_list.json`), f.contentList));
      entries.push(memEntry(at(`${doc.stem}_content_list_v2.json`), f.contentListV2));
    }
    if (o.returnImages) {
      for (const img of [...f.images].sort((a, b) => a.name.localeCompare(b.name)))
        entries.push(memEntry(at(`images/${img.name}`), img.bytes));
    }
    if (o.returnOriginalFile) entries.push(memEntry(at(f.origin.name), f.origin.bytes));
  }
  return zipToBuffer(entries);
}

/** The 2.x zip: `<safe name>/<safe name>.md`, `…_middle.json`, `…_model.json`, `…_content_list.json`, `images/`. */
export function legacyResultZip(docs: readonly StoredDoc[], o: ParseOptions, version: string): Buffer {
  const entries: ZipEntry[] = [];
  for (const doc of docs) {
    if (!/^(pipeline|vlm|hybrid)/.test(o.backend)) continue; // "Unknown backend type", skipped
    const f = parseDirFiles(doc, o, version);
    const safe = sanitizeLegacyName(doc.stem);
    if (o.returnMd) entries.push(memEntry(`${safe}/${safe}.md`, f.md));
    if (o.returnMiddleJson) entries.push(memEntry(`${safe}/${safe}_middle.json`, f.middle));
    if (o.returnModelOutput) entries.push(memEntry(`${safe}/${safe}_model.json`, f.model));
    if (o.returnContentList) entries.push(memEntry(`${safe}/${safe}_content_list.json`, f.contentList));
    if (o.returnImages)
      for (const img of f.images) entries.push(memEntry(`${safe}/images/${img.name}`, img.bytes));
  }
  return zipToBuffer(entries);
}

/** build_result_dict(): per document stem, the requested files as strings, images as data URIs. */
export function resultDict(
  docs: readonly StoredDoc[],
  o: ParseOptions,
  version: string,
  legacy: boolean,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const data: Record<string, unknown> = {};
    out[doc.stem] = data;
    if (legacy && !/^(pipeline|vlm|hybrid)/.test(o.backend)) continue;
    const f = parseDirFiles(doc, o, version);
    if (o.returnMd) data.md_content = f.md;
    if (o.returnMiddleJson) data.middle_json = f.middle;
    if (o.returnModelOutput) data.model_output = f.model;
    if (o.returnContentList) data.content_list = f.contentList;
    if (o.returnImages) {
      const images: Record<string, string> = {};
      for (const img of [...f.images].sort((a, b) => a.name.localeCompare(b.name)))
        images[img.name] = `data:image/jpeg;base64,${img.bytes.toString('base64')}`;
      data.images = images;
    }
  }
  return out;
}
