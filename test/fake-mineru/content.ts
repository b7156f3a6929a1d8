/**
 * What the fake MinerU "parses": deterministic, small, but structurally faithful results
 * (guide §4): full.md with `![](images/<sha256>.jpg)` + caption lines and an HTML table, real JPEG
 * bytes, content_list / layout / model JSON, a valid origin PDF and the extra formats.
 */
import { createHash } from 'node:crypto';
import type { OriginItem } from './originPdf';
import { originLayout, originPages, originPdf } from './originPdf';
import type { ZipEntry } from './zip';
import { memEntry, zipToBuffer } from './zip';

export interface ResultDocument {
  /** Human title (the document name without extension). */
  title: string;
  /** The uuid used as a prefix inside the zip (differs from the zip's own name, as in real outputs). */
  innerUuid: string;
  pages: number;
  modelVersion: string;
  extraFormats: readonly string[];
  language?: string;
  /**
   * A numbered PDF's "Page k" marks, one per page: the result is then that document's own text,
   * one "## Page k" section per page, no title or table of the fake's, a figure every 10th page.
   */
  pageMarks?: readonly number[];
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * A valid baseline JPEG: one 8×8 grey block (all DCT coefficients zero, so the entropy-coded data
 * is just "DC category 0, EOB"). The comment segment makes each image's bytes (and sha256) unique.
 */
export function tinyJpeg(comment: string): Buffer {
  const jfif = Buffer.from([
    0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]);
  const sof0 = Buffer.from([0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]);
  const counts = Buffer.alloc(16);
  counts[0] = 1; // one code of length 1
  const dhtDc = Buffer.concat([Buffer.from([0x00]), counts, Buffer.from([0x00])]);
  const dhtAc = Buffer.concat([Buffer.from([0x10]), counts, Buffer.from([0x00])]);
  const sos = Buffer.from([0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xffe0, jfif),
    segment(0xfffe, Buffer.from(comment, 'utf8')),
    segment(0xffdb, dqt),
    segment(0xffc0, sof0),
    segment(0xffc4, dhtDc),
    segment(0xffc4, dhtAc),
    segment(0xffda, sos),
    Buffer.from([0x3f]), // bits "00" (DC diff 0, EOB) padded with ones
    Buffer.from([0xff, 0xd9]),
  ]);
}

function pdfText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
}

/** A minimal but valid PDF (correct xref offsets) with one line of text per page. */
export function minimalPdf(title: string, pages: number): Buffer {
  const n = Math.max(1, Math.min(pages, 50));
  const objects: string[] = [];
  const pageIds: number[] = [];
  // 1 catalog, 2 pages, 3 font, then (page, content) pairs.
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  for (let i = 0; i < n; i++) {
    const pageId = 4 + i * 2;
    const contentId = pageId + 1;
    pageIds.push(pageId);
    const stream = `BT /F1 18 Tf 72 720 Td (${pdfText(title)} - page ${i + 1}) Tj ET`;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ` +
      `/Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`;
    objects[contentId] = `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`;
  }
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${n} >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out);
    out += `${id} 0 obj\n${objects[id] ?? ''}\nendobj\n`;
  }
  const xrefPos = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++)
    out += `${String(offsets[id] ?? 0).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xrefPos}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** At most this many page images per zip, so that `pages-5000` stays cheap. */
const MAX_IMAGES = 200;
/** A numbered PDF's result shows a figure on pages 1, 11, 21 … (by mark): few, as in real documents. */
const FIGURE_EVERY = 10;

function tableHtml(doc: ResultDocument): string {
  return (
    '<table><tr><td>Field</td><td>Value</td></tr>' +
    `<tr><td>Pages</td><td>${doc.pages}</td></tr>` +
    `<tr><td>Model</td><td>${escapeXml(doc.modelVersion)}</td></tr></table>`
  );
}

/** The Markdown the agent (flash) API returns: text only, images replaced by placeholders. */
export function agentMarkdown(title: string, pages: number): string {
  const lines = [`# ${title}`, '', 'Parsed by the fake MinerU agent API.', ''];
  for (let p = 1; p <= pages; p++) {
    lines.push(`## Page ${p}`, '', `Text of page ${p} of ${title}.`, '', `[image: figure ${p}]`, '');
  }
  return lines.join('\n');
}

/** All entries of a result zip for one document (before fault entries are added). */
export function resultEntries(doc: ResultDocument): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const u = doc.innerUuid;
  if (doc.modelVersion === 'MinerU-HTML') {
    const md = `# ${doc.title}\n\nMain content of the web page ${doc.title}.\n\n${tableHtml(doc)}\n`;
    const html =
      `<html><head><meta charset="utf-8"><title>${escapeXml(doc.title)}</title></head>` +
      `<body><h1>${escapeXml(doc.title)}</h1><p>Main content of the web page.</p>${tableHtml(doc)}</body></html>\n`;
    entries.push(memEntry('full.md', md), memEntry('main.html', html));
    return entries;
  }

  const marks = doc.pageMarks;
  // The image of page p (1-based, in this file), if it has one.
  const images = new Map<number, { name: string; bytes: Buffer }>();
  for (let p = 1; p <= doc.pages && images.size < MAX_IMAGES; p++) {
    const mark = marks?.[p - 1];
    if (marks && (mark === undefined || (mark - 1) % FIGURE_EVERY !== 0)) continue;
    const bytes = tinyJpeg(`fake-mineru ${u} page ${p}`);
    images.set(p, { name: `images/${sha256Hex(bytes)}.jpg`, bytes });
  }

  const md: string[] = marks
    ? []
    : [`# ${doc.title}`, '', `This document, ${doc.title}, was parsed by the fake MinerU service.`, ''];
  const contentList: unknown[] = marks
    ? []
    : [{ type: 'text', text: doc.title, text_level: 1, bbox: [100, 60, 900, 100], page_idx: 0 }];
  const model: unknown[] = [];
  for (let p = 1; p <= doc.pages; p++) {
    const k = marks?.[p - 1] ?? p;
    const text = marks
      ? `Text of page ${k}.`
      : `Paragraph on page ${p}: the quick brown fox jumps over the lazy dog.`;
    const heading = marks ? `Page ${k}` : `Section ${p}`;
    md.push(`## ${heading}`, '', text, '');
    contentList.push({
      type: 'text',
      text: heading,
      text_level: 2,
      bbox: [100, 120, 900, 150],
      page_idx: p - 1,
    });
    contentList.push({ type: 'text', text, bbox: [100, 160, 900, 260], page_idx: p - 1 });
    const img = images.get(p);
    if (img) {
      const caption = `Figure ${k}. An illustration on page ${k}.`;
      md.push(`![](${img.name})`, caption, '');
      contentList.push({
        type: 'image',
        img_path: img.name,
        image_caption: [caption],
        image_footnote: [],
        bbox: [200, 300, 800, 700],
        page_idx: p - 1,
      });
    }
    model.push({
      page_info: { page_no: p - 1, width: 1224, height: 1584 },
      layout_dets: [{ category_id: 1, poly: [144, 144, 1080, 144, 1080, 240, 144, 240], score: 0.98 }],
    });
  }
  const table = tableHtml(doc);
  if (!marks) {
    md.push(table, '');
    contentList.push({
      type: 'table',
      img_path: images.get(1)?.name ?? '',
      table_caption: ['Table 1. Document facts.'],
      table_body: table,
      table_footnote: [],
      bbox: [100, 750, 900, 900],
      page_idx: Math.max(0, doc.pages - 1),
    });
  }
  const markdown = md.join('\n');

  entries.push(memEntry('full.md', markdown));
  for (const img of images.values()) entries.push(memEntry(img.name, img.bytes, { deflate: false }));
  entries.push(memEntry(`${u}_content_list.json`, JSON.stringify(contentList, null, 2)));
  // The origin PDF shows each block where content_list puts it; layout.json gives the same boxes in points.
  const pages = originPages(doc.pages);
  const items = originItems(contentList, doc);
  entries.push(memEntry('layout.json', JSON.stringify(originLayout(pages, items, doc.modelVersion))));
  entries.push(memEntry(`${u}_model.json`, JSON.stringify(model)));
  entries.push(memEntry(`${u}_origin.pdf`, originPdf(pages, items)));

  for (const fmt of doc.extraFormats) {
    if (fmt === 'docx')
      entries.push(memEntry(`${u}.docx`, minimalDocx(doc.title, markdown), { deflate: false }));
    if (fmt === 'html') {
      const body = markdown
        .split('\n')
        .filter((l) => l && !l.startsWith('<table'))
        .map((l) => `<p>${escapeXml(l)}</p>`)
        .join('\n');
      entries.push(
        memEntry(
          `${u}.html`,
          `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeXml(doc.title)}</title></head>` +
            `<body>\n${body}\n${table}\n</body></html>\n`,
        ),
      );
    }
    if (fmt === 'latex') {
      const tex =
        '\\documentclass{article}\n\\begin{document}\n' +
        `\\section*{${doc.title.replace(/[\\{}$&#^_%~]/g, '')}}\n` +
        Array.from({ length: doc.pages }, (_, i) => `Paragraph on page ${i + 1}.\n`).join('\n') +
        '\\end{document}\n';
      entries.push(memEntry(`${u}.tex`, tex));
    }
  }
  return entries;
}

interface FakeBlock {
  type: string;
  page_idx: number;
  bbox: [number, number, number, number];
  text?: string;
  text_level?: number;
  image_caption?: string[];
}

/** What the origin PDF draws for each content_list block of the fake. */
function originItems(contentList: readonly unknown[], doc: ResultDocument): OriginItem[] {
  return (contentList as FakeBlock[]).map((b): OriginItem => {
    const base = { page: b.page_idx, bbox: b.bbox };
    if (b.type === 'image') return { ...base, lines: b.image_caption ?? [], figure: true, type: 'image' };
    if (b.type === 'table')
      return {
        ...base,
        lines: ['Field Value', `Pages ${doc.pages}`, `Model ${doc.modelVersion}`],
        figure: false,
        type: 'table',
      };
    return { ...base, lines: [b.text ?? ''], figure: false, type: b.text_level ? 'title' : 'text' };
  });
}

/** A minimal Office Open XML package (opens in Word/LibreOffice). */
export function minimalDocx(title: string, markdown: string): Buffer {
  const paras = [title, ...markdown.split('\n').filter((l) => l && !l.startsWith('<') && !l.startsWith('!['))]
    .slice(0, 100)
    .map((l) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(l)}</w:t></w:r></w:p>`)
    .join('');
  return zipToBuffer([
    memEntry(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ' +
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '</Types>',
    ),
    memEntry(
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" ' +
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ' +
        'Target="word/document.xml"/></Relationships>',
    ),
    memEntry(
      'word/document.xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
        `<w:body>${paras}</w:body></w:document>`,
    ),
  ]);
}
