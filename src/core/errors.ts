/** The step of the work that failed; every message the user sees names it. `parse` is the service's own work. */
export type Phase = 'validate' | 'submit' | 'upload' | 'poll' | 'parse' | 'download' | 'extract';

/**
 * What went wrong, as a stable code the glue turns into the user's language (src/vscode/errorText.ts).
 * The values the sentence needs travel in `params`; a service code itself travels in `code`.
 */
export type ErrorReason =
  // The service answered with an error code (`code`); params.serviceMsg is its own (redacted) words.
  | 'service.code'
  // The service reports the task as failed; `code` is its err_code when known, params.serviceMsg its err_msg.
  | 'service.taskFailed'
  | 'auth.noToken'
  // Below HTTP. params: host, and seconds (timeout), detail (the cause's redacted text), code.
  | 'net.timeout'
  | 'net.tls'
  | 'net.dns'
  | 'net.connect'
  | 'net.droppedBeforeAnswer'
  | 'net.failed'
  // An HTTP answer that is not a usable envelope. params: host, status, page (1: an HTML page), …
  | 'http.redirect'
  | 'http.redirectUnknown'
  | 'http.redirectInvalid'
  | 'http.htmlPage'
  | 'http.empty'
  | 'http.notJson'
  | 'http.noCode'
  | 'http.tooManyRequests'
  | 'http.serverError'
  | 'http.refused'
  | 'http.notFound'
  | 'http.rejected'
  // The result download. params: host (may be absent), code, status, seconds, max, seen, protocol.
  | 'download.dropped'
  | 'download.unreachable'
  | 'download.linkExpired'
  | 'download.status'
  | 'download.tooLarge'
  | 'download.badUrl'
  | 'download.badProtocol'
  | 'download.idle'
  | 'download.redirects'
  // A document downloaded here to be uploaded. params: location, mb, status.
  | 'localCopy.tooLarge'
  | 'localCopy.refused'
  // The result archive. params: count, size, total, limit (the setting's name), value.
  | 'zip.tooManyEntries'
  | 'zip.entryTooLarge'
  | 'zip.markdownTooLarge'
  | 'zip.bombEntry'
  | 'zip.bombArchive'
  | 'zip.totalTooLarge'
  | 'zip.inflatedTooLarge'
  | 'zip.corrupt'
  | 'zip.noMarkdown'
  // The output folder. params: folder, code, name.
  | 'output.write'
  | 'output.noFreeName'
  // The merge of a document parsed in parts. params: part (1-based), folder.
  | 'merge.partMissing'
  | 'merge.originMissing'
  | InputReason
  | RequestReason
  | TaskReason
  | SelfHostedReason;

/** A request refused before it leaves. params: url, what (a setting or id name), raw, protocol, pageRange. */
export type InputReason =
  | 'input.noDocuments'
  | 'input.noFiles'
  | 'input.aFileUnnamed'
  | 'input.fileUnnamed'
  | 'input.uploadLinkNotHttp'
  | 'input.emptyId'
  | 'input.notHttpUrl'
  | 'input.callbackNeedsSeed'
  | 'input.badSeed'
  | 'input.agentPageRange'
  | 'input.badBaseUrl'
  | 'input.baseUrlScheme';

/** A request or upload that went wrong. params: host, setting, origin, detail, status, code, links, files. */
export type RequestReason =
  | 'http.insecure'
  | 'http.badResponse'
  | 'upload.rejected'
  | 'upload.fileUnreadable'
  | 'service.uploadLinkCount';

/** The engine's own. params: time (of the next try), detail (an unexpected error's message). */
export type TaskReason = 'task.noResultLink' | 'task.interrupted' | 'task.rateLimited' | 'task.unexpected';

/** A self-hosted MinerU server. params: host, status, detail, field, path, location, code, url, ranges, set. */
export type SelfHostedReason =
  | 'selfHosted.notConfigured'
  | 'selfHosted.badUrl'
  | 'selfHosted.unreachable'
  | 'selfHosted.credential'
  | 'selfHosted.busy'
  | 'selfHosted.taskNotFound'
  | 'selfHosted.noRoute'
  | 'selfHosted.invalidOption'
  | 'selfHosted.tooLarge'
  | 'selfHosted.redirect'
  | 'selfHosted.http'
  | 'selfHosted.badAnswer'
  | 'selfHosted.pageRange';

/** The values of an error's sentence, by name. */
export type ErrorParams = Readonly<Record<string, string | number>>;

export interface MinerUErrorInit {
  phase: Phase;
  /**
   * Short English message: what went wrong, for the log and as the text shown when the error has
   * no `reason` (or one the glue does not know). Never contains the token.
   */
  message: string;
  /** What went wrong, as a code the glue translates; without it the user sees `message`/`hint`. */
  reason?: ErrorReason;
  /** The values the reason's sentence needs (host, status, sizes …). */
  params?: ErrorParams;
  /** The next step for the user, e.g. "Set a new API token". */
  hint?: string;
  /** Service code (A0202, -60005, -30003 …) or a transport code (ETIMEDOUT, HTTP_502 …). */
  code?: string;
  httpStatus?: number;
  traceId?: string;
  /** Host involved (api, upload or CDN host), to tell proxy trouble apart. */
  host?: string;
  /** Whether trying the same thing again later may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/** The one error type the engine throws for anything the user should hear about. */
export class MinerUError extends Error {
  readonly phase: Phase;
  readonly reason: ErrorReason | undefined;
  readonly params: ErrorParams | undefined;
  readonly hint: string | undefined;
  readonly code: string | undefined;
  readonly httpStatus: number | undefined;
  readonly traceId: string | undefined;
  readonly host: string | undefined;
  readonly retryable: boolean;

  constructor(init: MinerUErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MinerUError';
    this.phase = init.phase;
    this.reason = init.reason;
    this.params = init.params;
    this.hint = init.hint;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.traceId = init.traceId;
    this.host = init.host;
    this.retryable = init.retryable ?? false;
  }

  /** A serialisable summary, kept on task records. */
  toJSON(): SerializedError {
    return {
      phase: this.phase,
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.params ? { params: { ...this.params } } : {}),
      hint: this.hint,
      code: this.code,
      httpStatus: this.httpStatus,
      traceId: this.traceId,
      host: this.host,
      retryable: this.retryable,
    };
  }
}

/**
 * An error as kept on task records. Records written before `reason` existed have only the English
 * `message`/`hint`; they still display (the glue falls back to them).
 */
export interface SerializedError {
  phase: Phase;
  /** English text: the log's, and the fallback shown when `reason` is absent or unknown. */
  message: string;
  reason?: ErrorReason | undefined;
  params?: ErrorParams | undefined;
  hint?: string | undefined;
  code?: string | undefined;
  httpStatus?: number | undefined;
  traceId?: string | undefined;
  host?: string | undefined;
  retryable: boolean;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * "Download failed: <why>. <next step>" — the one-line English form, for the log. The user sees the
 * translated form of src/vscode/errorText.ts, which gives the same text in English.
 */
export function describeError(error: SerializedError): string {
  const phase = error.phase.charAt(0).toUpperCase() + error.phase.slice(1);
  const parts = [`${phase} failed: ${error.message}`];
  if (error.code) parts[0] += ` (${error.code})`;
  if (error.hint) parts.push(error.hint);
  return parts.join('. ').replace(/\.\./g, '.');
}

/** Code of the error for a result link that no longer works (403/404/410): poll again for a fresh one. */
export const LINK_EXPIRED = 'LINK_EXPIRED';
