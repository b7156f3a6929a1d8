import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_EXTENSIONS } from '../api/types';

/** Used when nothing readable is left of a name. */
export const FALLBACK_NAME = 'document';

/**
 * Hard cap on a sanitised name in UTF-8 bytes, whatever `maxLength` says. Most file systems allow 255
 * bytes per path component (ext4, APFS); 200 leaves room for " (9999)" and ".docx". A name of 120 CJK
 * characters would otherwise be 360 bytes and fail on Linux.
 */
export const MAX_NAME_BYTES = 200;

/** `maxLength` below this is raised to it, so a reserved-name suffix always fits. */
const MIN_LENGTH = 8;

/** Extensions stripped from the last segment of a URL. Others (e.g. arXiv ids "2401.12345") are kept. */
const URL_EXTENSIONS = new Set<string>([
  ...SUPPORTED_EXTENSIONS,
  '.htm',
  '.jp2',
  '.webp',
  '.gif',
  '.bmp',
  '.tif',
  '.tiff',
  '.xls',
  '.xlsx',
  '.md',
  '.txt',
  '.zip',
]);

/**
 * Windows device names; reserved even with an extension ("con.txt") or trailing spaces ("CON .md").
 * Superscript digits count as digits for COM/LPT on Windows.
 */
const RESERVED = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(?= *(?:\.|$))/i;

/** Characters invalid in Windows names, plus both separators. */
const FORBIDDEN = /[<>:"/\\|?*]/g;
/** C0 and C1 control characters. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidi embedding/override/isolate controls: they can disguise a name ("fdp.exe" shown as "exe.pdf"). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Unpaired UTF-16 surrogates are not valid file names on most systems. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Printable ASCII: every character is one grapheme, no segmenter needed. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

// Made on first use: creating one loads ICU's break rules (9–18 ms measured), which module load
// (activation) and names in plain ASCII never need.
let segmenter: Intl.Segmenter | null | undefined;

/** Splits into user-perceived characters where the runtime can, otherwise into code points. */
function graphemes(text: string): string[] {
  if (PRINTABLE_ASCII.test(text)) return text.split('');
  segmenter ??= typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined) : null;
  if (segmenter) return Array.from(segmenter.segment(text), (s) => s.segment);
  return Array.from(text);
}

/** Cuts at a character boundary so that the result fits both limits; never splits a surrogate pair. */
function cut(text: string, maxUnits: number, maxBytes: number): string {
  if (text.length <= maxUnits && Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const g of graphemes(text)) {
    const b = Buffer.byteLength(g, 'utf8');
    if (out.length + g.length > maxUnits || bytes + b > maxBytes) break;
    out += g;
    bytes += b;
  }
  return out;
}

/** Leading/trailing dots and white space: Windows drops trailing ones, a leading dot hides the folder. */
function trimEdges(text: string): string {
  return text.replace(/^[.\s]+/u, '').replace(/[.\s]+$/u, '');
}

/**
 * A safe, readable file or folder base name for Windows, macOS and Linux. It keeps letters of every
 * script (CJK, RTL, emoji) and only removes what a file system would reject or misread:
 * separators and `<>:"/\|?*` become `_`, controls and bidi overrides are dropped, white space runs
 * become one space, leading/trailing dots and spaces go, Windows device names get a `_` suffix
 * ("CON" → "CON_", "nul.txt" → "nul_.txt"), and the result is cut to `maxLength` UTF-16 units and
 * {@link MAX_NAME_BYTES} UTF-8 bytes. Never empty, "." or ".."; idempotent. Extensions are not
 * stripped here (that would not be idempotent); see {@link documentNameFromUrl}.
 */
export function sanitizeName(name: string, maxLength = 120): string {
  const limit = Math.max(MIN_LENGTH, Math.floor(Number.isFinite(maxLength) ? maxLength : 120));
  let text = String(name).replace(LONE_SURROGATE, '').normalize('NFC');
  text = text
    .replace(/[\t\n\r\f\v]/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI_CONTROL, '')
    .replace(FORBIDDEN, '_')
    .replace(/\s+/gu, ' ');
  text = trimEdges(text);
  text = trimEdges(cut(text, limit, MAX_NAME_BYTES));
  if (text === '') text = FALLBACK_NAME;
  const reserved = RESERVED.exec(text);
  if (reserved) {
    // Insert the suffix right after the device name, then re-cut only the remainder.
    const stem = reserved[0] + '_';
    const rest = text.slice(reserved[0].length);
    text = trimEdges(stem + cut(rest, limit - stem.length, MAX_NAME_BYTES - Buffer.byteLength(stem)));
  }
  return text;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Decode what can be decoded; leave malformed escapes as they are.
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * The document name for a URL: the last path segment, percent-decoded, without a known document
 * extension ("…/%E6%8A%A5%E5%91%8A.pdf?x=1" → "报告"). Falls back to the host name, then "document".
 */
export function documentNameFromUrl(url: string): string {
  let segment = '';
  let host = '';
  try {
    const parsed = new URL(url.trim());
    host = parsed.hostname;
    const parts = parsed.pathname.split('/').filter((p) => p !== '');
    segment = parts.length > 0 ? safeDecode(parts[parts.length - 1]!) : '';
  } catch {
    segment = safeDecode(url.trim().split(/[?#]/)[0]!.split(/[/\\]/).pop() ?? '');
  }
  const ext = path.extname(segment).toLowerCase();
  if (URL_EXTENSIONS.has(ext)) segment = segment.slice(0, -ext.length);
  if (trimEdges(segment) === '') segment = host;
  return sanitizeName(segment);
}

/** The document name for a local file: its base name (either separator) without the last extension. */
export function documentNameFromFile(filePath: string): string {
  const base = filePath.split(/[/\\]/).pop() ?? '';
  const ext = path.extname(base);
  const stem = ext && ext !== base ? base.slice(0, -ext.length) : base;
  return sanitizeName(stem);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * The first of `name`, `name (2)`, `name (3)` … that does not exist in `parentDir` (files count too).
 * Only picks the path; the caller creates it. The check uses the file system, so a case-insensitive
 * volume also treats "Report" and "report" as taken.
 */
export async function uniqueFolder(parentDir: string, baseName: string): Promise<string> {
  const base = sanitizeName(baseName);
  for (let n = 1; n < 100_000; n++) {
    const candidate = path.join(parentDir, n === 1 ? base : `${base} (${n})`);
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`No free folder name for "${base}" in ${parentDir}.`);
}
