import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { SUPPORTED_EXTENSIONS } from '../api/types';

/** What a file is checked against before anything is sent. */
export interface FileLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Most pages of a PDF (checked only when the count can be read cheaply). */
  maxPages?: number | undefined;
  /** Accepted extensions, lower case with the dot; default: every type the service parses. */
  extensions?: readonly string[] | undefined;
}

export type PreflightCode =
  'not-found' | 'not-a-file' | 'unsupported-type' | 'empty' | 'too-large' | 'too-many-pages';

/**
 * One reason a file cannot be sent as it is. `message` and `hint` are plain English defaults; the
 * UI may build its own (translated) text from `code` and the numbers.
 */
export interface PreflightProblem {
  code: PreflightCode;
  message: string;
  hint: string;
  /** The file's size, or page count, and the limit it broke (too-large, too-many-pages). */
  actual?: number;
  limit?: number;
}

export interface PreflightResult {
  ok: boolean;
  path: string;
  size: number;
  /** Page count of a PDF when it could be read cheaply. */
  pages?: number;
  problems: PreflightProblem[];
}

const MB = 1_048_576;

/** Formats bytes as "12.3 MB" (or "512 KB"), for messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes >= 100 * MB ? 0 : 1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * Checks one local file against the limits, before any request: that it exists and is a file,
 * its type, that it is not empty, its size, and for PDFs the page count when it can be read
 * cheaply. Never throws for a bad file: every reason is a problem in the result.
 */
export async function checkFile(filePath: string, limits: FileLimits): Promise<PreflightResult> {
  const problems: PreflightProblem[] = [];
  const name = path.basename(filePath);
  const result = (size: number, pages?: number): PreflightResult => ({
    ok: problems.length === 0,
    path: filePath,
    size,
    ...(pages !== undefined ? { pages } : {}),
    problems,
  });

  const ext = path.extname(filePath).toLowerCase();
  const allowed = limits.extensions ?? SUPPORTED_EXTENSIONS;
  if (!allowed.includes(ext)) {
    problems.push({
      code: 'unsupported-type',
      message: ext
        ? `"${name}" is a ${ext} file, which MinerU does not parse`
        : `"${name}" has no file extension, so its type is unknown`,
      hint: `Supported types: ${allowed.join(' ')}`,
    });
  }

  let stat;
  try {
    stat = await fs.stat(filePath);
  } catch {
    problems.push({
      code: 'not-found',
      message: `"${name}" could not be read`,
      hint: 'Check that the file still exists and that you may read it',
    });
    return result(0);
  }
  if (!stat.isFile()) {
    problems.push({
      code: 'not-a-file',
      message: `"${name}" is not a file`,
      hint: 'Choose a document file',
    });
    return result(0);
  }
  const size = stat.size;
  if (size === 0) {
    problems.push({
      code: 'empty',
      message: `"${name}" is empty (0 bytes)`,
      hint: 'Save the document again, then parse it',
    });
  } else if (size > limits.maxBytes) {
    problems.push({
      code: 'too-large',
      message: `"${name}" is ${formatBytes(size)}, more than the ${formatBytes(limits.maxBytes)} limit`,
      hint: 'Split the document or compress its images, or parse a shorter excerpt',
      actual: size,
      limit: limits.maxBytes,
    });
  }

  let pages: number | undefined;
  if (ext === '.pdf' && size > 0) {
    pages = await countPdfPages(filePath, size).catch(() => undefined);
    if (pages !== undefined && limits.maxPages !== undefined && pages > limits.maxPages) {
      problems.push({
        code: 'too-many-pages',
        message: `"${name}" has ${pages} pages, more than the ${limits.maxPages}-page limit`,
        hint: `Parse it in parts with page ranges (page_ranges), e.g. "1-${limits.maxPages}", or split the document`,
        actual: pages,
        limit: limits.maxPages,
      });
    }
  }
  return result(size, pages);
}

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
    return pagesFromBuffers(windows, whole);
  } finally {
    await handle.close();
  }
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
