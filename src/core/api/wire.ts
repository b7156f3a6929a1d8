/**
 * camelCase options → snake_case request bodies. Only options that are set are sent: the client
 * never assumes the service's defaults. Placement follows the real service (guide §2.1–§2.4):
 * single tasks carry everything at top level; batch and file-urls requests carry `is_ocr`,
 * `page_ranges`, `data_id` and `url`/`name` per file and the rest at top level; file-urls requests
 * never carry `no_cache`/`cache_tolerance`.
 */
import type { AgentOptions, FileDocument, ParseOptions, UrlDocument } from './types';

export type WireBody = Record<string, unknown>;

function put(body: WireBody, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    body[key] = [...(value as unknown[])];
    return;
  }
  body[key] = value;
}

/** Options that always go to the top level of any precision request. */
function sharedTopLevel(options: ParseOptions, withCache: boolean): WireBody {
  const body: WireBody = {};
  put(body, 'model_version', options.modelVersion);
  put(body, 'enable_formula', options.enableFormula);
  put(body, 'enable_table', options.enableTable);
  put(body, 'language', options.language);
  put(body, 'extra_formats', options.extraFormats);
  put(body, 'callback', options.callback);
  put(body, 'seed', options.seed);
  if (withCache) {
    put(body, 'no_cache', options.noCache);
    put(body, 'cache_tolerance', options.cacheTolerance);
  }
  return body;
}

/** `POST /extract/task`. Per-document values win over the submission-wide ones. */
export function singleTaskBody(doc: UrlDocument, options: ParseOptions): WireBody {
  const body: WireBody = { url: doc.url };
  Object.assign(body, sharedTopLevel(options, true));
  put(body, 'is_ocr', doc.isOcr ?? options.isOcr);
  put(body, 'data_id', doc.dataId);
  put(body, 'page_ranges', doc.pageRanges ?? options.pageRanges);
  return body;
}

function perFile(head: WireBody, doc: UrlDocument | FileDocument, options: ParseOptions): WireBody {
  const item: WireBody = { ...head };
  put(item, 'is_ocr', doc.isOcr ?? options.isOcr);
  put(item, 'data_id', doc.dataId);
  put(item, 'page_ranges', doc.pageRanges ?? options.pageRanges);
  return item;
}

/** `POST /extract/task/batch`. */
export function batchBody(docs: readonly UrlDocument[], options: ParseOptions): WireBody {
  return {
    files: docs.map((doc) => perFile({ url: doc.url }, doc, options)),
    ...sharedTopLevel(options, true),
  };
}

/** `POST /file-urls/batch`: like a batch, but with names and without the URL cache options. */
export function fileUrlsBody(files: readonly FileDocument[], options: ParseOptions): WireBody {
  return {
    files: files.map((file) => perFile({ name: file.name }, file, options)),
    ...sharedTopLevel(options, false),
  };
}

/** Agent (quick) API: `POST /parse/url` and `POST /parse/file`. */
export function agentBody(head: WireBody, options: AgentOptions): WireBody {
  const body: WireBody = { ...head };
  if (!('file_name' in body)) put(body, 'file_name', options.fileName);
  put(body, 'language', options.language);
  put(body, 'page_range', options.pageRange);
  put(body, 'enable_table', options.enableTable);
  put(body, 'is_ocr', options.isOcr);
  put(body, 'enable_formula', options.enableFormula);
  return body;
}
