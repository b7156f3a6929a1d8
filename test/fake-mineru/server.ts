/**
 * The fake MinerU service used by every test, the benchmark and the `npm start` sandbox.
 *
 * Two HTTP servers on two ports (= two origins, like mineru.net and its OSS/CDN):
 *  - api: `/api/v4/...` (token) and `/api/v1/agent/...` (no token);
 *  - cdn: presigned upload PUTs (`/upload/<key>`), result zips (`/cdn/<date>/<uuid>.zip`) and agent
 *    Markdown (`/cdn/md/<id>.md`).
 * Behaviour follows ../../../shared/guides/mineru-api.md (§8 is the checklist). Documents are steered
 * by keywords in their URL or name (see KEYWORDS below) and failures are injected through
 * `fake.faults`.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { agentMarkdown, resultEntries } from './content';
import type { ZipEntry } from './zip';
import { SYMLINK_MODE, bombEntry, memEntry, paddingEntry, planZip } from './zip';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface FakeMinerUOptions {
  host?: string;
  apiPort?: number;
  cdnPort?: number;
  tokens?: string[];
  expiredTokens?: string[];
  acceptAnyToken?: boolean;
  /**
   * How tasks move through their states:
   * - 'timed' (default): one step every `stepMs`, whether or not anyone polls (like the real
   *   service), so a client's polling can be measured against it;
   * - 'manual': only `fake.advanceAll()` moves them (deterministic tests);
   * - 'per-poll': every status query covering a task answers, then moves it one step. Poll counts
   *   then follow from the fake itself: a test that uses it says why at the call site.
   */
  progress?: 'timed' | 'manual' | 'per-poll';
  /** Step interval of 'timed' progress (default 300 ms). */
  stepMs?: number;
  pages?: number;
  batchLimit?: number;
  callbackLoopbackOnly?: true;
}

export interface RecordedRequest {
  time: number;
  server: 'api' | 'cdn';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body?: unknown;
  bodyBytes: number;
}

/** A fault that applies to the next `count` requests whose path matches `route` (a regexp). */
export interface RouteFault {
  /** Regular expression tested against the request path (no query). Omitted = every request. */
  route?: string;
  /** Decremented each time the fault fires; 0 = spent. */
  count: number;
}

export interface FailFault extends RouteFault {
  status: number;
  /** Response body; default: an nginx-style HTML error page. */
  body?: string;
  /** Default 'text/html' (or application/json when the body looks like JSON). */
  contentType?: string;
  /** Sets `Retry-After` (seconds). */
  retryAfter?: number;
  headers?: Record<string, string>;
}

export interface DropFault extends RouteFault {
  /** How many body bytes to send before destroying the socket (default: half the body). */
  afterBytes?: number;
}

export interface BusinessErrorFault extends RouteFault {
  code: number | string;
  msg?: string;
}

export interface FakeFaults {
  /** HTTP errors (5xx storms, 429 + Retry-After, HTML error pages, malformed JSON with status 200). */
  failNext?: FailFault | FailFault[];
  /** Accept the request (and read its body), never answer. */
  hangNext?: RouteFault | RouteFault[];
  /** Send the headers and part of the body, then destroy the socket. */
  dropNext?: DropFault | DropFault[];
  /**
   * Result zips only: send the headers and the first `afterBytes` of the body (default half), then
   * nothing more. The connection stays open, a transfer stalled mid-body, until the client gives up
   * or close() ends it.
   */
  stallNext?: DropFault | DropFault[];
  /** HTTP 200 with a business error envelope (e.g. -60009, -60018, -10001). API routes only. */
  businessErrorNext?: BusinessErrorFault | BusinessErrorFault[];
  /** Send `code` as the string "0" (and error codes as strings). */
  codeAsString?: boolean;
  /** While true, the first poll of every batch returns `extract_result: []`. */
  emptyExtractResultOnce?: boolean;
  /** The next zip download answers 403 AccessDenied; the URL stays dead until the task is polled again. */
  cdnExpiredOnce?: boolean;
  /** Like cdnExpiredOnce, for this many downloads. */
  cdnExpiredCount?: number;
  /**
   * Zip downloads on the CDN server answer 302 to this URL. An origin alone (e.g. `fake.apiOrigin`,
   * which also serves `/cdn/...` without auth) keeps the original path and query plus
   * `redirected=1`, which is never redirected again.
   */
  cdnRedirectTo?: string;
  /** Add hostile entries: `../evil.txt`, `/abs.txt`, `C:\win.txt`, `images/../../x`. */
  zipSlip?: boolean;
  /** Add an entry `images/link.jpg` with a unix symlink mode pointing at `/etc/passwd`. */
  zipSymlink?: boolean;
  /** Add an incompressible `<uuid>_pad.bin` of this many bytes (streamed, never held in memory). */
  zipPadBytes?: number;
  /** Add `bomb.bin`: deflated zeros, true = 512 MiB uncompressed, or the given size in bytes. */
  zipBomb?: boolean | number;
  /** Echo file_name with a CJK, server-style prefix (`<ms>_<rand>_图片_<name>`); data_id as sent. */
  cjkNames?: boolean;
  /** Upload PUTs answer 403 AccessDenied "Request has expired". */
  uploadExpired?: boolean;
}

export type FakeTaskKind = 'task' | 'batch-item' | 'agent';
export type FakeState =
  'waiting-file' | 'uploading' | 'pending' | 'running' | 'converting' | 'done' | 'failed';

export interface FakeTaskView {
  id: string;
  kind: FakeTaskKind;
  batchId?: string;
  index: number;
  state: FakeState;
  source: 'url' | 'upload';
  url?: string;
  name: string;
  fileName: string;
  dataId?: string;
  modelVersion: string;
  extraFormats: string[];
  isOcr: boolean;
  pageRanges?: string;
  language?: string;
  pages: number;
  extractedPages: number;
  errMsg: string;
  errCode?: number;
  fullZipUrl?: string;
  markdownUrl?: string;
  uploadUrl?: string;
  uploadedBytes?: number;
  polls: number;
}

export interface CallbackAttempt {
  time: number;
  url: string;
  attempt: number;
  status?: number;
  error?: string;
  body: { checksum: string; content: string };
}

export interface FakeMinerU {
  apiOrigin: string;
  apiBaseUrl: string;
  agentBaseUrl: string;
  cdnOrigin: string;
  token: string;
  /** The uid that enters callback checksums: sha256(uid + seed + content). */
  uid: string;
  requests: RecordedRequest[];
  callbacks: CallbackAttempt[];
  faults: FakeFaults;
  tasks(): FakeTaskView[];
  advanceAll(): void;
  reset(): void;
  close(): Promise<void>;
}

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

const SUPPORTED_EXT = new Set([
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
const AGENT_EXT = new Set([
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
const MODEL_VERSIONS = new Set(['pipeline', 'vlm', 'MinerU-HTML']);
const EXTRA_FORMATS = new Set(['docx', 'html', 'latex']);
const PAGE_RANGES_RE = /^\s*(-?\d+(--?\d+)?)(\s*,\s*-?\d+(--?\d+)?)*\s*$/;
const AGENT_PAGE_RANGE_RE = /^\s*\d+(\s*-\s*\d+)?\s*$/;
const SEED_RE = /^[A-Za-z0-9_]{1,64}$/;
const AGENT_MAX_BYTES = 10 * 1024 * 1024;
const AGENT_MAX_PAGES = 20;
const UPLOAD_MAX_BYTES = 200 * 1024 * 1024;
const MAX_JSON_BODY = 10 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

interface Failure {
  /** The state from which the task fails. */
  from: 'pending' | 'running';
  errMsg: string;
  errCode?: number;
}

interface Task {
  id: string;
  kind: FakeTaskKind;
  batchId?: string;
  index: number;
  owner: string;
  source: 'url' | 'upload';
  url?: string;
  name: string;
  fileName: string;
  dataId?: string;
  modelVersion: string;
  extraFormats: string[];
  isOcr: boolean;
  pageRanges?: string;
  language?: string;
  state: FakeState;
  pages: number;
  extractedPages: number;
  slowSteps: number;
  failure?: Failure;
  errMsg: string;
  errCode?: number;
  startTime?: string;
  innerUuid: string;
  zipId?: string;
  zipDate: string;
  zipExpired: boolean;
  mdId?: string;
  uploadKey?: string;
  uploadUrl?: string;
  uploadedBytes?: number;
  polls: number;
  callback?: { url: string; seed: string };
  callbackSent: boolean;
}

interface Batch {
  id: string;
  owner: string;
  taskIds: string[];
  polls: number;
  callback?: { url: string; seed: string };
  callbackSent: boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

class BusinessError extends Error {
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

function traceId(): string {
  return randomBytes(16).toString('hex');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function dateStamp(d = new Date()): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

function timeStamp(d = new Date()): string {
  return `${dateStamp(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BusinessError(-10002, `${ERR_MSG.param}: ${key} must be a string`);
  return v;
}

function optBool(o: Record<string, unknown>, key: string): boolean | undefined {
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

function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  return m?.[1]?.toLowerCase() ?? '';
}

function stripExtension(name: string): string {
  return name.replace(/\.[A-Za-z0-9]+$/, '') || name;
}

/** Number of pages selected by a page_ranges expression (negative numbers count from the end). */
function selectedPages(ranges: string | undefined, total: number): number {
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

interface Keywords {
  pages?: number;
  slow: boolean;
  failure?: Failure;
  tooLarge: boolean;
  tooManyPages: boolean;
}

/**
 * Keywords in a URL or file name (case-insensitive) that steer the fake:
 * `fail`, `corrupt`, `unfetchable`, `pages-<N>`, `slow`, `toolarge`, `toomanypages`.
 */
function keywords(text: string): Keywords {
  const t = text.toLowerCase();
  const k: Keywords = {
    slow: t.includes('slow'),
    tooLarge: t.includes('toolarge'),
    tooManyPages: t.includes('toomanypages'),
  };
  const pm = /pages-(\d+)/.exec(t);
  if (pm?.[1]) k.pages = Math.max(1, Number(pm[1]));
  if (t.includes('corrupt')) k.failure = { from: 'pending', errMsg: ERR_MSG.readFailed, errCode: -60003 };
  else if (t.includes('unfetchable'))
    k.failure = { from: 'pending', errMsg: ERR_MSG.readTimeout, errCode: -60008 };
  else if (t.includes('fail')) k.failure = { from: 'running', errMsg: ERR_MSG.parseFailed, errCode: -60010 };
  return k;
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function ossXml(code: string, message: string, host: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
    `  <Code>${code}</Code>\n  <Message>${message}</Message>\n` +
    `  <RequestId>${randomBytes(12).toString('hex').toUpperCase()}</RequestId>\n` +
    `  <HostId>${host}</HostId>\n</Error>\n`
  );
}

function faultList<T extends RouteFault>(f: T | T[] | undefined): T[] {
  if (!f) return [];
  return Array.isArray(f) ? f : [f];
}

function takeFault<T extends RouteFault>(f: T | T[] | undefined, path: string): T | undefined {
  for (const entry of faultList(f)) {
    if (entry.count <= 0) continue;
    if (entry.route !== undefined && !new RegExp(entry.route).test(path)) continue;
    entry.count -= 1;
    return entry;
  }
  return undefined;
}

/** Waits until a response can take more data (or is gone), without leaking listeners. */
function drainOrClose(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function errorPage(status: number): string {
  const text = http.STATUS_CODES[status] ?? 'Error';
  return (
    `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export async function startFakeMinerU(options: FakeMinerUOptions = {}): Promise<FakeMinerU> {
  const host = options.host ?? '127.0.0.1';
  const tokens = options.tokens ?? ['test-token'];
  const expiredTokens = options.expiredTokens ?? [];
  const progressMode = options.progress ?? 'timed';
  const stepMs = options.stepMs ?? 300;
  const defaultPages = options.pages ?? 3;
  const batchLimit = options.batchLimit ?? 200;
  const signingKey = randomBytes(16);

  const requests: RecordedRequest[] = [];
  const callbacks: CallbackAttempt[] = [];
  const faults: FakeFaults = {};
  const tasks = new Map<string, Task>();
  const batches = new Map<string, Batch>();
  const zips = new Map<string, string>(); // zipId -> taskId
  const uploads = new Map<string, string>(); // upload key -> taskId
  const markdowns = new Map<string, string>(); // md id -> taskId
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  let apiOrigin = '';
  let cdnOrigin = '';

  // ---- state machine --------------------------------------------------------------------------

  /** The shared part of the two batch requests: a non-empty files[] of objects within the limit. */
  function readBatchBody(body: unknown): {
    files: Record<string, unknown>[];
    common: ReturnType<typeof parseCommon>;
  } {
    const b = requireRecord(body);
    const files: unknown = b.files;
    if (!Array.isArray(files) || files.length === 0) {
      throw new BusinessError(-10002, `${ERR_MSG.param}: files is required`);
    }
    if (files.length > batchLimit) {
      throw new BusinessError(
        -10002,
        `${ERR_MSG.param}: the number of files exceeds the limit (${batchLimit})`,
      );
    }
    const items = files.map((f: unknown) => {
      if (!isRecord(f)) throw new BusinessError(-10002, `${ERR_MSG.param}: files[] items must be objects`);
      return f;
    });
    return { files: items, common: parseCommon(b) };
  }

  function pagesStep(t: Task): number {
    return Math.max(1, Math.ceil(t.pages / 10));
  }

  function toTerminal(t: Task, state: 'done' | 'failed', failure?: Failure): void {
    t.state = state;
    if (state === 'failed' && failure) {
      t.errMsg = failure.errMsg;
      t.errCode = failure.errCode;
    }
    if (state === 'done') {
      if (t.kind === 'agent') {
        t.mdId = randomUUID();
        markdowns.set(t.mdId, t.id);
      } else {
        issueZip(t);
      }
    }
    onTerminal(t);
  }

  function issueZip(t: Task): void {
    if (t.zipId) zips.delete(t.zipId);
    t.zipId = randomUUID();
    t.zipDate = dateStamp();
    t.zipExpired = false;
    zips.set(t.zipId, t.id);
  }

  function step(t: Task): void {
    switch (t.state) {
      case 'waiting-file':
      case 'done':
      case 'failed':
        return;
      case 'uploading':
        t.state = 'pending';
        return;
      case 'pending':
        if (t.slowSteps > 0) {
          t.slowSteps -= 1;
          return;
        }
        if (t.failure?.from === 'pending') {
          toTerminal(t, 'failed', t.failure);
          return;
        }
        t.state = 'running';
        t.startTime = timeStamp();
        t.extractedPages = Math.min(t.pages, pagesStep(t));
        return;
      case 'running':
        if (t.failure) {
          toTerminal(t, 'failed', t.failure);
          return;
        }
        if (t.extractedPages < t.pages) {
          t.extractedPages = Math.min(t.pages, t.extractedPages + pagesStep(t));
          return;
        }
        if (t.extraFormats.length > 0 && t.modelVersion !== 'MinerU-HTML' && t.kind !== 'agent') {
          t.state = 'converting';
          return;
        }
        toTerminal(t, 'done');
        return;
      case 'converting':
        toTerminal(t, 'done');
        return;
    }
  }

  function advanceAll(): void {
    for (const t of [...tasks.values()]) step(t);
  }

  let ticker: NodeJS.Timeout | undefined;
  if (progressMode === 'timed') {
    ticker = setInterval(advanceAll, stepMs);
    ticker.unref();
  }

  // ---- wire views -----------------------------------------------------------------------------

  function code(c: number): number | string {
    return faults.codeAsString ? String(c) : c;
  }

  function envelope(data: unknown): Record<string, unknown> {
    return { code: code(0), msg: 'ok', trace_id: traceId(), data };
  }

  function businessEnvelope(c: number | string, msg: string): Record<string, unknown> {
    const value = typeof c === 'number' ? code(c) : c;
    return { code: value, msg, trace_id: traceId(), data: null };
  }

  function zipUrl(t: Task): string {
    return `${cdnOrigin}/cdn/${t.zipDate}/${t.zipId ?? ''}.zip`;
  }

  function progressView(t: Task): Record<string, unknown> {
    return {
      extracted_pages: t.extractedPages,
      total_pages: t.pages,
      start_time: t.startTime ?? timeStamp(),
    };
  }

  /** A done task whose zip link expired gets a fresh link when polled (like a re-signed CDN URL). */
  function refreshZip(t: Task): void {
    if (t.state === 'done' && t.zipExpired) issueZip(t);
  }

  function taskData(t: Task): Record<string, unknown> {
    refreshZip(t);
    const d: Record<string, unknown> = { task_id: t.id };
    if (t.dataId !== undefined) d.data_id = t.dataId;
    d.state = t.state;
    d.err_msg = t.state === 'failed' ? t.errMsg : '';
    if (t.state === 'running') d.extract_progress = progressView(t);
    if (t.state === 'done') d.full_zip_url = zipUrl(t);
    if (t.state === 'failed') d.model_version = t.modelVersion === 'vlm' ? 'vlm2.6.5' : t.modelVersion;
    return d;
  }

  function batchItemData(t: Task): Record<string, unknown> {
    refreshZip(t);
    const d: Record<string, unknown> = { file_name: t.fileName };
    if (t.dataId !== undefined) d.data_id = t.dataId;
    d.state = t.state;
    d.err_msg = t.state === 'failed' ? t.errMsg : '';
    if (t.state === 'running') d.extract_progress = progressView(t);
    if (t.state === 'done') d.full_zip_url = zipUrl(t);
    return d;
  }

  function batchData(b: Batch): Record<string, unknown> {
    const items = b.taskIds.map((id) => tasks.get(id)).filter((t): t is Task => t !== undefined);
    return { batch_id: b.id, extract_result: items.map(batchItemData) };
  }

  function agentData(t: Task): Record<string, unknown> {
    const d: Record<string, unknown> = { task_id: t.id, state: t.state };
    if (t.state === 'done' && t.mdId) d.markdown_url = `${cdnOrigin}/cdn/md/${t.mdId}.md`;
    d.err_msg = t.state === 'failed' ? t.errMsg : '';
    if (t.state === 'failed' && t.errCode !== undefined) d.err_code = t.errCode;
    if (t.state === 'running') d.extract_progress = progressView(t);
    return d;
  }

  function view(t: Task): FakeTaskView {
    const v: FakeTaskView = {
      id: t.id,
      kind: t.kind,
      index: t.index,
      state: t.state,
      source: t.source,
      name: t.name,
      fileName: t.fileName,
      modelVersion: t.modelVersion,
      extraFormats: [...t.extraFormats],
      isOcr: t.isOcr,
      pages: t.pages,
      extractedPages: t.extractedPages,
      errMsg: t.errMsg,
      polls: t.polls,
    };
    if (t.batchId !== undefined) v.batchId = t.batchId;
    if (t.url !== undefined) v.url = t.url;
    if (t.dataId !== undefined) v.dataId = t.dataId;
    if (t.pageRanges !== undefined) v.pageRanges = t.pageRanges;
    if (t.language !== undefined) v.language = t.language;
    if (t.errCode !== undefined) v.errCode = t.errCode;
    if (t.state === 'done' && t.zipId) v.fullZipUrl = zipUrl(t);
    if (t.state === 'done' && t.mdId) v.markdownUrl = `${cdnOrigin}/cdn/md/${t.mdId}.md`;
    if (t.uploadUrl !== undefined) v.uploadUrl = t.uploadUrl;
    if (t.uploadedBytes !== undefined) v.uploadedBytes = t.uploadedBytes;
    return v;
  }

  // ---- callbacks ------------------------------------------------------------------------------

  function onTerminal(t: Task): void {
    if (t.kind === 'task' && t.callback && !t.callbackSent) {
      t.callbackSent = true;
      sendCallback(t.callback, taskData(t));
    }
    if (t.kind === 'batch-item' && t.batchId) {
      const b = batches.get(t.batchId);
      if (!b || !b.callback || b.callbackSent) return;
      const all = b.taskIds.every((id) => {
        const s = tasks.get(id)?.state;
        return s === 'done' || s === 'failed';
      });
      if (all) {
        b.callbackSent = true;
        sendCallback(b.callback, batchData(b));
      }
    }
  }

  function sendCallback(cb: { url: string; seed: string }, data: Record<string, unknown>): void {
    let target: URL;
    try {
      target = new URL(cb.url);
    } catch {
      return;
    }
    // Safety: the fake never posts anywhere but this machine.
    if (!isLoopbackHost(target.hostname) || target.protocol !== 'http:') return;
    const content = JSON.stringify(data);
    const checksum = createHash('sha256')
      .update(FAKE_UID + cb.seed + content)
      .digest('hex');
    const body = { checksum, content };
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const attempt = (n: number): void => {
      const record: CallbackAttempt = { time: Date.now(), url: cb.url, attempt: n, body };
      callbacks.push(record);
      const retry = (): void => {
        if (n >= 6) return; // first push + up to 5 re-pushes
        const timer = setTimeout(() => {
          timers.delete(timer);
          attempt(n + 1);
        }, 100 * n);
        timer.unref();
        timers.add(timer);
      };
      const req = http.request(
        target,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length },
          timeout: 5000,
        },
        (res) => {
          record.status = res.statusCode;
          res.resume();
          if (res.statusCode !== 200) retry();
        },
      );
      req.on('timeout', () => req.destroy(new Error('callback timeout')));
      req.on('error', (e) => {
        record.error = e.message;
        retry();
      });
      req.end(payload);
    };
    attempt(1);
  }

  // ---- task creation --------------------------------------------------------------------------

  interface CommonOptions {
    modelVersion: string;
    extraFormats: string[];
    language?: string;
    callback?: { url: string; seed: string };
  }

  function parseCommon(body: Record<string, unknown>): CommonOptions {
    const modelVersion = optString(body, 'model_version') ?? 'pipeline';
    if (!MODEL_VERSIONS.has(modelVersion)) {
      throw new BusinessError(
        -10002,
        `${ERR_MSG.param}: model_version must be one of pipeline, vlm, MinerU-HTML`,
      );
    }
    const ef = body.extra_formats;
    let extraFormats: string[] = [];
    if (ef !== undefined && ef !== null) {
      if (
        !Array.isArray(ef) ||
        !ef.every((f): f is string => typeof f === 'string' && EXTRA_FORMATS.has(f))
      ) {
        throw new BusinessError(
          -10002,
          `${ERR_MSG.param}: extra_formats must be a list of docx, html, latex`,
        );
      }
      extraFormats = [...new Set(ef)];
    }
    optBool(body, 'enable_formula');
    optBool(body, 'enable_table');
    optBool(body, 'no_cache');
    const language = optString(body, 'language');
    const callbackUrl = optString(body, 'callback');
    const seed = optString(body, 'seed');
    const common: CommonOptions = { modelVersion, extraFormats };
    if (language !== undefined) common.language = language;
    if (callbackUrl !== undefined && callbackUrl !== '') {
      if (!/^https?:\/\//i.test(callbackUrl)) {
        throw new BusinessError(-10002, `${ERR_MSG.param}: callback must be an http(s) url`);
      }
      if (!seed) throw new BusinessError(-10002, `${ERR_MSG.param}: seed is required when callback is set`);
      if (!SEED_RE.test(seed)) throw new BusinessError(-10002, `${ERR_MSG.param}: invalid seed`);
      common.callback = { url: callbackUrl, seed };
    }
    return common;
  }

  interface DocInput {
    source: 'url' | 'upload';
    url?: string;
    name: string;
    dataId?: string;
    isOcr: boolean;
    pageRanges?: string;
  }

  function parseDocFields(o: Record<string, unknown>): {
    dataId?: string;
    isOcr: boolean;
    pageRanges?: string;
  } {
    const dataId = optString(o, 'data_id');
    if (dataId !== undefined && dataId.length > 128) {
      throw new BusinessError(-10002, `${ERR_MSG.param}: data_id is longer than 128 characters`);
    }
    const isOcr = optBool(o, 'is_ocr') ?? false;
    const pageRanges = optString(o, 'page_ranges');
    if (pageRanges !== undefined && pageRanges !== '' && !PAGE_RANGES_RE.test(pageRanges)) {
      throw new BusinessError(-10002, `${ERR_MSG.param}: invalid page_ranges`);
    }
    const r: { dataId?: string; isOcr: boolean; pageRanges?: string } = { isOcr };
    if (dataId !== undefined) r.dataId = dataId;
    if (pageRanges !== undefined && pageRanges !== '') r.pageRanges = pageRanges;
    return r;
  }

  /** Submit-time checks shared by URL and upload documents. */
  function checkDoc(doc: DocInput, common: CommonOptions): void {
    const ext = extensionOf(doc.name);
    const htmlModel = common.modelVersion === 'MinerU-HTML';
    if (!SUPPORTED_EXT.has(ext) && !(htmlModel && doc.source === 'url')) {
      throw new BusinessError(-60002, ERR_MSG.format);
    }
    const k = keywords(doc.url ?? doc.name);
    if (k.tooLarge) throw new BusinessError(-60005, ERR_MSG.tooLarge);
    if (k.tooManyPages) throw new BusinessError(-60006, ERR_MSG.tooManyPages);
  }

  function createTask(
    kind: FakeTaskKind,
    owner: string,
    doc: DocInput,
    common: CommonOptions,
    index: number,
    batchId?: string,
  ): Task {
    const k = keywords(doc.url ?? doc.name);
    const total = k.pages ?? defaultPages;
    const fileName = faults.cjkNames
      ? `${Date.now()}_${randomBytes(4).toString('hex')}_图片_${doc.name}`
      : doc.name;
    const t: Task = {
      id: randomUUID(),
      kind,
      index,
      owner,
      source: doc.source,
      name: doc.name,
      fileName,
      modelVersion: common.modelVersion,
      extraFormats: [...common.extraFormats],
      isOcr: doc.isOcr,
      state: doc.source === 'upload' ? 'waiting-file' : kind === 'agent' ? 'uploading' : 'pending',
      pages: selectedPages(doc.pageRanges, total),
      extractedPages: 0,
      slowSteps: k.slow ? 3 : 0,
      errMsg: '',
      innerUuid: randomUUID(),
      zipDate: dateStamp(),
      zipExpired: false,
      polls: 0,
      callbackSent: false,
    };
    if (k.failure) t.failure = k.failure;
    if (batchId !== undefined) t.batchId = batchId;
    if (doc.url !== undefined) t.url = doc.url;
    if (doc.dataId !== undefined) t.dataId = doc.dataId;
    if (doc.pageRanges !== undefined) t.pageRanges = doc.pageRanges;
    if (common.language !== undefined) t.language = common.language;
    if (kind === 'task' && common.callback) t.callback = common.callback;
    if (doc.source === 'upload') {
      const key = `${randomUUID()}.${extensionOf(doc.name) || 'bin'}`;
      t.uploadKey = key;
      t.uploadUrl = presign(key);
      uploads.set(key, t.id);
    }
    tasks.set(t.id, t);
    return t;
  }

  function sign(key: string, expires: number): string {
    return createHmac('sha256', signingKey).update(`${key}\n${expires}`).digest('hex').slice(0, 40);
  }

  function presign(key: string): string {
    const expires = Math.floor(Date.now() / 1000) + 24 * 3600;
    return `${cdnOrigin}/upload/${encodeURIComponent(key)}?Expires=${expires}&OSSAccessKeyId=fake&Signature=${sign(key, expires)}`;
  }

  function newBatch(owner: string, common: CommonOptions): Batch {
    const b: Batch = { id: randomUUID(), owner, taskIds: [], polls: 0, callbackSent: false };
    if (common.callback) b.callback = common.callback;
    batches.set(b.id, b);
    return b;
  }

  // ---- API routes -----------------------------------------------------------------------------

  function authenticate(req: http.IncomingMessage): string {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    const token = m?.[1]?.trim() ?? '';
    const gateway = (msgCode: string): HttpError =>
      new HttpError(401, { success: false, msgCode, msg: 'user authenticate failed', traceId: traceId() });
    if (!token) throw gateway('A0202');
    if (expiredTokens.includes(token)) throw gateway('A0211');
    if (options.acceptAnyToken || tokens.includes(token)) return token;
    throw gateway('A0202');
  }

  function requireRecord(body: unknown): Record<string, unknown> {
    if (!isRecord(body)) throw new BusinessError(-500, 'parameter error: the body must be a JSON object');
    return body;
  }

  function ownedTask(id: string, owner: string, kind: FakeTaskKind[]): Task {
    const t = tasks.get(id);
    if (!t || !kind.includes(t.kind)) throw new BusinessError(-60012, ERR_MSG.notFound);
    if (!options.acceptAnyToken && t.owner !== owner) {
      throw new BusinessError(-60013, 'no permission to access this task');
    }
    return t;
  }

  function pollTask(t: Task): void {
    t.polls += 1;
    if (progressMode === 'per-poll') step(t);
  }

  function handleApi(method: string, path: string, req: http.IncomingMessage, body: unknown): unknown {
    // Agent API: no token.
    if (path.startsWith('/api/v1/agent/')) return handleAgent(method, path, body);
    if (!path.startsWith('/api/v4/'))
      throw new HttpError(404, { code: 404, msg: 'not found', trace_id: traceId() });

    const owner = authenticate(req);
    const route = path.slice('/api/v4'.length);
    const bizFault = takeFault(faults.businessErrorNext, path);
    if (bizFault) {
      return businessEnvelope(bizFault.code, bizFault.msg ?? 'service error, please try again later');
    }

    if (method === 'POST' && route === '/extract/task') {
      const b = requireRecord(body);
      const url = optString(b, 'url');
      if (!url) throw new BusinessError(-10002, `${ERR_MSG.param}: url is required`);
      const common = parseCommon(b);
      const doc: DocInput = { source: 'url', url, name: fileNameFromUrl(url), ...parseDocFields(b) };
      checkDoc(doc, common);
      const t = createTask('task', owner, doc, common, 0);
      return envelope({ task_id: t.id });
    }
    let m = /^\/extract\/task\/([^/]+)$/.exec(route);
    if (method === 'GET' && m?.[1] && m[1] !== 'batch') {
      const t = ownedTask(decodeURIComponent(m[1]), owner, ['task', 'batch-item']);
      const data = taskData(t);
      pollTask(t);
      return envelope(data);
    }
    if (method === 'POST' && route === '/extract/task/batch') {
      const { files, common } = readBatchBody(body);
      const docs = files.map((f): DocInput => {
        const url = optString(f, 'url');
        if (!url) throw new BusinessError(-10002, `${ERR_MSG.param}: files[].url is required`);
        return { source: 'url', url, name: fileNameFromUrl(url), ...parseDocFields(f) };
      });
      for (const d of docs) checkDoc(d, common);
      const batch = newBatch(owner, common);
      docs.forEach((d, i) => batch.taskIds.push(createTask('batch-item', owner, d, common, i, batch.id).id));
      return envelope({ batch_id: batch.id });
    }
    if (method === 'POST' && route === '/file-urls/batch') {
      const { files, common } = readBatchBody(body);
      const docs = files.map((f): DocInput => {
        const name = optString(f, 'name');
        if (!name) throw new BusinessError(-10002, `${ERR_MSG.param}: files[].name is required`);
        return { source: 'upload', name, ...parseDocFields(f) };
      });
      for (const d of docs) checkDoc(d, common);
      const batch = newBatch(owner, common);
      const urls: string[] = [];
      docs.forEach((d, i) => {
        const t = createTask('batch-item', owner, d, common, i, batch.id);
        batch.taskIds.push(t.id);
        urls.push(t.uploadUrl ?? '');
      });
      return envelope({ batch_id: batch.id, file_urls: urls });
    }
    m = /^\/extract-results\/batch\/([^/]+)$/.exec(route);
    if (method === 'GET' && m?.[1]) {
      const batch = batches.get(decodeURIComponent(m[1]));
      if (!batch) throw new BusinessError(-60012, ERR_MSG.notFound);
      if (!options.acceptAnyToken && batch.owner !== owner) {
        throw new BusinessError(-60013, 'no permission to access this task');
      }
      batch.polls += 1;
      if (faults.emptyExtractResultOnce && batch.polls === 1) {
        return envelope({ batch_id: batch.id, extract_result: [] });
      }
      const data = batchData(batch);
      for (const id of batch.taskIds) {
        const t = tasks.get(id);
        if (t) pollTask(t);
      }
      return envelope(data);
    }
    throw new HttpError(404, { code: 404, msg: 'not found', trace_id: traceId() });
  }

  function agentError(c: number, msg: string): BusinessError {
    return new BusinessError(c, msg);
  }

  function handleAgent(method: string, path: string, body: unknown): unknown {
    const route = path.slice('/api/v1/agent'.length);
    const bizFault = takeFault(faults.businessErrorNext, path);
    if (bizFault)
      return businessEnvelope(bizFault.code, bizFault.msg ?? 'service error, please try again later');

    if (method === 'POST' && (route === '/parse/url' || route === '/parse/file')) {
      const b = requireRecord(body);
      const isUrl = route === '/parse/url';
      const url = isUrl ? optString(b, 'url') : undefined;
      if (isUrl && !url) throw agentError(-30004, `${ERR_MSG.agentParam}: url is required`);
      const explicitName = optString(b, 'file_name');
      if (!isUrl && !explicitName) throw agentError(-30004, `${ERR_MSG.agentParam}: file_name is required`);
      const name = explicitName || fileNameFromUrl(url ?? '');
      const pageRange = optString(b, 'page_range');
      if (pageRange !== undefined && pageRange !== '' && !AGENT_PAGE_RANGE_RE.test(pageRange)) {
        throw agentError(-30004, `${ERR_MSG.agentParam}: page_range must be N or N-M`);
      }
      optBool(b, 'enable_table');
      optBool(b, 'enable_formula');
      const isOcr = optBool(b, 'is_ocr') ?? false;
      const language = optString(b, 'language');
      if (!AGENT_EXT.has(extensionOf(name))) throw agentError(-30002, ERR_MSG.agentType);
      const doc: DocInput = { source: isUrl ? 'url' : 'upload', name, isOcr };
      if (url !== undefined) doc.url = url;
      const common: CommonOptions = { modelVersion: 'vlm', extraFormats: [] };
      if (language !== undefined) common.language = language;
      const t = createTask('agent', '', doc, common, 0);
      if (pageRange) {
        const [a, z] = pageRange.split('-').map((s) => Number(s.trim()));
        if (a !== undefined && z !== undefined && z >= a) t.pages = Math.min(t.pages, z - a + 1);
        else if (a !== undefined && z === undefined) t.pages = 1;
      }
      const k = keywords(url ?? name);
      if (k.tooLarge) t.failure = { from: 'pending', errMsg: ERR_MSG.agentTooLarge, errCode: -30001 };
      else if (t.pages > AGENT_MAX_PAGES || k.tooManyPages) {
        t.failure = { from: 'pending', errMsg: ERR_MSG.agentPages, errCode: -30003 };
      }
      const data: Record<string, unknown> = { task_id: t.id };
      if (!isUrl) data.file_url = t.uploadUrl;
      return envelope(data);
    }
    const m = /^\/parse\/([^/]+)$/.exec(route);
    if (method === 'GET' && m?.[1]) {
      const t = tasks.get(decodeURIComponent(m[1]));
      if (!t || t.kind !== 'agent') throw new BusinessError(-60012, ERR_MSG.notFound);
      const data = agentData(t);
      pollTask(t);
      return envelope(data);
    }
    throw new HttpError(404, { code: 404, msg: 'not found', trace_id: traceId() });
  }

  // ---- CDN routes -----------------------------------------------------------------------------

  function sendXml(
    res: http.ServerResponse,
    status: number,
    codeName: string,
    message: string,
    hostHeader: string,
  ): void {
    const xml = ossXml(codeName, message, hostHeader);
    res.writeHead(status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(xml),
      'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase(),
    });
    res.end(xml);
  }

  async function handleUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
    key: string,
    query: Record<string, string>,
  ): Promise<void> {
    const hostHeader = req.headers.host ?? 'fake-oss';
    // Stream the body: count bytes, keep nothing.
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    rec.bodyBytes = bytes;

    const taskId = uploads.get(key);
    const t = taskId ? tasks.get(taskId) : undefined;
    const contentType = req.headers['content-type'];
    const expires = Number(query.Expires ?? '0');
    if (!t) return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
    if (req.headers.authorization !== undefined) {
      return sendXml(
        res,
        400,
        'InvalidArgument',
        'Authorization header is invalid when a presigned URL (query string authentication) is used.',
        hostHeader,
      );
    }
    if (faults.uploadExpired || expires * 1000 < Date.now()) {
      return sendXml(res, 403, 'AccessDenied', 'Request has expired.', hostHeader);
    }
    if ((contentType !== undefined && contentType !== '') || query.Signature !== sign(key, expires)) {
      return sendXml(
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        hostHeader,
      );
    }
    t.uploadedBytes = bytes;
    if (t.state === 'waiting-file') {
      t.state = 'pending';
      if (bytes === 0) {
        t.failure = { from: 'pending', errMsg: ERR_MSG.emptyFile, errCode: -60004 };
      } else if (t.kind === 'agent' && bytes > AGENT_MAX_BYTES) {
        t.failure = { from: 'pending', errMsg: ERR_MSG.agentTooLarge, errCode: -30001 };
      } else if (t.kind !== 'agent' && bytes > UPLOAD_MAX_BYTES) {
        t.failure = { from: 'pending', errMsg: ERR_MSG.tooLarge, errCode: -60005 };
      }
    }
    res.writeHead(200, {
      'content-length': 0,
      etag: `"${createHash('md5').update(key).digest('hex').toUpperCase()}"`,
      'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase(),
    });
    res.end();
  }

  async function zipEntriesFor(t: Task): Promise<ZipEntry[]> {
    const entries = resultEntries({
      title: stripExtension(t.name),
      innerUuid: t.innerUuid,
      pages: t.pages,
      modelVersion: t.modelVersion,
      extraFormats: t.extraFormats,
      ...(t.language !== undefined ? { language: t.language } : {}),
    });
    if (faults.zipSlip) {
      for (const name of ['../evil.txt', '/abs.txt', 'C:\\win.txt', 'images/../../x']) {
        entries.push(memEntry(name, `zip-slip probe: ${name}\n`));
      }
    }
    if (faults.zipSymlink) {
      entries.push(memEntry('images/link.jpg', '/etc/passwd', { deflate: false, unixMode: SYMLINK_MODE }));
    }
    if (faults.zipPadBytes && faults.zipPadBytes > 0) {
      entries.push(paddingEntry(`${t.innerUuid}_pad.bin`, Math.floor(faults.zipPadBytes)));
    }
    if (faults.zipBomb) {
      const size = typeof faults.zipBomb === 'number' ? faults.zipBomb : 512 * 1024 * 1024;
      entries.push(await bombEntry('bomb.bin', size));
    }
    return entries;
  }

  async function handleCdnGet(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    query: Record<string, string>,
    drop: DropFault | undefined,
    server: 'api' | 'cdn',
  ): Promise<void> {
    const hostHeader = req.headers.host ?? 'fake-cdn';
    const head = req.method === 'HEAD';
    const md = /^\/cdn\/md\/([^/]+)\.md$/.exec(path);
    if (md?.[1]) {
      const t = tasks.get(markdowns.get(md[1]) ?? '');
      if (!t) return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
      const text = Buffer.from(agentMarkdown(stripExtension(t.name), t.pages), 'utf8');
      return sendBody(res, 200, 'text/markdown; charset=utf-8', text, head, drop);
    }
    const zm = /^\/cdn\/(\d{4}-\d{2}-\d{2})\/([0-9a-f-]+)\.zip$/.exec(path);
    if (!zm?.[2]) return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
    if (server === 'cdn' && faults.cdnRedirectTo && query.redirected !== '1') {
      return redirect(res, faults.cdnRedirectTo, path, query);
    }
    const taskId = zips.get(zm[2]);
    const t = taskId ? tasks.get(taskId) : undefined;
    if (!t || t.zipId !== zm[2])
      return sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', hostHeader);
    if (t.zipExpired) return sendXml(res, 403, 'AccessDenied', 'Request has expired.', hostHeader);
    const expiredCount = faults.cdnExpiredCount ?? 0;
    if (faults.cdnExpiredOnce || expiredCount > 0) {
      if (faults.cdnExpiredOnce) faults.cdnExpiredOnce = false;
      else faults.cdnExpiredCount = expiredCount - 1;
      t.zipExpired = true;
      return sendXml(res, 403, 'AccessDenied', 'Request has expired.', hostHeader);
    }
    const plan = planZip(await zipEntriesFor(t));
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': plan.size,
      etag: `"${t.zipId}"`,
      'last-modified': new Date().toUTCString(),
      'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase(),
    });
    if (head) {
      res.end();
      return;
    }
    const stall = takeFault(faults.stallNext, path);
    const cut = drop ?? stall;
    const limit = cut ? (cut.afterBytes ?? Math.floor(plan.size / 2)) : Infinity;
    let sent = 0;
    for (const part of plan.parts()) {
      if (res.destroyed) return;
      let piece = part;
      if (sent + piece.length > limit) piece = piece.subarray(0, Math.max(0, limit - sent));
      sent += piece.length;
      const ok = res.write(piece);
      if (sent >= limit && !drop) {
        // Stalled: nothing more is sent; the client (or close()) ends the connection.
        if (!res.destroyed) await new Promise<void>((resolve) => res.once('close', resolve));
        return;
      }
      if (sent >= limit) {
        await new Promise<void>((resolve) => setTimeout(resolve, 20));
        res.socket?.destroy();
        return;
      }
      if (!ok) await drainOrClose(res);
    }
    res.end();
  }

  function redirect(
    res: http.ServerResponse,
    target: string,
    path: string,
    query: Record<string, string>,
  ): void {
    let location = target;
    try {
      const u = new URL(target);
      if (u.pathname === '/' && u.search === '') {
        // The marker stops a redirect loop when the target is this CDN under another name.
        const q = new URLSearchParams(query);
        q.set('redirected', '1');
        const qs = q.toString();
        location = `${u.origin}${path}${qs ? `?${qs}` : ''}`;
      }
    } catch {
      // relative target: use as given
    }
    res.writeHead(302, { location, 'content-length': 0 });
    res.end();
  }

  function sendBody(
    res: http.ServerResponse,
    status: number,
    contentType: string,
    body: Buffer,
    head: boolean,
    drop: DropFault | undefined,
    extraHeaders: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': contentType, 'content-length': body.length, ...extraHeaders });
    if (head) {
      res.end();
      return;
    }
    if (drop) {
      const n = Math.min(body.length, drop.afterBytes ?? Math.floor(body.length / 2));
      res.write(body.subarray(0, n));
      setTimeout(() => res.socket?.destroy(), 20).unref();
      return;
    }
    res.end(body);
  }

  // ---- request plumbing -----------------------------------------------------------------------

  async function readJsonBody(req: http.IncomingMessage, rec: RecordedRequest): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size <= MAX_JSON_BODY) chunks.push(b);
    }
    rec.bodyBytes = size;
    if (size === 0) return undefined;
    if (size > MAX_JSON_BODY) throw new BusinessError(-500, 'parameter error: request body too large');
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      const parsed: unknown = JSON.parse(text);
      rec.body = parsed;
      return parsed;
    } catch {
      rec.body = text;
      throw new BusinessError(-500, 'parameter error: the body is not valid JSON');
    }
  }

  async function drain(req: http.IncomingMessage, rec: RecordedRequest): Promise<void> {
    let size = 0;
    for await (const chunk of req) size += (chunk as Buffer).length;
    rec.bodyBytes = size;
  }

  function record(server: 'api' | 'cdn', req: http.IncomingMessage, url: URL): RecordedRequest {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const rec: RecordedRequest = {
      time: Date.now(),
      server,
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers,
      bodyBytes: 0,
    };
    requests.push(rec);
    return rec;
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown, drop?: DropFault): void {
    const buf = Buffer.from(JSON.stringify(body), 'utf8');
    sendBody(res, status, 'application/json; charset=utf-8', buf, false, drop);
  }

  /** Faults common to both servers. Returns true when the request was fully handled. */
  async function applyHttpFaults(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
    path: string,
  ): Promise<boolean> {
    if (takeFault(faults.hangNext, path)) {
      await drain(req, rec);
      return true; // never answer; close() destroys the socket
    }
    const fail = takeFault(faults.failNext, path);
    if (fail) {
      await drain(req, rec);
      const body = fail.body ?? errorPage(fail.status);
      const looksJson = /^\s*[[{]/.test(body);
      const headers: Record<string, string> = { ...(fail.headers ?? {}) };
      if (fail.retryAfter !== undefined) headers['retry-after'] = String(fail.retryAfter);
      sendBody(
        res,
        fail.status,
        fail.contentType ?? (looksJson ? 'application/json; charset=utf-8' : 'text/html'),
        Buffer.from(body, 'utf8'),
        req.method === 'HEAD',
        undefined,
        headers,
      );
      return true;
    }
    return false;
  }

  function parseUrl(req: http.IncomingMessage): URL {
    return new URL(req.url ?? '/', 'http://fake.invalid');
  }

  async function onApiRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = parseUrl(req);
    const path = url.pathname;
    const rec = record('api', req, url);
    const method = req.method ?? 'GET';
    if (await applyHttpFaults(req, res, rec, path)) return;
    const drop = takeFault(faults.dropNext, path);
    if (path.startsWith('/cdn/') && (method === 'GET' || method === 'HEAD')) {
      await drain(req, rec);
      const query = Object.fromEntries(url.searchParams);
      return handleCdnGet(req, res, path, query, drop, 'api');
    }
    try {
      const body =
        method === 'GET' || method === 'HEAD'
          ? (await drain(req, rec), undefined)
          : await readJsonBody(req, rec);
      sendJson(res, 200, handleApi(method, path, req, body), drop);
    } catch (e) {
      if (e instanceof HttpError) sendJson(res, e.status, e.body, drop);
      else if (e instanceof BusinessError) sendJson(res, 200, businessEnvelope(e.code, e.msg), drop);
      else
        sendJson(res, 500, {
          code: -10001,
          msg: 'service error, please try again later',
          trace_id: traceId(),
        });
    }
  }

  async function onCdnRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = parseUrl(req);
    const path = url.pathname;
    const rec = record('cdn', req, url);
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    if (await applyHttpFaults(req, res, rec, path)) return;
    const drop = takeFault(faults.dropNext, path);
    const up = /^\/upload\/([^/]+)$/.exec(path);
    if (up?.[1] && method === 'PUT') {
      if (drop) {
        await drain(req, rec);
        res.socket?.destroy();
        return;
      }
      return handleUpload(req, res, rec, decodeURIComponent(up[1]), query);
    }
    await drain(req, rec);
    if (method === 'GET' || method === 'HEAD') return handleCdnGet(req, res, path, query, drop, 'cdn');
    sendXml(
      res,
      405,
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      req.headers.host ?? '',
    );
  }

  function makeServer(
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  ): http.Server {
    const server = http.createServer((req, res) => {
      handler(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        } else {
          res.destroy();
        }
      });
    });
    server.keepAliveTimeout = 5000;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return server;
  }

  async function listen(server: http.Server, port: number): Promise<number> {
    server.listen(port, host);
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  const apiServer = makeServer(onApiRequest);
  const cdnServer = makeServer(onCdnRequest);
  const apiPort = await listen(apiServer, options.apiPort ?? 0);
  const cdnPort = await listen(cdnServer, options.cdnPort ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  apiOrigin = `http://${urlHost}:${apiPort}`;
  cdnOrigin = `http://${urlHost}:${cdnPort}`;

  const fake: FakeMinerU = {
    apiOrigin,
    apiBaseUrl: `${apiOrigin}/api/v4`,
    agentBaseUrl: `${apiOrigin}/api/v1/agent`,
    cdnOrigin,
    token: tokens[0] ?? 'test-token',
    uid: FAKE_UID,
    requests,
    callbacks,
    faults,
    tasks: () => [...tasks.values()].map(view),
    advanceAll,
    reset(): void {
      requests.length = 0;
      callbacks.length = 0;
      tasks.clear();
      batches.clear();
      zips.clear();
      uploads.clear();
      markdowns.clear();
      for (const key of Object.keys(faults)) delete (faults as Record<string, unknown>)[key];
    },
    async close(): Promise<void> {
      if (ticker) clearInterval(ticker);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closing = [apiServer, cdnServer].map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      for (const s of sockets) s.destroy();
      sockets.clear();
      await Promise.all(closing);
    },
  };
  return fake;
}
