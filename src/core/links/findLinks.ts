import { SUPPORTED_EXTENSIONS } from '../api/types';

/** A document link found in text. `start`/`end` are UTF-16 offsets of the link as written. */
export interface FoundLink {
  /** The link, parsed and serialised by WHATWG URL (always http: or https:). */
  url: string;
  start: number;
  end: number;
  /** Whether the extension is one the service parses (SUPPORTED_EXTENSIONS). */
  supported: boolean;
  /** Lower-case, with the dot (".pdf"), when the path (or a query value) has one. */
  extension?: string;
}

export interface FindLinksOptions {
  /** Stop after this many distinct links (default 10,000). */
  maxLinks?: number;
}

export const DEFAULT_MAX_LINKS = 10_000;
/** Longer candidates are cut here; keeps every scan bounded whatever the input. */
const MAX_URL_LENGTH = 8192;

// Design: find every "http://" / "https://" with one simple regex, then scan forward by hand from
// there, choosing the terminator from the context just before the scheme (Markdown destination,
// <autolink>, quoted attribute, bare text). Every character is visited a bounded number of times,
// and no regex here can backtrack catastrophically, so a 10 MB text is scanned in linear time.
const SCHEME = /https?:\/\//gi;

/** Characters that end a URL in any context. */
const HARD_STOP = new Set([' ', '\t', '\n', '\r', '\f', '\v', '<', '>', '"', '`', '\u00a0', '\u3000']);
/** CJK punctuation that follows a URL in Chinese/Japanese text without a space. */
const CJK_STOP = new Set([...'，。、；：！？）】》」』〉“”‘’（【《「『〈…']);
/** Trimmed from the end of a bare URL ("see https://x.pdf." → no dot). */
const TRAILING_PUNCT = new Set([...'.,;:!?\'"*']);
const CLOSERS = new Set([')', ']', '}']);

const WHITE = /\s/;
function isWhite(ch: string): boolean {
  return WHITE.test(ch);
}

/** Drops trailing punctuation; a closing bracket stays when it balances one inside the URL. Linear. */
function trimTrailing(candidate: string): string {
  const balance: Record<string, number> = { ')': 0, ']': 0, '}': 0 };
  for (const ch of candidate) {
    if (ch in balance) balance[ch]!++;
    else if (ch === '(') balance[')']!--;
    else if (ch === '[') balance[']']!--;
    else if (ch === '{') balance['}']!--;
  }
  let end = candidate.length;
  while (end > 0) {
    const last = candidate.charAt(end - 1);
    if (TRAILING_PUNCT.has(last)) {
      end--;
    } else if (CLOSERS.has(last) && balance[last]! > 0) {
      balance[last]!--;
      end--;
    } else {
      break;
    }
  }
  return candidate.slice(0, end);
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(amp|#0*38|#x0*26);/gi, '&');
}

interface Raw {
  text: string;
  start: number;
  end: number;
  /** Where the scan stopped (past trimmed punctuation); later matches before it are skipped. */
  scanned: number;
}

/** Scans the end of a URL that starts at `i`; returns the raw candidate and where the scan stopped. */
function scanAt(text: string, i: number): Raw {
  const limit = Math.min(text.length, i + MAX_URL_LENGTH);
  const prev = i > 0 ? text.charAt(i - 1) : '';
  // Markdown destination: "](" (optionally with spaces) right before the scheme.
  let k = i - 1;
  while (k >= 0 && (text.charAt(k) === ' ' || text.charAt(k) === '\t')) k--;
  const markdownDest = k >= 1 && text.charAt(k) === '(' && text.charAt(k - 1) === ']';

  if (prev === '<') {
    // <https://…> autolink, or [t](<https://…>) where CommonMark allows spaces.
    const angleDest = i >= 3 && text.charAt(i - 2) === '(' && text.charAt(i - 3) === ']';
    let j = i;
    while (j < limit) {
      const ch = text.charAt(j);
      if (angleDest ? ch === '>' || ch === '<' || ch === '\n' || ch === '\r' : HARD_STOP.has(ch)) break;
      j++;
    }
    if (text.charAt(j) === '>') return { text: text.slice(i, j), start: i, end: j, scanned: j };
    return bare(text, i, limit);
  }
  if (prev === '"' || prev === "'") {
    // href="…", src='…'
    let j = i;
    while (j < limit && text.charAt(j) !== prev && !HARD_STOP.has(text.charAt(j)) && !isWhite(text.charAt(j)))
      j++;
    if (text.charAt(j) === prev)
      return { text: decodeEntities(text.slice(i, j)), start: i, end: j, scanned: j };
    return bare(text, i, limit);
  }
  if (markdownDest) {
    // [t](url "title"): ends at white space or at the ")" that closes the link; inner () balance.
    let depth = 0;
    let j = i;
    for (; j < limit; j++) {
      const ch = text.charAt(j);
      if (HARD_STOP.has(ch) || isWhite(ch)) break;
      if (ch === '(') depth++;
      else if (ch === ')') {
        if (depth === 0) break;
        depth--;
      }
    }
    return { text: text.slice(i, j), start: i, end: j, scanned: j };
  }
  return bare(text, i, limit);
}

function bare(text: string, i: number, limit: number): Raw {
  let j = i;
  while (j < limit) {
    const ch = text.charAt(j);
    if (HARD_STOP.has(ch) || CJK_STOP.has(ch) || isWhite(ch)) break;
    j++;
  }
  const trimmed = trimTrailing(text.slice(i, j));
  return { text: trimmed, start: i, end: i + trimmed.length, scanned: j };
}

/** The lower-case extension of a path segment (".pdf"), if it has a short alphanumeric one. */
function extensionOf(segment: string): string | undefined {
  const dot = segment.lastIndexOf('.');
  if (dot <= 0 || dot === segment.length - 1) return undefined;
  const ext = segment.slice(dot).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The extension of a URL, from the last path segment ("a.pdf?download=1" → ".pdf"). When the path
 * has no supported one, a query value naming a supported file counts ("dl?file=x.pdf" → ".pdf").
 */
export function urlExtension(url: URL): { extension?: string; supported: boolean } {
  const last = url.pathname.split('/').pop() ?? '';
  const ext = extensionOf(safeDecode(last));
  if (ext && SUPPORTED_EXTENSIONS.includes(ext)) return { extension: ext, supported: true };
  for (const value of url.searchParams.values()) {
    const q = extensionOf(value.split(/[/\\]/).pop() ?? '');
    if (q && SUPPORTED_EXTENSIONS.includes(q)) return { extension: q, supported: true };
  }
  return ext ? { extension: ext, supported: false } : { supported: false };
}

function toFound(raw: Raw): FoundLink | undefined {
  if (raw.text.length <= 'https://'.length) return undefined;
  let url: URL;
  try {
    url = new URL(raw.text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  const { extension, supported } = urlExtension(url);
  const found: FoundLink = { url: url.href, start: raw.start, end: raw.end, supported };
  if (extension !== undefined) found.extension = extension;
  return found;
}

/** Every http(s) link in order, duplicates included; stops when `visit` returns false. */
function scanLinks(text: string, visit: (link: FoundLink) => boolean): void {
  const re = new RegExp(SCHEME.source, SCHEME.flags);
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const i = m.index;
    if (i < consumed) continue; // inside a link already seen (e.g. ?u=https://… in a query)
    const before = i > 0 ? text.charAt(i - 1) : '';
    if (/[A-Za-z0-9+.-]/.test(before)) continue; // "xhttps://" is not a link start
    const raw = scanAt(text, i);
    consumed = Math.max(raw.scanned, i + m[0].length);
    re.lastIndex = consumed;
    const found = toFound(raw);
    if (found && !visit(found)) return;
  }
}

/**
 * Finds http(s) document links in text: Markdown links and images (`[t](url "title")`), autolinks
 * (`<https://…>`), HTML `href`/`src` attributes and bare URLs. Other schemes (javascript:, file:,
 * data:, mailto:) are never returned. Trailing punctuation is trimmed, balanced brackets are kept
 * (Wikipedia-style "…/Foo_(bar)"), and a URL seen before is skipped (first occurrence wins).
 */
export function findDocumentLinks(text: string, opts: FindLinksOptions = {}): FoundLink[] {
  const max = Math.max(0, opts.maxLinks ?? DEFAULT_MAX_LINKS);
  const seen = new Set<string>();
  const out: FoundLink[] = [];
  if (max === 0) return out;
  scanLinks(text, (link) => {
    if (seen.has(link.url)) return true;
    seen.add(link.url);
    out.push(link);
    return out.length < max;
  });
  return out;
}

/** The link under `offset` (a cursor position: from its first character to just after its last). */
export function linkAt(text: string, offset: number): FoundLink | undefined {
  if (!Number.isInteger(offset) || offset < 0 || offset > text.length) return undefined;
  // Links never span a line break: scan only the line, bounded around the cursor for huge lines.
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd === -1) lineEnd = text.length;
  const from = Math.max(lineStart, offset - MAX_URL_LENGTH * 2);
  const to = Math.min(lineEnd, offset + MAX_URL_LENGTH * 2);
  let hit: FoundLink | undefined;
  scanLinks(text.slice(from, to), (link) => {
    const start = link.start + from;
    const end = link.end + from;
    if (start > offset) return false;
    if (offset <= end) {
      hit = { ...link, start, end };
      if (offset < end) return false; // prefer a link the cursor is inside over one it just follows
    }
    return true;
  });
  return hit;
}
