/**
 * What the fake reads from a submitted PDF's real bytes: its page count, and on each page the
 * number of a "Page N" mark drawn on it (test/unit/helpers/splitPdfs.ts makes such PDFs), so that
 * a result can name the pages it was given (a part of pages 601–1200 says "## Page 601" first).
 */
import { decodePDFRawStream, PDFArray, PDFDocument, ParseSpeeds, PDFRawStream } from '@cantoo/pdf-lib';
import type { PDFObject, PDFPageLeaf } from '@cantoo/pdf-lib';

export interface PdfFacts {
  pages: number;
  /** The "Page N" mark of each page (index = page − 1), undefined where a page has none. */
  marks: (number | undefined)[];
}

const STRING_RE = /\((?:[^()\\]|\\[\s\S])*\)|<[0-9A-Fa-f\s]*>/g;
const MARK_RE = /Page (\d+)/;

function literal(s: string): string {
  return s
    .slice(1, -1)
    .replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, c: string) =>
      /^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8)) : c.length === 1 && '()\\'.includes(c) ? c : ' ',
    );
}

function hex(s: string): string {
  const digits = s.slice(1, -1).replace(/\s/g, '');
  const even = digits.length % 2 ? `${digits}0` : digits;
  return Buffer.from(even, 'hex').toString('latin1');
}

/** The text of every string shown in a content stream, in order (enough to find a mark). */
function streamText(content: string): string {
  const out: string[] = [];
  for (const m of content.matchAll(STRING_RE)) out.push(m[0].startsWith('(') ? literal(m[0]) : hex(m[0]));
  return out.join(' ');
}

function streamBytes(obj: PDFObject | undefined): string {
  if (!(obj instanceof PDFRawStream)) return '';
  try {
    return Buffer.from(decodePDFRawStream(obj).decode()).toString('latin1');
  } catch {
    return '';
  }
}

function pageMark(doc: PDFDocument, node: PDFPageLeaf): number | undefined {
  const contents = node.Contents();
  const parts =
    contents instanceof PDFArray
      ? contents.asArray().map((ref) => doc.context.lookup(ref))
      : [contents as PDFObject | undefined];
  const m = MARK_RE.exec(streamText(parts.map(streamBytes).join('\n')));
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** Facts of a PDF, or undefined when the bytes are not a PDF the fake can read (e.g. encrypted). */
export async function readPdfFacts(bytes: Uint8Array): Promise<PdfFacts | undefined> {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) return undefined;
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
    const pages = doc.getPages();
    return { pages: pages.length, marks: pages.map((p) => pageMark(doc, p.node)) };
  } catch {
    return undefined;
  }
}

/**
 * The pages (1-based, ascending) a page_ranges expression selects from `total` pages: "2,4-6",
 * negative numbers from the end ("2--2" = page 2 to the second-to-last). Nothing valid = all.
 */
export function selectedPageList(ranges: string | undefined, total: number): number[] {
  const all = (): number[] => Array.from({ length: total }, (_, i) => i + 1);
  if (!ranges) return all();
  const pages = new Set<number>();
  const resolve = (n: number): number => (n < 0 ? total + n + 1 : n);
  for (const part of ranges.split(',')) {
    const m = /^\s*(-?\d+)(?:-(-?\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = resolve(Number(m[1]));
    const b = m[2] === undefined ? a : resolve(Number(m[2]));
    for (let p = Math.max(1, a); p <= Math.min(total, b); p++) pages.add(p);
  }
  return pages.size > 0 ? [...pages].sort((x, y) => x - y) : all();
}
