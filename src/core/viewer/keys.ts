/**
 * Match keys: what a content_list block and a Markdown unit must share to be the same thing.
 * A key is a prefix (its kind) and a normalised body: `h:` heading text, `t:` paragraph text,
 * `e:` display maths, `c:` code, `tb:` table HTML, `i:` an image path. Normalising forgives what
 * differs between the two files without changing meaning: Unicode width forms (NFKC), Markdown
 * backslash escapes, line breaks and runs of spaces, letter case; maths and tables ignore all
 * whitespace.
 */
import type { ContentBlock } from './contentList';
import { stripMathDelimiters } from './contentList';

/** Anything but printable ASCII, or two spaces in a row. */
const NEEDS_FOLDING = /[^\x20-\x7e]| {2}/;

/** Paragraph-like text: NFKC, no `\` escapes, no `<br>`, single spaces, lower case. */
export function normalizeText(s: string): string {
  return normalizeWithPrefix('', s);
}

/**
 * `prefix` + the normalised text, built as one flat string (lower-casing last copies the whole
 * once, instead of a concatenation that hashing would flatten again).
 */
function normalizeWithPrefix(prefix: string, s: string): string {
  // Fast path, one char scan: printable ASCII with no `\`, no `<`, no run of spaces and no space
  // at either end (most Markdown) is its own normal form but for the case.
  if (isPlain(s)) return (prefix + s).toLowerCase();
  const plain = !NEEDS_FOLDING.test(s);
  let t = plain ? s : s.normalize('NFKC');
  if (t.includes('\\')) t = t.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  if (t.includes('<')) t = t.replace(/<br\s*\/?>/gi, ' ');
  t = plain && !t.includes('  ') ? t.trim() : t.replace(/\s+/g, ' ').trim();
  return (prefix + t).toLowerCase();
}

function isPlain(s: string): boolean {
  let space = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (space) return false;
      space = true;
    } else if (c < 32 || c > 126 || c === 92 || c === 60) return false;
    else space = false;
  }
  return !space || s.length === 0;
}

/** A key of kind `prefix` for a text, or undefined when the text is empty once normalised. */
export function textKey(prefix: 'h' | 't', text: string): string | undefined {
  const k = normalizeWithPrefix(`${prefix}:`, text);
  return k.length === 2 ? undefined : k;
}

/** The text of a heading line (`## Title ##` → `Title`). */
export function headingText(line: string): string {
  return line
    .trim()
    .replace(/^#{1,6}\s*/, '')
    .replace(/\s+#+\s*$/, '');
}

export function mathKey(text: string): string | undefined {
  const n = stripMathDelimiters(text).normalize('NFKC').replace(/\s+/g, '');
  return n === '' ? undefined : `e:${n}`;
}

/** Code without its fence lines; each line's trailing spaces dropped. */
export function codeKey(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && /^\s*(```|~~~)/.test(lines[0] ?? '')) lines.shift();
  if (lines.length > 0 && /^\s*(```|~~~)\s*$/.test(lines[lines.length - 1] ?? '')) lines.pop();
  const n = lines
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
  return n === '' ? undefined : `c:${n}`;
}

export function htmlKey(html: string): string | undefined {
  const n = html
    .normalize('NFKC')
    .replace(/<\/?(html|body)\b[^>]*>/gi, '')
    .replace(/\s+/g, '')
    .toLowerCase();
  return n === '' ? undefined : `tb:${n}`;
}

/** An image path as linked (`./images/a.jpg`, `images/a%20b.jpg` → `images/a b.jpg`). */
export function imageKey(path: string): string | undefined {
  let p = path.trim().replace(/^<|>$/g, '');
  try {
    p = decodeURI(p);
  } catch {
    // keep it as written
  }
  p = p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return p === '' ? undefined : `i:${p}`;
}

/** The keys a block may be found by, best first; empty when it cannot be (no content). */
export function blockKeys(b: ContentBlock): string[] {
  const keys: (string | undefined)[] = [];
  const img = b.imgPath !== undefined ? imageKey(b.imgPath) : undefined;
  switch (b.kind) {
    case 'heading': {
      const h = textKey('h', b.text ?? '');
      keys.push(h, h === undefined ? undefined : `t:${h.slice(2)}`);
      break;
    }
    case 'text':
    case 'unknown':
      keys.push(textKey('t', b.text ?? ''));
      break;
    case 'list':
      keys.push(textKey('t', (b.listItems ?? []).join(' ')), b.text ? textKey('t', b.text) : undefined);
      break;
    case 'equation':
      keys.push(mathKey(b.latex ?? ''), img);
      break;
    case 'image':
    case 'chart':
      keys.push(img);
      break;
    case 'table':
      keys.push(b.tableBody !== undefined ? htmlKey(b.tableBody) : undefined, img);
      break;
    case 'code':
      keys.push(codeKey(b.codeBody ?? ''));
      break;
    case 'discarded':
      break;
  }
  const out: string[] = [];
  for (const k of keys) if (k !== undefined) out.push(k);
  return out;
}
