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
const SLICE = 256 * 1024;

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
 * The scan's state between two slices. The loop lives in a plain method, not in the async
 * function: locals that live across an await are slow to reach, and a slice must stay short.
 */
class Scanner {
  readonly stack: number[] = [];
  readonly edits: Edit[] = [];
  i = 0;
  /** The array whose elements are merged: the top-level array, or the top object's `pdf_info`. */
  arrayStart = -1;
  arrayEnd = -1;
  arrayDepth = -1;
  /** Commas seen directly in that array. */
  commas = 0;
  key: string | undefined;
  /** A page of `pdf_info` (layout): where its object opens and whether it names its page. */
  page: { open: number; index: number; named: boolean; keys: number } | undefined;
  failed = false;
  done = false;

  constructor(
    readonly text: string,
    readonly kind: PartJsonKind,
    readonly edit: PartJsonEdit,
  ) {}

  /** Scans up to `limit` (or a little past it, to the end of a token). */
  run(limit: number): void {
    const { text, stack } = this;
    const end = Math.min(limit, text.length);
    let i = this.i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const close = stringEnd(text, i);
        if (close < 0) return this.fail();
        const after = skipSpace(text, close + 1);
        if (text.charCodeAt(after) === COLON && stack[stack.length - 1] === OPEN_OBJECT) {
          const raw = text.slice(i + 1, close);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(i, close + 1)) as string) : raw;
          this.key = key;
          const page = this.page;
          if (page && stack.length === this.arrayDepth + 1) {
            page.keys++;
            if (key === 'page_idx') page.named = true;
          }
          i = after + 1;
          if (PAGE_KEYS.has(key)) i = this.pageNumber(i);
          continue;
        }
        const key = this.key;
        if (key !== undefined && IMAGE_KEYS.has(key) && this.edit.image) {
          const value = JSON.parse(text.slice(i, close + 1)) as string;
          const next = this.edit.image(value);
          if (next !== undefined && next !== value)
            this.edits.push({ start: i, end: close + 1, text: JSON.stringify(next) });
        }
        this.key = undefined;
        i = close + 1;
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (this.kind === 'layout' && c === OPEN_OBJECT && this.inArray())
          this.page = { open: i, index: this.commas, named: false, keys: 0 };
        const isTarget =
          this.arrayStart < 0 &&
          c === OPEN_ARRAY &&
          (this.kind === 'layout' ? stack.length === 1 && this.key === 'pdf_info' : stack.length === 0);
        stack.push(c);
        if (isTarget) {
          this.arrayStart = i + 1;
          this.arrayDepth = stack.length;
        }
        this.key = undefined;
        i++;
        continue;
      }
      if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        const open = stack.pop();
        if (open !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY)) return this.fail();
        if (this.arrayStart >= 0 && this.arrayEnd < 0 && stack.length === this.arrayDepth - 1)
          this.arrayEnd = i;
        const page = this.page;
        if (page && stack.length === this.arrayDepth) {
          // A page without page_idx is read by its position: after the join that is another page.
          if (!page.named)
            this.edits.push({
              start: page.open + 1,
              end: page.open + 1,
              text: `"page_idx":${page.index + this.edit.offset}${page.keys > 0 ? ',' : ''}`,
            });
          this.page = undefined;
        }
        this.key = undefined;
        i++;
        if (stack.length === 0) {
          this.i = i;
          this.done = true;
          return;
        }
        continue;
      }
      if (c === COMMA) {
        if (this.inArray()) this.commas++;
        this.key = undefined;
      }
      // White space, colons, numbers and literals need nothing.
      i++;
    }
    this.i = i;
    if (i >= text.length) this.done = true;
  }

  private inArray(): boolean {
    return this.arrayStart >= 0 && this.arrayEnd < 0 && this.stack.length === this.arrayDepth;
  }

  /** The number after a page key's colon at `from`, rebased; returns where scanning goes on. */
  private pageNumber(from: number): number {
    const { text } = this;
    const start = skipSpace(text, from);
    const c = text.charCodeAt(start);
    // Not a number (a string, an object …): scanned as any value.
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) return start;
    let end = start;
    while (end < text.length) {
      const d = text.charCodeAt(end);
      if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
      end++;
    }
    const token = text.slice(start, end);
    if (this.edit.offset !== 0 && /^-?\d+$/.test(token))
      this.edits.push({ start, end, text: String(Number(token) + this.edit.offset) });
    this.key = undefined;
    return end;
  }

  private fail(): void {
    this.failed = true;
    this.done = true;
  }
}

/**
 * Scans one part's JSON of `kind`, rebasing its page numbers and image paths. Undefined when the
 * text is not JSON of the expected shape (the merge then keeps the file as it is, per part).
 */
export async function scanPartJson(
  text: string,
  kind: PartJsonKind,
  edit: PartJsonEdit,
): Promise<ScannedPartJson | undefined> {
  const s = new Scanner(text, kind, edit);
  s.i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  const first = text.charCodeAt(s.i);
  if (kind === 'layout' ? first !== OPEN_OBJECT : first !== OPEN_ARRAY) return undefined;
  for (;;) {
    s.run(s.i + SLICE);
    if (s.done) break;
    await yieldNow();
    if (edit.signal?.aborted) throw abortReason(edit.signal);
  }
  if (s.failed || s.stack.length !== 0 || s.arrayStart < 0 || s.arrayEnd < 0) return undefined;
  if (skipSpace(text, s.i) !== text.length) return undefined;
  const edits = s.edits.sort((a, b) => a.start - b.start);
  const innerFrom = skipSpace(text, s.arrayStart);
  let innerTo = s.arrayEnd;
  while (innerTo > innerFrom && isSpace(text.charCodeAt(innerTo - 1))) innerTo--;
  return {
    head: applyEdits(text, 0, s.arrayStart, edits),
    inner: applyEdits(text, innerFrom, innerTo, edits),
    count: innerTo > innerFrom ? s.commas + 1 : 0,
    tail: applyEdits(text, s.arrayEnd, text.length, edits),
  };
}
