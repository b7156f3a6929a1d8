/**
 * A cheap PDF page count for the pre-flight check: no PDF library, only the page tree's `/Count`
 * read from the start and end of the file (and from compressed object streams).
 */
import { promises as fs } from 'node:fs';
import { inflateSync } from 'node:zlib';

const MB = 1_048_576;

/** Files up to this size are read whole; larger ones only at their start and end. */
export const PDF_FULL_SCAN_BYTES = 8 * MB;
/** How much of the start and of the end of a large PDF is read. */
export const PDF_WINDOW_BYTES = 4 * MB;
/** Most bytes one compressed object stream may inflate to. */
const MAX_INFLATE_BYTES = 16 * MB;

/**
 * The page count of a PDF, read cheaply, or undefined when it cannot be told without parsing the
 * whole file (e.g. an encrypted or unusual file). Reads small files whole, large ones only in a
 * window at the start and at the end, where the page tree usually sits (linearised files at the
 * start, incremental updates at the end). The count is the largest `/Count` of a `/Type /Pages`
 * node (the root of the page tree counts every page), using the last definition of each object
 * (incremental updates redefine it), including objects packed in compressed object streams.
 * When a small file has no page tree node, its `/Type /Page` objects are counted.
 */
export async function countPdfPages(filePath: string, size?: number): Promise<number | undefined> {
  const handle = await fs.open(filePath, 'r');
  try {
    const total = size ?? (await handle.stat()).size;
    const windows: Buffer[] = [];
    const whole = total <= PDF_FULL_SCAN_BYTES;
    if (whole) {
      windows.push(await readAt(handle, 0, total));
    } else {
      windows.push(await readAt(handle, 0, PDF_WINDOW_BYTES));
      windows.push(await readAt(handle, total - PDF_WINDOW_BYTES, PDF_WINDOW_BYTES));
    }
    if (!windows[0]!.subarray(0, 1024).includes('%PDF-')) return undefined;
    if (cutShort(windows[0]!, windows.at(-1)!, total)) return undefined;
    return pagesFromBuffers(windows, whole);
  } finally {
    await handle.close();
  }
}

/** Readers look for the end-of-file marker this near the end (the trailer names the xref there). */
const EOF_WINDOW_BYTES = 1024;

/**
 * A file that is not a whole PDF: no `%%EOF` near its end (cut short, e.g. an interrupted
 * download), or linearised with a declared length (`/L`) beyond its size. Its page objects tell
 * nothing reliable (pdf.js refuses such a file), so it has no count.
 */
function cutShort(head: Buffer, tail: Buffer, total: number): boolean {
  if (!tail.subarray(Math.max(0, tail.length - EOF_WINDOW_BYTES)).includes('%%EOF')) return true;
  const linearised = /\/Linearized\s[^>]*?\/L\s+(\d{1,15})(?!\d)/.exec(
    head.subarray(0, 1024).toString('latin1'),
  );
  return linearised !== null && Number(linearised[1]) > total;
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** The page count from PDF bytes (see {@link countPdfPages}). */
function pagesFromBuffers(buffers: readonly Buffer[], whole: boolean): number | undefined {
  // Object number → dictionary text of its last definition, in file order.
  const objects = new Map<string, string>();
  for (const buffer of buffers) collectObjects(buffer, objects);
  // The catalog names the root of the page tree, whose /Count is the number of pages.
  let catalog: string | undefined;
  for (const body of objects.values()) if (/\/Type\s*\/Catalog(?![A-Za-z0-9])/.test(body)) catalog = body;
  const rootRef = catalog && /\/Pages\s+(\d{1,10})\s+\d{1,5}\s+R\b/.exec(catalog)?.[1];
  const rootBody = rootRef ? objects.get(rootRef) : undefined;
  const rootCount = rootBody && countOf(rootBody);
  if (rootCount) return rootCount;
  // Without the root in view, an inner node's /Count would understate: only guess from a whole file.
  if (!whole) return undefined;
  let largest = 0;
  let leaves = 0;
  for (const body of objects.values()) {
    if (/\/Type\s*\/Pages(?![A-Za-z0-9])/.test(body)) largest = Math.max(largest, countOf(body) ?? 0);
    else if (/\/Type\s*\/Page(?![A-Za-z0-9])/.test(body)) leaves++;
  }
  return largest || leaves || undefined;
}

function countOf(body: string): number | undefined {
  const m = /\/Count\s+(\d{1,9})(?!\d)/.exec(body);
  return m ? Number(m[1]) : undefined;
}

const OBJ_START = /(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;

/** Adds every `N G obj … endobj` of the buffer (and the objects inside its object streams). */
function collectObjects(buffer: Buffer, objects: Map<string, string>): void {
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const text = buffer.toString('latin1');
  OBJ_START.lastIndex = 0;
  for (let m = OBJ_START.exec(text); m; m = OBJ_START.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    if (end < 0) break;
    const content = text.slice(start, end);
    const streamAt = /\bstream(?:\r\n|\n|\r)/.exec(content);
    const dict = streamAt ? content.slice(0, streamAt.index) : content;
    objects.delete(m[1]!); // re-insert so that the last definition also comes last
    objects.set(m[1]!, dict);
    if (streamAt && /\/Type\s*\/ObjStm\b/.test(dict)) {
      const dataStart = start + streamAt.index + streamAt[0].length;
      const dataEnd = text.lastIndexOf('endstream', end);
      if (dataEnd > dataStart) collectObjectStream(dict, buffer.subarray(dataStart, dataEnd), objects);
    }
    OBJ_START.lastIndex = end + 'endobj'.length;
  }
}

/** Objects packed in a compressed object stream (`/Type /ObjStm`, FlateDecode only). */
function collectObjectStream(dict: string, data: Buffer, objects: Map<string, string>): void {
  if (!/\/Filter\s*(?:\[\s*)?\/FlateDecode\s*\]?/.test(dict) || /\/DecodeParms/.test(dict)) return;
  const n = Number(/\/N\s+(\d+)/.exec(dict)?.[1]);
  const first = Number(/\/First\s+(\d+)/.exec(dict)?.[1]);
  if (!Number.isInteger(n) || !Number.isInteger(first) || n <= 0) return;
  let inflated: Buffer;
  try {
    inflated = inflateSync(data, { maxOutputLength: MAX_INFLATE_BYTES });
  } catch {
    try {
      // Some writers leave trailing bytes after the deflate data (e.g. an EOL before endstream).
      inflated = inflateSync(trimEol(data), { maxOutputLength: MAX_INFLATE_BYTES });
    } catch {
      return; // encrypted or damaged: the count stays unknown
    }
  }
  const text = inflated.toString('latin1');
  const header = text.slice(0, first).trim().split(/\s+/).map(Number);
  if (header.length < 2 * n || header.some((v) => !Number.isInteger(v))) return;
  for (let i = 0; i < n; i++) {
    const num = header[2 * i]!;
    const from = first + header[2 * i + 1]!;
    const to = i + 1 < n ? first + header[2 * i + 3]! : text.length;
    if (from > to || to > text.length) return;
    objects.delete(String(num));
    objects.set(String(num), text.slice(from, to));
  }
}

function trimEol(data: Buffer): Buffer {
  let end = data.length;
  while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(0, end);
}
