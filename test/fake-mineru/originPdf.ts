/**
 * The fake's `*_origin.pdf`: a real multi-page PDF whose text and figures stand where the
 * result's content_list says (its 0–1000 boxes scaled to each page), and the matching layout.json
 * (MinerU's middle.json) with those boxes in points. Pages may differ in size and be turned
 * (/Rotate 90): boxes are, as MinerU writes them, on the page as displayed, origin top-left.
 */

export interface OriginPage {
  /** Size in points of the page as displayed (after /Rotate). */
  width: number;
  height: number;
  rotate: 0 | 90;
}

/** What the fake puts on a page for one content_list block. */
export interface OriginItem {
  page: number;
  /** 0–1000 box, as in content_list. */
  bbox: readonly [number, number, number, number];
  /** Lines of text drawn from the top of the box down; none for a figure (a grey box instead). */
  lines: string[];
  figure: boolean;
  /** middle.json block type (title, text, image, table …). */
  type: string;
}

/** Page sizes of a fake result: Letter, the second page A4, the third Letter turned a quarter. */
export function originPages(count: number): OriginPage[] {
  return Array.from({ length: count }, (_, i): OriginPage => {
    if (i === 1) return { width: 595, height: 842, rotate: 0 };
    if (i === 2) return { width: 792, height: 612, rotate: 90 };
    return { width: 612, height: 792, rotate: 0 };
  });
}

/** A 0–1000 box in points on a page (two decimals, as exact as the fake needs). */
export function toPoints(bbox: OriginItem['bbox'], page: OriginPage): [number, number, number, number] {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return [
    r((bbox[0] * page.width) / 1000),
    r((bbox[1] * page.height) / 1000),
    r((bbox[2] * page.width) / 1000),
    r((bbox[3] * page.height) / 1000),
  ];
}

function pdfString(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
}

/** Font size that fits `lines` lines in a box `h` points high (at most 12 pt). */
export function fontSizeFor(h: number, lines: number): number {
  return Math.max(4, Math.min(12, Math.floor((h / Math.max(1, lines) / 1.25) * 10) / 10));
}

/**
 * The content stream of one page. A displayed point (x, y) (top-left origin) is, in user space of
 * an upright page, (x, H − y); on a page turned 90° clockwise, (y, x) with the text running up.
 */
function pageStream(page: OriginPage, items: readonly OriginItem[]): string {
  const ops: string[] = [];
  const user = (x: number, y: number): [number, number] =>
    page.rotate === 90 ? [y, x] : [x, page.height - y];
  const f = (v: number): string => String(Math.round(v * 100) / 100);
  for (const it of items) {
    const [x0, y0, x1, y1] = toPoints(it.bbox, page);
    if (it.figure) {
      // A grey rectangle filling the box.
      const [ax, ay] = user(x0, y0);
      const [bx, by] = user(x1, y1);
      const left = Math.min(ax, bx);
      const bottom = Math.min(ay, by);
      ops.push(`0.8 g ${f(left)} ${f(bottom)} ${f(Math.abs(bx - ax))} ${f(Math.abs(by - ay))} re f 0 g`);
    }
    if (it.lines.length === 0) continue;
    const size = fontSizeFor(y1 - y0, it.lines.length);
    it.lines.forEach((line, i) => {
      // Baseline one font size below the line's top: the glyphs stay inside the box.
      const [ux, uy] = user(x0 + 2, y0 + i * size * 1.25 + size);
      const m = page.rotate === 90 ? `0 1 -1 0 ${f(ux)} ${f(uy)}` : `1 0 0 1 ${f(ux)} ${f(uy)}`;
      ops.push(`BT /F1 ${size} Tf ${m} Tm (${pdfString(line)}) Tj ET`);
    });
  }
  return ops.join('\n');
}

/** A valid PDF (correct xref) with the items drawn on their pages. */
export function originPdf(pages: readonly OriginPage[], items: readonly OriginItem[]): Buffer {
  const objects: string[] = [];
  const pageIds: number[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const byPage = new Map<number, OriginItem[]>();
  for (const it of items) byPage.set(it.page, [...(byPage.get(it.page) ?? []), it]);
  pages.forEach((page, i) => {
    const pageId = 4 + i * 2;
    const contentId = pageId + 1;
    pageIds.push(pageId);
    const stream = pageStream(page, byPage.get(i) ?? []);
    // The MediaBox is the upright page: a turned page's displayed width is its height.
    const [w, h] = page.rotate === 90 ? [page.height, page.width] : [page.width, page.height];
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}]${page.rotate ? ` /Rotate ${page.rotate}` : ''} ` +
      `/Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`;
    objects[contentId] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  });
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  const parts: string[] = ['%PDF-1.4\n'];
  let size = parts[0]!.length;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = size;
    const obj = `${id} 0 obj\n${objects[id] ?? ''}\nendobj\n`;
    parts.push(obj);
    size += Buffer.byteLength(obj, 'latin1');
  }
  const xref = [`xref\n0 ${objects.length}\n0000000000 65535 f \n`];
  for (let id = 1; id < objects.length; id++)
    xref.push(`${String(offsets[id] ?? 0).padStart(10, '0')} 00000 n \n`);
  parts.push(...xref, `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

/** layout.json (MinerU's middle.json) for the same pages and items, boxes in points. */
export function originLayout(
  pages: readonly OriginPage[],
  items: readonly OriginItem[],
  backend: string,
): Record<string, unknown> {
  return {
    pdf_info: pages.map((page, i) => ({
      page_idx: i,
      page_size: [page.width, page.height],
      preproc_blocks: [{ type: 'text', bbox: [72, 72, 540, 120], lines: [] }],
      para_blocks: items
        .filter((it) => it.page === i)
        .map((it) => {
          const bbox = toPoints(it.bbox, page);
          return {
            type: it.type,
            bbox,
            angle: 0,
            lines: it.lines.map((content) => ({ bbox, spans: [{ bbox, type: 'text', content }] })),
          };
        }),
      discarded_blocks: [],
    })),
    _backend: backend,
    _version_name: 'fake-2.6.5',
  };
}
