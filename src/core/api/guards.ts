/**
 * Runtime validation of everything the service sends back. Nothing from the wire is trusted: each
 * reader checks types and returns either the camelCase value or a `GuardError` that says what was
 * wrong, which the client turns into a MinerUError naming the host.
 */
import { REMOTE_STATES, type ExtractProgress, type RemoteState, type TaskStatus } from './types';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A response that does not have the shape the contract promises. */
export class GuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardError';
  }
}

/** A string, or a finite number rendered as a string (codes arrive both ways). */
export function asCodeString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function optString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function optNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** The service's two envelopes, told apart. */
export type Envelope =
  | { kind: 'ok'; data: unknown; code: string; msg?: string; traceId?: string }
  | { kind: 'business'; code: string; msg?: string; traceId?: string }
  /** The gateway envelope: `{"success":false,"msgCode":"A0202","msg":…,"traceId":…}`. */
  | { kind: 'gateway'; code: string; msg?: string; traceId?: string };

/** Reads a parsed JSON body as an envelope; undefined when it is neither envelope. */
export function readEnvelope(body: unknown): Envelope | undefined {
  if (!isRecord(body)) return undefined;
  const msg = optString(body.msg) ?? optString(body.message);
  const traceId = optString(body.trace_id) ?? optString(body.traceId);
  const msgCode = asCodeString(body.msgCode);
  if (msgCode !== undefined && msgCode !== '') {
    return { kind: 'gateway', code: msgCode, msg, traceId };
  }
  const code = asCodeString(body.code);
  if (code === undefined || code === '') {
    if (body.success === false) return { kind: 'gateway', code: 'GATEWAY', msg, traceId };
    return undefined;
  }
  if (code === '0') return { kind: 'ok', data: body.data, code, msg, traceId };
  return { kind: 'business', code, msg, traceId };
}

/** Aliases seen in defensive clients; anything else unknown is reported via `onUnknown`. */
const STATE_ALIASES: Readonly<Record<string, RemoteState>> = {
  success: 'done',
  succeeded: 'done',
  finished: 'done',
  fail: 'failed',
  error: 'failed',
  queued: 'pending',
  processing: 'running',
};

export function readState(value: unknown, onUnknown?: (raw: string) => void): RemoteState {
  if (typeof value !== 'string' || value.length === 0) throw new GuardError('a task has no "state"');
  const lower = value.trim().toLowerCase();
  if ((REMOTE_STATES as readonly string[]).includes(lower)) return lower as RemoteState;
  const alias = STATE_ALIASES[lower];
  if (alias) return alias;
  // A state the client does not know yet is not terminal: keep polling rather than fail the task.
  onUnknown?.(value);
  return 'pending';
}

export function readProgress(value: unknown): ExtractProgress | undefined {
  if (!isRecord(value)) return undefined;
  const extractedPages = optNumber(value.extracted_pages);
  const totalPages = optNumber(value.total_pages);
  if (extractedPages === undefined || totalPages === undefined) return undefined;
  const progress: ExtractProgress = { extractedPages, totalPages };
  const startTime = optString(value.start_time);
  if (startTime) progress.startTime = startTime;
  return progress;
}

/** One task as `GET /extract/task/{id}`, a batch item or `GET /parse/{id}` (agent) reports it. */
export function readTaskStatus(value: unknown, onUnknownState?: (raw: string) => void): TaskStatus {
  if (!isRecord(value)) throw new GuardError('a task entry is not an object');
  const status: TaskStatus = { state: readState(value.state, onUnknownState) };
  const taskId = optString(value.task_id);
  if (taskId) status.taskId = taskId;
  const dataId = optString(value.data_id);
  if (dataId) status.dataId = dataId;
  const fileName = optString(value.file_name);
  if (fileName) status.fileName = fileName;
  const fullZipUrl = optString(value.full_zip_url);
  if (fullZipUrl) status.fullZipUrl = fullZipUrl;
  const markdownUrl = optString(value.markdown_url) ?? optString(value.md_url);
  if (markdownUrl) status.markdownUrl = markdownUrl;
  const errMsg = optString(value.err_msg);
  if (errMsg) status.errMsg = errMsg;
  const errCode = asCodeString(value.err_code);
  if (errCode && errCode !== '0') status.errCode = errCode;
  const progress = readProgress(value.extract_progress);
  if (progress) status.progress = progress;
  return status;
}

/**
 * The items of `GET /extract-results/batch/{id}`. Tolerates `extract_results`, a missing list
 * (right after submit: empty) and a map instead of a list.
 */
export function readBatchItems(data: unknown, onUnknownState?: (raw: string) => void): TaskStatus[] {
  if (!isRecord(data)) throw new GuardError('the batch result has no "data" object');
  const raw = data.extract_result ?? data.extract_results;
  if (raw === undefined || raw === null) return [];
  let list: unknown[];
  if (Array.isArray(raw)) list = raw;
  else if (isRecord(raw)) list = 'state' in raw ? [raw] : Object.values(raw);
  else throw new GuardError('"extract_result" is not a list');
  return list.map((item) => readTaskStatus(item, onUnknownState));
}

export function readRequiredId(data: unknown, field: string): string {
  if (!isRecord(data)) throw new GuardError('the response has no "data" object');
  const id = asCodeString(data[field]);
  if (!id) throw new GuardError(`the response has no "${field}"`);
  return id;
}

/** `data.file_urls` of `POST /file-urls/batch`: strings, or `{url}` objects as some clients accept. */
export function readFileUrls(data: unknown, expected: number): string[] {
  if (!isRecord(data)) throw new GuardError('the response has no "data" object');
  const raw = data.file_urls;
  if (!Array.isArray(raw)) throw new GuardError('the response has no "file_urls" list');
  const urls = raw.map((item): string => {
    const url = typeof item === 'string' ? item : isRecord(item) ? item.url : undefined;
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
      throw new GuardError('an upload link in "file_urls" is not an http(s) URL');
    }
    return url;
  });
  if (urls.length !== expected) {
    throw new GuardError(`the service returned ${urls.length} upload links for ${expected} files`);
  }
  return urls;
}

/** A required http(s) URL field of `data` (e.g. the agent's `file_url`). */
export function readHttpUrl(data: unknown, field: string): string {
  if (!isRecord(data)) throw new GuardError('the response has no "data" object');
  const url = data[field];
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
    throw new GuardError(`"${field}" is not an http(s) URL`);
  }
  return url;
}
