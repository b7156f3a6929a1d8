/**
 * Page-range options. The precise API takes `page_ranges` such as "2,4-6" (pages 2, 4, 5, 6) or
 * "2--2" (page 2 to the second-to-last page; negative numbers count from the end). The agent (quick)
 * API takes `page_range` as `N` or `N-M` only.
 */

/** One range; negative numbers count from the end (-1 is the last page). `from === to` is one page. */
export interface PageRange {
  from: number;
  to: number;
}

export type PageRangesResult =
  { ok: true; normalized: string; ranges: PageRange[] } | { ok: false; message: string };

/** Page numbers above this are refused (the service's page limits are far lower). */
export const MAX_PAGE_NUMBER = 100_000;

const PRECISE_EXAMPLE =
  'for example "2,4-6" (pages 2, 4, 5 and 6) or "2--2" (page 2 to the second-to-last page)';
const AGENT_EXAMPLE = 'for example "5" or "1-10"';

/** Full-width digits, commas and the dash look-alikes typed by IMEs and word processors. */
function normalizeTypography(input: string): string {
  return input
    .replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\uff0c\u3001]/g, ',')
    .replace(/[\u2010-\u2015\u2212\ufe63\uff0d]/g, '-');
}

/** `-?digits`, white space allowed between the sign and the number and around the dash. */
const PART = /^(-?) *(\d+) *(?:- *(-?) *(\d+))?$/;

function formatRange(range: PageRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

function toPage(sign: string, digits: string): number | string {
  const value = Number(digits);
  if (value === 0) return 'page 0 does not exist (pages start at 1; -1 is the last page)';
  if (value > MAX_PAGE_NUMBER) return `${digits} is too large a page number`;
  return sign === '-' ? -value : value;
}

function parsePart(part: string): PageRange | string {
  const text = part.replace(/\s+/g, ' ').trim();
  if (text === '') return 'there is an empty part between commas';
  const m = PART.exec(text);
  if (!m) return `"${text}" is not a page or a range`;
  const from = toPage(m[1]!, m[2]!);
  if (typeof from === 'string') return from;
  if (m[4] === undefined) return { from, to: from };
  const to = toPage(m[3]!, m[4]);
  if (typeof to === 'string') return to;
  // Only same-sign ranges can be checked without knowing the page count.
  if (from > 0 && to > 0 && from > to) return `"${text}" is reversed; write ${to}-${from}`;
  if (from < 0 && to < 0 && from > to) return `"${text}" is reversed; write ${to}-${from}`;
  return { from, to };
}

/**
 * Parses `page_ranges` for the precise API. White space, full-width digits/commas and dash
 * look-alikes are accepted; the normalized form ("2,4-6,-3--1") re-parses to the same ranges.
 * Empty input is an error: callers leave the option out instead.
 */
export function parsePageRanges(input: string): PageRangesResult {
  const text = normalizeTypography(String(input)).trim();
  if (text === '') return { ok: false, message: `No pages given. Enter pages, ${PRECISE_EXAMPLE}.` };
  if (text.length > 2000)
    return { ok: false, message: `Page ranges are too long. Enter pages, ${PRECISE_EXAMPLE}.` };
  const ranges: PageRange[] = [];
  for (const part of text.split(',')) {
    const parsed = parsePart(part);
    if (typeof parsed === 'string') {
      return { ok: false, message: `Invalid page ranges: ${parsed}. Use ${PRECISE_EXAMPLE}.` };
    }
    ranges.push(parsed);
  }
  return { ok: true, normalized: ranges.map(formatRange).join(','), ranges };
}

/** Parses `page_range` for the agent (quick) API: one page `N` or one range `N-M`, from 1. */
export function parseAgentPageRange(input: string): PageRangesResult {
  const text = normalizeTypography(String(input)).trim();
  if (text === '')
    return { ok: false, message: `No pages given. Enter one page or one range, ${AGENT_EXAMPLE}.` };
  if (text.includes(',')) {
    return {
      ok: false,
      message: `The quick API takes one page or one range, without commas: use ${AGENT_EXAMPLE}, or the precise API for several ranges.`,
    };
  }
  const m = /^(\d+)(?: *- *(\d+))?$/.exec(text);
  if (!m) {
    const fromEnd = /^-|- *-/.test(text);
    return {
      ok: false,
      message: fromEnd
        ? `The quick API cannot count pages from the end: use ${AGENT_EXAMPLE}, or the precise API for "${text}".`
        : `Invalid page range: "${text}" is not a page or a range. Use ${AGENT_EXAMPLE}.`,
    };
  }
  const from = toPage('', m[1]!);
  const to = m[2] === undefined ? from : toPage('', m[2]);
  if (typeof from === 'string')
    return { ok: false, message: `Invalid page range: ${from}. Use ${AGENT_EXAMPLE}.` };
  if (typeof to === 'string')
    return { ok: false, message: `Invalid page range: ${to}. Use ${AGENT_EXAMPLE}.` };
  if (from > to)
    return { ok: false, message: `Invalid page range: "${text}" is reversed; write ${to}-${from}.` };
  const range = { from, to };
  return { ok: true, normalized: formatRange(range), ranges: [range] };
}
