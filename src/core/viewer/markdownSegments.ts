/**
 * Cuts a MinerU Markdown into the units its writer emits (it joins blocks with a blank line):
 * paragraphs, single heading lines, fenced code, `$$` display maths, HTML tables and `<details>`
 * that may hold blank lines. Each unit carries the keys it can be matched by (see keys.ts).
 */
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

function isBlank(line: string): boolean {
  return line.length === 0 || BLANK.test(line);
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

function keysOf(kind: SegmentKind, text: string): string[] {
  const keys: string[] = [];
  const push = (k: string | undefined): void => {
    if (k !== undefined) keys.push(k);
  };
  if (kind === 'heading') {
    push(textKey('h', headingText(text)));
  } else if (kind === 'code') {
    push(codeKey(text));
  } else if (kind === 'equation') {
    push(mathKey(text));
  } else {
    if (text.includes('<') && /<table\b/i.test(text)) push(htmlKey(text));
    push(textKey('t', text));
  }
  for (const p of imagePaths(text)) push(imageKey(p));
  return keys;
}

/** Splits Markdown text into segments; `lines` are the text's lines (\n or \r\n). */
export function segmentMarkdown(markdown: string): Segment[] {
  // A string split is much cheaper than a RegExp one; \r\n files take the RegExp.
  const lines = markdown.includes('\r') ? markdown.split(/\r?\n/) : markdown.split('\n');
  const out: Segment[] = [];
  let i = 0;
  const n = lines.length;
  const emit = (start: number, end: number, kind: SegmentKind): void => {
    const text = start === end ? (lines[start] ?? '') : lines.slice(start, end + 1).join('\n');
    out.push({ start, end, kind, keys: keysOf(kind, text) });
  };
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
  return out;
}
