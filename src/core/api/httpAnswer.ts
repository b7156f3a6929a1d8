/**
 * How an HTTP answer of the MinerU API becomes data or an error: the envelope first (on any status),
 * then the status, then the body's shape. Every message goes through `redact()`; the errors carry a
 * `reason` and `params` for the user's text (src/vscode/errorText.ts).
 */
import type { AxiosResponse } from 'axios';
import { MinerUError, type Phase } from '../errors';
import { hostLabel } from '../net/hosts';
import { markTransient, type RetryMode } from '../net/retryClassification';
import { formatSeconds } from '../net/timeout';
import { redact, safeUrl } from '../util/logger';
import { parseRetryAfter } from '../util/retry';
import { AUTO_RETRY_CODES, ERROR_CODES, describeCode } from './errorCodes';
import { readEnvelope } from './guards';

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  phase: Phase;
  mode: RetryMode;
  signal?: AbortSignal | undefined;
  /** Supplies the token for this request; read again on each attempt. Absent: no Authorization. */
  auth?: () => Promise<string | undefined>;
}

export interface JsonResult {
  data: unknown;
  traceId: string | undefined;
  httpStatus: number;
}

const HTML_HINT = 'a proxy or captive portal may be in the way';

function looksLikeHtml(text: string, contentType: string | undefined): boolean {
  return /text\/html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)/i.test(text);
}

function headerString(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = (response.headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** Envelope first, on any status; then the status; then the body's shape. */
function fail(error: MinerUError): never {
  throw error;
}

/** The data of a success envelope; anything else throws its MinerUError. */
export function interpretAnswer(
  request: JsonRequest,
  response: AxiosResponse<unknown>,
  secrets: readonly (string | undefined)[],
  now: number,
): JsonResult {
  const host = hostLabel(request.url);
  const status = response.status;
  const text = typeof response.data === 'string' ? response.data : '';
  const contentType = headerString(response, 'content-type');
  let parsed: unknown;
  let isJson = false;
  if (text.trim().length > 0 && !looksLikeHtml(text, contentType)) {
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {
      isJson = false;
    }
  }
  const retryAfter = parseRetryAfter(headerString(response, 'retry-after'), now);
  const envelope = isJson ? readEnvelope(parsed) : undefined;

  // A code we do not know on an HTTP error status (e.g. `{"code":404,"msg":"not found"}` from a
  // wrong base URL) says less than the status does: report the status instead.
  const unknownOnError =
    envelope?.kind === 'business' && !ERROR_CODES[envelope.code] && (status < 200 || status >= 300);
  if (envelope && envelope.kind !== 'ok' && !unknownOnError) {
    // The service's own words go into messages that are stored, shown and logged: redact first.
    const serviceMsg = envelope.msg ? redact(envelope.msg, secrets) : undefined;
    const info = describeCode(envelope.code, serviceMsg);
    const known = ERROR_CODES[envelope.code] !== undefined;
    const quoted = serviceMsg !== undefined && !info.message.includes(serviceMsg);
    const message = quoted ? `${info.message} (service: "${serviceMsg}")` : info.message;
    const error = new MinerUError({
      phase: request.phase,
      message,
      reason: 'service.code',
      // The service's words, when the message shows them (quoted after a known code's text).
      ...(serviceMsg !== undefined && (quoted || !known) ? { params: { serviceMsg } } : {}),
      hint: info.hint,
      code: envelope.code,
      httpStatus: status,
      traceId: envelope.traceId,
      host,
      retryable: info.retryable || status === 429 || status >= 500,
    });
    if (AUTO_RETRY_CODES.has(envelope.code)) {
      return fail(
        markTransient(error, {
          kind: 'code',
          ...(retryAfter === undefined ? {} : { afterMs: retryAfter }),
        }),
      );
    }
    if (status === 429 || status >= 500) {
      return fail(
        markTransient(error, {
          kind: 'status',
          httpStatus: status,
          ...(retryAfter === undefined ? {} : { afterMs: retryAfter }),
        }),
      );
    }
    return fail(error);
  }

  if (status >= 300 && status < 400) {
    const location = headerString(response, 'location');
    let target = 'another address';
    let reason: 'http.redirect' | 'http.redirectUnknown' | 'http.redirectInvalid' = 'http.redirectUnknown';
    try {
      // safeUrl drops query and user info; the path may still echo the token back.
      if (location) {
        target = redact(safeUrl(new URL(location, request.url).toString()), secrets);
        reason = 'http.redirect';
      }
    } catch {
      target = 'an invalid address';
      reason = 'http.redirectInvalid';
    }
    return fail(
      new MinerUError({
        phase: request.phase,
        message: `The server at ${host} redirected the request to ${target}; redirects are not followed`,
        reason,
        params: reason === 'http.redirect' ? { host, target } : { host },
        hint: 'Set the API base URL to the final address (e.g. https instead of http)',
        code: `HTTP_${status}`,
        httpStatus: status,
        host,
        retryable: false,
      }),
    );
  }

  if (status < 200 || status >= 300) {
    return fail(statusError(request, status, host, text, contentType, retryAfter));
  }

  if (!isJson) {
    const html = looksLikeHtml(text, contentType);
    return fail(
      new MinerUError({
        phase: request.phase,
        message: html
          ? `The server at ${host} returned an HTML page, not JSON — ${HTML_HINT}`
          : text.trim().length === 0
            ? `The server at ${host} returned an empty response`
            : `The server at ${host} returned a response that is not valid JSON`,
        reason: html ? 'http.htmlPage' : text.trim().length === 0 ? 'http.empty' : 'http.notJson',
        params: { host },
        hint: 'Check the API base URL and your proxy settings, then try again',
        code: 'NOT_JSON',
        httpStatus: status,
        host,
        retryable: true,
      }),
    );
  }

  if (envelope?.kind !== 'ok') {
    return fail(
      new MinerUError({
        phase: request.phase,
        message: `The server at ${host} answered in an unexpected format (no "code")`,
        reason: 'http.noCode',
        params: { host },
        hint: 'Check that the API base URL points to the MinerU API (…/api/v4)',
        code: 'BAD_RESPONSE',
        httpStatus: status,
        host,
        retryable: false,
      }),
    );
  }
  return { data: envelope.data, traceId: envelope.traceId, httpStatus: status };
}

function statusError(
  request: JsonRequest,
  status: number,
  host: string,
  text: string,
  contentType: string | undefined,
  retryAfter: number | undefined,
): MinerUError {
  const page = looksLikeHtml(text, contentType) ? ' (an HTML page, not JSON)' : '';
  const base = { phase: request.phase, code: `HTTP_${status}`, httpStatus: status, host };
  const params = { host, status, page: page ? 1 : 0 };
  if (status === 429) {
    const wait = retryAfter === undefined ? '' : `; the service asks to wait ${formatSeconds(retryAfter)}`;
    return markTransient(
      new MinerUError({
        ...base,
        message: `Too many requests to ${host} (HTTP 429)${wait}`,
        reason: 'http.tooManyRequests',
        params: retryAfter === undefined ? { host } : { host, seconds: formatSeconds(retryAfter) },
        hint: 'Wait a little and try again',
        retryable: true,
      }),
      { kind: 'status', httpStatus: status, ...(retryAfter === undefined ? {} : { afterMs: retryAfter }) },
    );
  }
  if (status >= 500) {
    return markTransient(
      new MinerUError({
        ...base,
        message: `The server at ${host} had an error (HTTP ${status})${page}`,
        reason: 'http.serverError',
        params,
        hint: 'Try again in a few minutes',
        retryable: true,
      }),
      { kind: 'status', httpStatus: status, ...(retryAfter === undefined ? {} : { afterMs: retryAfter }) },
    );
  }
  if (status === 401 || status === 403) {
    return new MinerUError({
      ...base,
      message: `The server at ${host} refused the request (HTTP ${status})${page}`,
      reason: 'http.refused',
      params,
      hint: page
        ? `Check your proxy settings; ${HTML_HINT}`
        : 'Set a new API token (create one at https://mineru.net/apiManage/token)',
      retryable: false,
    });
  }
  if (status === 404) {
    return new MinerUError({
      ...base,
      message: `The server at ${host} does not know ${request.method} ${safeUrl(request.url)} (HTTP 404)${page}`,
      reason: 'http.notFound',
      params: { ...params, request: `${request.method} ${safeUrl(request.url)}` },
      hint: 'Check the API base URL setting (e.g. https://mineru.net/api/v4)',
      retryable: false,
    });
  }
  return new MinerUError({
    ...base,
    message: `The server at ${host} rejected the request (HTTP ${status})${page}`,
    reason: 'http.rejected',
    params,
    hint: page ? `Check your proxy settings; ${HTML_HINT}` : 'Check the parse options and the API base URL',
    retryable: false,
  });
}
