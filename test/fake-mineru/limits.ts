// The service's limits applied to the real bytes of a document: its size (-60005) and its pages
// after page_ranges (-60006), and the "Page k" marks that name a numbered PDF's pages in its result.
// Uploads are judged when the PUT lands (the task then fails from pending); URLs on a loopback host
// (with fake.readUrls on) are fetched at submit and answered there, as the keywords
// `toolarge` / `toomanypages` are.
import type { FakeContext } from './context';
import type { Failure, Task } from './model';
import { BusinessError, DEFAULT_LIMITS, ERR_MSG, isLoopbackHost } from './model';
import type { PdfFacts } from './pdfPages';
import { readPdfFacts, selectedPageList } from './pdfPages';
import type { FakeLimits } from './types';

/** What the real bytes say about a task: its pages after page_ranges and their marks. */
export interface DocPages {
  /** Pages the task parses (page_ranges applied to the real count). */
  pages: number;
  /** The "Page k" mark of each of those pages, in order; only for a numbered PDF. */
  marks?: number[];
}

function sizeText(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb}MB` : `${bytes} bytes`;
}

export function tooLargeMessage(limits: FakeLimits): string {
  return limits.maxBytes === DEFAULT_LIMITS.maxBytes
    ? ERR_MSG.tooLarge
    : `file size exceeds limit (${sizeText(limits.maxBytes)}), please split the file and try again`;
}

export function tooManyPagesMessage(limits: FakeLimits): string {
  return `number of pages exceeds limit (${limits.maxPages} pages), please split the file and try again`;
}

/** The task's pages from the PDF's facts; a numbered PDF's marks for the pages selected. */
export function docPages(facts: PdfFacts, pageRanges: string | undefined): DocPages {
  const selected = selectedPageList(pageRanges, facts.pages);
  const numbered = facts.marks.some((m) => m !== undefined);
  const r: DocPages = { pages: selected.length };
  if (numbered) r.marks = selected.map((p) => facts.marks[p - 1] ?? p);
  return r;
}

/** Takes over what the bytes say: a numbered PDF's page count and marks (others keep their keywords). */
export function applyDocPages(t: Task, pages: DocPages): void {
  if (!pages.marks) return;
  t.pages = pages.pages;
  t.pageMarks = pages.marks;
}

/** The failure an uploaded file meets once its bytes have landed, if any (size, then pages). */
export function uploadFailure(
  ctx: FakeContext,
  t: Task,
  bytes: number,
  pages: DocPages | undefined,
): Failure | undefined {
  if (t.kind === 'agent') return undefined; // the agent API keeps its own limits (upload.ts)
  if (bytes > ctx.limits.maxBytes) {
    return { from: 'pending', errMsg: tooLargeMessage(ctx.limits), errCode: -60005 };
  }
  if (pages && pages.pages > ctx.limits.maxPages) {
    return { from: 'pending', errMsg: tooManyPagesMessage(ctx.limits), errCode: -60006 };
  }
  return undefined;
}

async function fetchCapped(url: string, cap: number): Promise<{ bytes: Buffer; total: number } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok || !res.body) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total <= cap) chunks.push(Buffer.from(chunk));
    }
    return { bytes: Buffer.concat(chunks), total };
  } catch {
    return undefined;
  }
}

/**
 * A URL document's pages, read at submit when fake.readUrls is on and the URL is on a loopback
 * host (a test's own server; the fake never fetches the internet). Throws -60005 / -60006 as the service answers; undefined
 * when the URL is elsewhere, unreachable or not a PDF (the keywords decide then).
 */
export async function urlDocPages(
  ctx: FakeContext,
  url: string,
  pageRanges: string | undefined,
): Promise<DocPages | undefined> {
  if (!ctx.readUrls) return undefined;
  let host: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    host = u.hostname;
  } catch {
    return undefined;
  }
  if (!isLoopbackHost(host)) return undefined;
  const got = await fetchCapped(url, ctx.limits.maxBytes);
  if (!got) return undefined;
  if (got.total > ctx.limits.maxBytes) throw new BusinessError(-60005, tooLargeMessage(ctx.limits));
  const facts = await readPdfFacts(got.bytes);
  if (!facts) return undefined;
  const pages = docPages(facts, pageRanges);
  if (pages.pages > ctx.limits.maxPages) throw new BusinessError(-60006, tooManyPagesMessage(ctx.limits));
  return pages;
}
