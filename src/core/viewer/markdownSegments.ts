/**
 * Cuts a MinerU Markdown into the units its writer emits (it joins blocks with a blank line):
 * paragraphs, single heading lines, fenced code, `$$` display maths, HTML tables and `<details>`
 * that may hold blank lines. Each unit carries the keys it can be matched by (see keys.ts).
 */
import { KeyTable } from './intern';
import { codeKey, headingText, htmlKey, imageKey, mathKey, textKey } from './keys';

export type SegmentKind = 'heading' | 'paragraph' | 'code' | 'equation' | 'html';

export interface Segment {
  /** 0-based first and last line (inclusive). */
  start: number;
  end: number;
  kind: SegmentKind;
  /** Every key of the unit: its text, its maths/code/table body, each image it shows. */
  keys: string[];
}

const FENCE = /^\s{0,3}(```+|~~~+)/;
const HEADING = /^\s{0,3}#{1,6}(\s|$)/;
const IMAGE_MD = /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^"']*["'])?\s*\)/g;
const IMAGE_HTML = /<img\b[^>]*?\ssrc\s*=\s*["']([^"']+)["']/gi;

const BLANK = /^\s*$/;

/** Only whitespace (as `\s`): a char scan for ASCII, the RegExp only past it. */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    return c < 128 ? false : BLANK.test(line);
  }
  return true;
}

/** The first character that is not a space or tab ('' for none): cheap gate for the line tests. */
function lead(line: string): string {
  const c = line.charCodeAt(0);
  return c === 32 || c === 9 ? line.trimStart().charAt(0) : line.charAt(0);
}

/** Whether a line may start a unit of its own (heading or code fence) inside a paragraph. */
function breaksParagraph(line: string): boolean {
  const c = lead(line);
  return (c === '#' && HEADING.test(line)) || ((c === '`' || c === '~') && FENCE.test(line));
}

/** The image paths a text shows (Markdown images and HTML `<img src>`). */
export function imagePaths(text: string): string[] {
  const out: string[] = [];
  if (text.includes('![')) for (const m of text.matchAll(IMAGE_MD)) if (m[1]) out.push(m[1]);
  if (text.includes('<img')) for (const m of text.matchAll(IMAGE_HTML)) if (m[1]) out.push(m[1]);
  return out;
}

/**
 * The units of a Markdown with their keys as ids (`intern` gives each distinct key string one id),
 * in flat arrays: the matcher's form. Unit `u` spans lines start[u]…end[u]; its keys are
 * keyFlat[keyStart[u] … keyStart[u + 1]). `tId` is the id of its `t:` key (paragraphs, HTML), `hId`
 * of its `h:` key (headings), `htmlId` of its table key, `imgId` of its first image's key, each -1
 * when none; `raw` is the text its `t:`/`h:` key was made from and `imgRaw` its first image's path
 * as written, so that a block with the very same text can be given the unit's id without building
 * its own key.
 */
export interface SegmentTable {
  count: number;
  start: number[];
  end: number[];
  kind: SegmentKind[];
  keyStart: number[];
  keyFlat: number[];
  tId: number[];
  hId: number[];
  htmlId: number[];
  imgId: number[];
  raw: string[];
  imgRaw: string[];
}

/** Cuts `markdown` into units, interning every key (see SegmentTable). */
export function segmentTable(markdown: string, intern: (key: string) => number): SegmentTable {
  // A string split is much cheaper than a RegExp one; \r\n files take the RegExp.
  const lines = markdown.includes('\r') ? markdown.split(/\r?\n/) : markdown.split('\n');
  const t: SegmentTable = {
    count: 0,
    start: [],
    end: [],
    kind: [],
    keyStart: [0],
    keyFlat: [],
    tId: [],
    hId: [],
    htmlId: [],
    imgId: [],
    raw: [],
    imgRaw: [],
  };
  const push = (k: string | undefined): number => {
    if (k === undefined) return -1;
    const id = intern(k);
    t.keyFlat.push(id);
    return id;
  };
  const emit = (start: number, end: number, kind: SegmentKind): void => {
    const text = start === end ? (lines[start] ?? '') : lines.slice(start, end + 1).join('\n');
    let tId = -1;
    let hId = -1;
    let htmlId = -1;
    let raw = '';
    if (kind === 'heading') {
      raw = headingText(text);
      hId = push(textKey('h', raw));
    } else if (kind === 'code') {
      push(codeKey(text));
    } else if (kind === 'equation') {
      push(mathKey(text));
    } else {
      if (text.includes('<') && /<table\b/i.test(text)) htmlId = push(htmlKey(text));
      raw = text;
      tId = push(textKey('t', text));
    }
    let imgId = -1;
    let imgRaw = '';
    for (const p of imagePaths(text)) {
      const id = push(imageKey(p));
      if (imgId < 0 && id >= 0) {
        imgId = id;
        imgRaw = p;
      }
    }
    t.start.push(start);
    t.end.push(end);
    t.kind.push(kind);
    t.keyStart.push(t.keyFlat.length);
    t.tId.push(tId);
    t.hId.push(hId);
    t.htmlId.push(htmlId);
    t.imgId.push(imgId);
    t.raw.push(raw);
    t.imgRaw.push(imgRaw);
    t.count++;
  };
  let i = 0;
  const n = lines.length;
  while (i < n) {
    const line = lines[i] ?? '';
    if (isBlank(line)) {
      i++;
      continue;
    }
    const start = i;
    const first = lead(line);
    const fence = first === '`' || first === '~' ? FENCE.exec(line) : null;
    if (fence?.[1]) {
      const mark = fence[1];
      i++;
      while (i < n && !(lines[i] ?? '').trim().startsWith(mark)) i++;
      const end = Math.min(i, n - 1);
      emit(start, end, 'code');
      i = end + 1;
      continue;
    }
    const trimmed = first === '$' || first === '<' ? line.trim() : '';
    if (trimmed.startsWith('$$') && !(trimmed.length > 2 && trimmed.endsWith('$$'))) {
      i++;
      while (i < n && !(lines[i] ?? '').trim().endsWith('$$')) i++;
      const end = Math.min(i, n - 1);
      emit(start, end, 'equation');
      i = end + 1;
      continue;
    }
    if (trimmed.startsWith('$$') && trimmed.length > 4 && trimmed.endsWith('$$')) {
      emit(start, start, 'equation');
      i++;
      continue;
    }
    const open = first === '<' ? /^<(details|table|html)\b/i.exec(trimmed) : null;
    if (open?.[1]) {
      const close = open[1].toLowerCase() === 'details' ? '</details>' : '</table>';
      while (i < n && !(lines[i] ?? '').toLowerCase().includes(close)) i++;
      const end = Math.min(i, n - 1);
      // The rest of the paragraph (e.g. `</body></html>` on the next line) belongs to it.
      let last = end;
      while (last + 1 < n && !isBlank(lines[last + 1] ?? '') && !HEADING.test(lines[last + 1] ?? '')) last++;
      emit(start, last, 'html');
      i = last + 1;
      continue;
    }
    if (first === '#' && HEADING.test(line)) {
      emit(start, start, 'heading');
      i++;
      continue;
    }
    while (i + 1 < n && !isBlank(lines[i + 1] ?? '') && !breaksParagraph(lines[i + 1] ?? '')) i++;
    emit(start, i, 'paragraph');
    i++;
  }
  return t;
}

/** Splits Markdown text into segments, each with its key strings. */
export function segmentMarkdown(markdown: string): Segment[] {
  const ids = new KeyTable();
  const t = segmentTable(markdown, (k) => ids.intern(k));
  const out: Segment[] = [];
  for (let u = 0; u < t.count; u++)
    out.push({
      start: t.start[u] as number,
      end: t.end[u] as number,
      kind: t.kind[u] as SegmentKind,
      keys: t.keyFlat.slice(t.keyStart[u], t.keyStart[u + 1]).map((id) => ids.key(id) as string),
    });
  return out;
}
