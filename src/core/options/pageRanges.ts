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

/** What is wrong with one part of page ranges; the glue words it (src/vscode/pageRangeText.ts). */
export type PagePartProblem =
  | { kind: 'zero' }
  | { kind: 'tooLarge'; digits: string }
  | { kind: 'emptyPart' }
  | { kind: 'notRange'; text: string }
  | { kind: 'reversed'; text: string; from: number; to: number };

/**
 * Why page ranges were refused: `empty`, `tooLong`, `part` (precise API), `agentEmpty`, `commas`,
 * `fromEnd` (with `text`), `agentPart`, `agentReversed` (quick API). `message` is the English text.
 */
export type PageRangesProblem =
  | { problem: 'empty' | 'tooLong' | 'agentEmpty' | 'commas' }
  | { problem: 'fromEnd'; text: string }
  | { problem: 'part' | 'agentPart'; part: PagePartProblem }
  | { problem: 'agentReversed'; part: Extract<PagePartProblem, { kind: 'reversed' }> };

export type PageRangesResult =
  | { ok: true; normalized: string; ranges: PageRange[] }
  | ({ ok: false; message: string } & PageRangesProblem);

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

function toPage(sign: string, digits: string): number | PagePartProblem {
  const value = Number(digits);
  if (value === 0) return { kind: 'zero' };
  if (value > MAX_PAGE_NUMBER) return { kind: 'tooLarge', digits };
  return sign === '-' ? -value : value;
}

/** The English text of a part's problem. */
export function partProblemText(part: PagePartProblem): string {
  switch (part.kind) {
    case 'zero':
      return 'page 0 does not exist (pages start at 1; -1 is the last page)';
    case 'tooLarge':
      return `${part.digits} is too large a page number`;
    case 'emptyPart':
      return 'there is an empty part between commas';
    case 'notRange':
      return `"${part.text}" is not a page or a range`;
    case 'reversed':
      return `"${part.text}" is reversed; write ${part.to}-${part.from}`;
  }
}

function parsePart(part: string): PageRange | PagePartProblem {
  const text = part.replace(/\s+/g, ' ').trim();
  if (text === '') return { kind: 'emptyPart' };
  const m = PART.exec(text);
  if (!m) return { kind: 'notRange', text };
  const from = toPage(m[1]!, m[2]!);
  if (typeof from !== 'number') return from;
  if (m[4] === undefined) return { from, to: from };
  const to = toPage(m[3]!, m[4]);
  if (typeof to !== 'number') return to;
  // Only same-sign ranges can be checked without knowing the page count.
  if (from > 0 && to > 0 && from > to) return { kind: 'reversed', text, from, to };
  if (from < 0 && to < 0 && from > to) return { kind: 'reversed', text, from, to };
  return { from, to };
}

/** The English text of a refusal (what the user reads, through the glue, in English). */
export function pageRangesProblemText(p: PageRangesProblem): string {
  switch (p.problem) {
    case 'empty':
      return `No pages given. Enter pages, ${PRECISE_EXAMPLE}.`;
    case 'tooLong':
      return `Page ranges are too long. Enter pages, ${PRECISE_EXAMPLE}.`;
    case 'part':
      return `Invalid page ranges: ${partProblemText(p.part)}. Use ${PRECISE_EXAMPLE}.`;
    case 'agentEmpty':
      return `No pages given. Enter one page or one range, ${AGENT_EXAMPLE}.`;
    case 'commas':
      return `The quick API takes one page or one range, without commas: use ${AGENT_EXAMPLE}, or the precise API for several ranges.`;
    case 'fromEnd':
      return `The quick API cannot count pages from the end: use ${AGENT_EXAMPLE}, or the precise API for "${p.text}".`;
    case 'agentPart':
      return `Invalid page range: ${partProblemText(p.part)}. Use ${AGENT_EXAMPLE}.`;
    case 'agentReversed':
      return `Invalid page range: ${partProblemText(p.part)}.`;
  }
}

function refused(p: PageRangesProblem): PageRangesResult {
  return { ok: false, message: pageRangesProblemText(p), ...p };
}

/**
 * Parses `page_ranges` for the precise API. White space, full-width digits/commas and dash
 * look-alikes are accepted; the normalized form ("2,4-6,-3--1") re-parses to the same ranges.
 * Empty input is an error: callers leave the option out instead.
 */
export function parsePageRanges(input: string): PageRangesResult {
  const text = normalizeTypography(String(input)).trim();
  if (text === '') return refused({ problem: 'empty' });
  if (text.length > 2000) return refused({ problem: 'tooLong' });
  const ranges: PageRange[] = [];
  for (const part of text.split(',')) {
    const parsed = parsePart(part);
    if ('kind' in parsed) return refused({ problem: 'part', part: parsed });
    ranges.push(parsed);
  }
  return { ok: true, normalized: ranges.map(formatRange).join(','), ranges };
}

/** Parses `page_range` for the agent (quick) API: one page `N` or one range `N-M`, from 1. */
export function parseAgentPageRange(input: string): PageRangesResult {
  const text = normalizeTypography(String(input)).trim();
  if (text === '') return refused({ problem: 'agentEmpty' });
  if (text.includes(',')) return refused({ problem: 'commas' });
  const m = /^(\d+)(?: *- *(\d+))?$/.exec(text);
  if (!m) {
    const fromEnd = /^-|- *-/.test(text);
    return fromEnd
      ? refused({ problem: 'fromEnd', text })
      : refused({ problem: 'agentPart', part: { kind: 'notRange', text } });
  }
  const from = toPage('', m[1]!);
  const to = m[2] === undefined ? from : toPage('', m[2]);
  if (typeof from !== 'number') return refused({ problem: 'agentPart', part: from });
  if (typeof to !== 'number') return refused({ problem: 'agentPart', part: to });
  if (from > to) return refused({ problem: 'agentReversed', part: { kind: 'reversed', text, from, to } });
  const range = { from, to };
  return { ok: true, normalized: formatRange(range), ranges: [range] };
}
