/**
 * The form fields of a self-hosted MinerU server's `POST /tasks` (mineru-api 3.x), from a task's
 * options. The cloud's options map onto it: `isOcr` → `parse_method=ocr`, `enableFormula` and
 * `enableTable` → `formula_enable`/`table_enable`, `language` → `lang_list`, a page range → the
 * 0-based `start_page_id`/`end_page_id`, `modelVersion` → `backend` when no backend is chosen.
 * Options the server does not have (extra formats, callback, seed, cache) are not sent.
 */
import type { ParseOptions } from '../../api/types';
import { MinerUError } from '../../errors';
import { parsePageRanges, type PageRange } from '../../options/pageRanges';

export const SELF_HOSTED_BACKENDS = [
  'hybrid-engine',
  'pipeline',
  'vlm-engine',
  'hybrid-http-client',
  'vlm-http-client',
] as const;
export const SELF_HOSTED_EFFORTS = ['medium', 'high'] as const;
export const SELF_HOSTED_PARSE_METHODS = ['auto', 'txt', 'ocr'] as const;

/** Whether a backend calls a remote OpenAI-compatible server (and so needs `server_url`). */
export function isHttpClientBackend(backend: string | undefined): boolean {
  return backend !== undefined && backend.endsWith('-http-client');
}

/** One field of the multipart form, in the order it is sent. */
export type FormField = readonly [name: string, value: string];

/**
 * The fields of every server task a document needs: one per contiguous piece of its page range
 * (`1-3,7` is two tasks), in page order; one task without a range.
 */
export function formFieldsPerPiece(options: ParseOptions): FormField[][] {
  const windows = pageWindows(options.pageRanges);
  if (!windows) return [formFields(options)];
  return windows.map((w) => formFields({ ...options, pageRanges: undefined }, w));
}

/**
 * The fields for one task of `options` (or of one page window of it). What comes back is always a
 * zip with the Markdown, its images and the content list, as the cloud's result.
 */
export function formFields(options: ParseOptions, window?: { start: number; end: number }): FormField[] {
  const fields: FormField[] = [];
  const s = options.selfHosted ?? {};
  const backend = s.backend ?? backendOfModel(options.modelVersion);
  if (backend) fields.push(['backend', backend]);
  if (s.effort) fields.push(['effort', s.effort]);
  const parseMethod = s.parseMethod ?? (options.isOcr ? 'ocr' : undefined);
  if (parseMethod) fields.push(['parse_method', parseMethod]);
  if (options.language) fields.push(['lang_list', options.language]);
  if (options.enableFormula !== undefined) fields.push(['formula_enable', String(options.enableFormula)]);
  if (options.enableTable !== undefined) fields.push(['table_enable', String(options.enableTable)]);
  if (s.imageAnalysis !== undefined) fields.push(['image_analysis', String(s.imageAnalysis)]);
  if (s.serverUrl && isHttpClientBackend(backend)) fields.push(['server_url', s.serverUrl]);
  const range = window ?? pageWindow(options.pageRanges);
  if (range) {
    fields.push(['start_page_id', String(range.start)]);
    fields.push(['end_page_id', String(range.end)]);
  }
  fields.push(
    ['return_md', 'true'],
    ['return_content_list', 'true'],
    ['return_middle_json', 'true'],
    ['return_images', 'true'],
    ['response_format_zip', 'true'],
  );
  return fields;
}

/** The cloud's model names in the server's terms; MinerU-HTML has no counterpart (server default). */
function backendOfModel(model: ParseOptions['modelVersion']): string | undefined {
  if (model === 'pipeline') return 'pipeline';
  if (model === 'vlm') return 'vlm-engine';
  return undefined;
}

/** The 0-based page window of a page-range option of one contiguous piece. */
export function pageWindow(pageRanges: string | undefined): { start: number; end: number } | undefined {
  if (!pageRanges) return undefined;
  const windows = pageWindows(pageRanges);
  if (!windows) return undefined;
  if (windows.length !== 1) throw new Error(`"${pageRanges}" is ${windows.length} pieces: use pageWindows`);
  return windows[0];
}

/**
 * The 0-based page windows of a page-range option, one per contiguous piece, in page order. Only
 * the last piece may run to the end ("7--1"); other negative numbers are refused.
 */
export function pageWindows(pageRanges: string | undefined): { start: number; end: number }[] | undefined {
  if (!pageRanges) return undefined;
  const parsed = parsePageRanges(pageRanges);
  if (!parsed.ok) return undefined;
  const pieces = contiguousPieces(parsed.ranges);
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    if (piece.from < 0 || piece.to < -1 || (piece.to === -1 && !last)) throw multiRangeError(pageRanges);
    return { start: piece.from - 1, end: piece.to === -1 ? 99_999 : piece.to - 1 };
  });
}

/** Ranges merged where they touch: "1-3,4-5,7" → 1-5 and 7. */
export function contiguousPieces(ranges: readonly PageRange[]): PageRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: PageRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.to >= 0 && r.from >= 0 && r.from <= last.to + 1)
      last.to = r.to < 0 ? r.to : Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

function multiRangeError(pageRanges: string): MinerUError {
  return new MinerUError({
    phase: 'validate',
    code: 'SELF_HOSTED_PAGE_RANGE',
    message: `A self-hosted server counts pages from the start; "${pageRanges}" counts from the end`,
    reason: 'selfHosted.pageRange',
    params: { ranges: pageRanges },
    hint: 'Use page numbers such as "1-20,25", and "5--1" only for the last piece (page 5 to the end)',
    retryable: false,
  });
}
