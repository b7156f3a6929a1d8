// The fake's internal model: the service's wording and limits, tasks and batches, the two error
// kinds a route throws, and small parsing helpers.
import { randomBytes } from 'node:crypto';
import type { FakeTaskView } from './types';

// ---------------------------------------------------------------------------------------------
// Constants: messages as the real service words them (guide §3.2)
// ---------------------------------------------------------------------------------------------

export const FAKE_UID = 'fake-uid';

export const ERR_MSG = {
  parseFailed: 'parsing failed, please try again later',
  readFailed: 'failed to read file, please check if the file is corrupted and try uploading again',
  readTimeout: 'file read timeout, please check if the url is accessible',
  emptyFile: 'the file is empty, please check the file and upload again',
  notFound: 'task not found or expire',
  param: 'request parameter error',
  format:
    'the file format cannot be recognised, please make sure the file name or url has a correct extension',
  tooLarge: 'file size exceeds limit (200MB), please split the file and try again',
  tooManyPages: 'number of pages exceeds limit (600 pages), please split the file and try again',
  agentTooLarge: 'file size exceeds limit (10MB)',
  agentType: 'unsupported file type',
  agentPages: 'number of pages exceeds limit (20 pages)',
  agentParam: 'invalid parameter',
} as const;

export const SUPPORTED_EXT = new Set([
  'pdf',
  'doc',
  'docx',
  'ppt',
  'pptx',
  'png',
  'jpg',
  'jpeg',
  'jp2',
  'webp',
  'gif',
  'bmp',
  'html',
  'htm',
  'xls',
  'xlsx',
]);
export const AGENT_EXT = new Set([
  'pdf',
  'png',
  'jpg',
  'jpeg',
  'jp2',
  'webp',
  'gif',
  'bmp',
  'docx',
  'pptx',
  'xls',
  'xlsx',
]);
export const MODEL_VERSIONS = new Set(['pipeline', 'vlm', 'MinerU-HTML']);
export const EXTRA_FORMATS = new Set(['docx', 'html', 'latex']);
export const PAGE_RANGES_RE = /^\s*(-?\d+(--?\d+)?)(\s*,\s*-?\d+(--?\d+)?)*\s*$/;
export const AGENT_PAGE_RANGE_RE = /^\s*\d+(\s*-\s*\d+)?\s*$/;
export const SEED_RE = /^[A-Za-z0-9_]{1,64}$/;
export const AGENT_MAX_BYTES = 10 * 1024 * 1024;
export const AGENT_MAX_PAGES = 20;
/** The precise API's limits (fake.limits starts with these). */
export const DEFAULT_LIMITS = { maxPages: 600, maxBytes: 200 * 1024 * 1024 } as const;
export const MAX_JSON_BODY = 10 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

export interface Failure {
  /** The state from which the task fails. */
  from: 'pending' | 'running';
  errMsg: string;
  errCode?: number;
}

/** A task as the fake keeps it: what tests see (FakeTaskView), plus the fake's own bookkeeping. */
export interface Task extends Omit<FakeTaskView, 'fullZipUrl' | 'markdownUrl'> {
  owner: string;
  slowSteps: number;
  failure?: Failure;
  startTime?: string;
  innerUuid: string;
  zipId?: string;
  zipDate: string;
  zipExpired: boolean;
  mdId?: string;
  uploadKey?: string;
  callback?: { url: string; seed: string };
  callbackSent: boolean;
  /** A numbered PDF's "Page k" marks, one per page parsed (its result names these pages). */
  pageMarks?: number[];
}

export interface Batch {
  id: string;
  owner: string;
  taskIds: string[];
  polls: number;
  callback?: { url: string; seed: string };
  callbackSent: boolean;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export class BusinessError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(msg);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export function traceId(): string {
  return randomBytes(16).toString('hex');
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function dateStamp(d = new Date()): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export function timeStamp(d = new Date()): string {
  return `${dateStamp(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BusinessError(-10002, `${ERR_MSG.param}: ${key} must be a string`);
  return v;
}

export function optBool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new BusinessError(-10002, `${ERR_MSG.param}: ${key} must be a boolean`);
  return v;
}

/** The last path segment of a URL, percent-decoded (how the service names URL documents). */
export function fileNameFromUrl(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split(/[?#]/)[0] ?? url;
  }
  const last =
    path
      .split('/')
      .filter((s) => s.length > 0)
      .pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  return m?.[1]?.toLowerCase() ?? '';
}

export function stripExtension(name: string): string {
  return name.replace(/\.[A-Za-z0-9]+$/, '') || name;
}

/** Number of pages selected by a page_ranges expression (negative numbers count from the end). */
export function selectedPages(ranges: string | undefined, total: number): number {
  if (!ranges) return total;
  const pages = new Set<number>();
  const resolve = (n: number): number => (n < 0 ? total + n + 1 : n);
  for (const part of ranges.split(',')) {
    const m = /^\s*(-?\d+)(?:-(-?\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = resolve(Number(m[1]));
    const b = m[2] === undefined ? a : resolve(Number(m[2]));
    for (let p = Math.max(1, a); p <= Math.min(total, b); p++) pages.add(p);
  }
  return pages.size > 0 ? pages.size : total;
}

export interface CommonOptions {
  modelVersion: string;
  extraFormats: string[];
  language?: string;
  callback?: { url: string; seed: string };
}

export interface DocInput {
  source: 'url' | 'upload';
  url?: string;
  name: string;
  dataId?: string;
  isOcr: boolean;
  pageRanges?: string;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
