/**
 * The JSON files of a part result, rebased to the whole document: every `page_idx` / `page_no`
 * number gains the part's page offset, image paths renamed by the merge are rewritten, and the
 * array of pages (or blocks) is cut out so that the parts' arrays can be joined into one file.
 *
 * The shapes (guide §11): `*_content_list.json` is an array of blocks with `page_idx`;
 * `*_content_list_v2.json` an array with one array of blocks per page; `layout.json` /
 * `*_middle.json` an object whose `pdf_info` is an array of pages with `page_idx`; `*_model.json`
 * an array of pages with `page_info.page_no`.
 *
 * Why a scanner and not JSON.parse: a 200-page middle.json is tens of MB, and parsing and
 * stringifying it holds the event loop for hundreds of ms. The scanner only tracks strings and
 * nesting, edits numbers and strings in place, keeps every other byte, and yields every slice.
 */
import { abortReason } from '../util/clock';

export type PartJsonKind = 'contentList' | 'contentListV2' | 'layout' | 'model';

/** Which kind of merged JSON a result file name is, if any. */
export function partJsonKind(fileName: string): PartJsonKind | undefined {
  const base = fileName.toLowerCase();
  if (/(^|_)content_list\.json$/.test(base)) return 'contentList';
  if (/(^|_)content_list_v2\.json$/.test(base)) return 'contentListV2';
  if (base === 'layout.json' || /(^|_)middle\.json$/.test(base)) return 'layout';
  if (/(^|_)model\.json$/.test(base)) return 'model';
  return undefined;
}

export interface PartJsonEdit {
  /** Added to every `page_idx` and `page_no` (the part's first page − 1). */
  offset: number;
  /** New value of an image path (`img_path`, `image_path`, `path`), or undefined to keep it. */
  image?: (value: string) => string | undefined;
  signal?: AbortSignal;
}

export interface ScannedPartJson {
  /** Text before the array's first element (the first part's is the merged file's). */
  head: string;
  /** The array's elements, edited, without the brackets and outer white space. */
  inner: string;
  /** Number of elements of the array. */
  count: number;
  /** Text from the array's closing bracket to the end. */
  tail: string;
}

const PAGE_KEYS = new Set(['page_idx', 'page_no']);
const IMAGE_KEYS = new Set(['img_path', 'image_path', 'path']);
/** Characters scanned between two yields to the event loop. */
const SLICE = 512 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index of the quote that ends the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  while (q !== -1) {
    let slashes = 0;
    for (let b = q - 1; text.charCodeAt(b) === BACKSLASH; b--) slashes++;
    if (slashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function applyEdits(text: string, from: number, to: number, edits: readonly Edit[]): string {
  const pieces: string[] = [];
  let at = from;
  for (const e of edits) {
    if (e.start < from || e.end > to) continue;
    pieces.push(text.slice(at, e.start), e.text);
    at = e.end;
  }
  pieces.push(text.slice(at, to));
  return pieces.join('');
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Scans one part's JSON of `kind`, rebasing its page numbers and image paths. Undefined when the
 * text is not JSON of the expected shape (the merge then keeps the file as it is, per part).
 */
export async function scanPartJson(
  text: string,
  kind: PartJsonKind,
  edit: PartJsonEdit,
): Promise<ScannedPartJson | undefined> {
  const stack: number[] = [];
  const edits: Edit[] = [];
  // The array whose elements are merged: the top-level array, or the top object's `pdf_info`.
  let arrayStart = -1;
  let arrayEnd = -1;
  let arrayDepth = -1;
  let count = 0;
  let key: string | undefined;
  // A page of `pdf_info` (layout): where its object opens and whether it names its page.
  let page: { open: number; index: number; named: boolean; keys: number } | undefined;
  let nextYield = SLICE;
  let i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  const first = text.charCodeAt(i);
  if (kind === 'layout' ? first !== OPEN_OBJECT : first !== OPEN_ARRAY) return undefined;
  const inArray = (): boolean => arrayStart >= 0 && arrayEnd < 0 && stack.length === arrayDepth;

  while (i < text.length) {
    if (i >= nextYield) {
      await yieldNow();
      if (edit.signal?.aborted) throw abortReason(edit.signal);
      nextYield = i + SLICE;
    }
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      const after = skipSpace(text, end + 1);
      if (text.charCodeAt(after) === COLON && stack[stack.length - 1] === OPEN_OBJECT) {
        const raw = text.slice(i + 1, end);
        key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (page && stack.length === arrayDepth + 1) {
          page.keys++;
          if (key === 'page_idx') page.named = true;
        }
        i = after + 1;
        continue;
      }
      if (inArray()) count++;
      if (key !== undefined && IMAGE_KEYS.has(key) && edit.image) {
        const value = JSON.parse(text.slice(i, end + 1)) as string;
        const next = edit.image(value);
        if (next !== undefined && next !== value)
          edits.push({ start: i, end: end + 1, text: JSON.stringify(next) });
      }
      key = undefined;
      i = end + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (inArray()) {
        count++;
        if (kind === 'layout' && c === OPEN_OBJECT)
          page = { open: i, index: count - 1, named: false, keys: 0 };
      }
      const isTarget =
        arrayStart < 0 &&
        c === OPEN_ARRAY &&
        (kind === 'layout' ? stack.length === 1 && key === 'pdf_info' : stack.length === 0);
      stack.push(c);
      if (isTarget) {
        arrayStart = i + 1;
        arrayDepth = stack.length;
      }
      key = undefined;
      i++;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      const open = stack.pop();
      if (open !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY)) return undefined;
      if (arrayStart >= 0 && arrayEnd < 0 && stack.length === arrayDepth - 1) arrayEnd = i;
      if (page && stack.length === arrayDepth) {
        // A page without page_idx is read by its position: after the join that is another page.
        if (!page.named)
          edits.push({
            start: page.open + 1,
            end: page.open + 1,
            text: `"page_idx":${page.index + edit.offset}${page.keys > 0 ? ',' : ''}`,
          });
        page = undefined;
      }
      key = undefined;
      i++;
      if (stack.length === 0) break;
      continue;
    }
    if (c === COMMA || c === COLON) {
      key = undefined;
      i++;
      continue;
    }
    // A number or a literal.
    let end = i;
    while (end < text.length) {
      const d = text.charCodeAt(end);
      if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
      end++;
    }
    if (inArray()) count++;
    if (key !== undefined && PAGE_KEYS.has(key) && edit.offset !== 0) {
      const token = text.slice(i, end);
      if (/^-?\d+$/.test(token)) edits.push({ start: i, end, text: String(Number(token) + edit.offset) });
    }
    key = undefined;
    i = end;
  }
  if (stack.length !== 0 || arrayStart < 0 || arrayEnd < 0) return undefined;
  if (skipSpace(text, i) !== text.length) return undefined;
  edits.sort((a, b) => a.start - b.start);
  const innerFrom = skipSpace(text, arrayStart);
  let innerTo = arrayEnd;
  while (innerTo > innerFrom && isSpace(text.charCodeAt(innerTo - 1))) innerTo--;
  return {
    head: applyEdits(text, 0, arrayStart, edits),
    inner: applyEdits(text, innerFrom, innerTo, edits),
    count,
    tail: applyEdits(text, arrayEnd, text.length, edits),
  };
}
