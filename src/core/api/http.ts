/**
 * The HTTP layer of the API client: one axios instance, the response envelope, error mapping,
 * retry classification, timeouts, cancellation and request logging.
 *
 * Safety rules enforced here:
 * - The Bearer token is added per request, only by {@link HttpTransport.requestJson} when the caller
 *   passes `auth` (the client does so only for its configured API bases). It is never an instance
 *   default, so uploads and agent calls made with the same instance cannot carry it.
 * - Redirects are never followed (`maxRedirects: 0`): a 3xx to another origin cannot carry the
 *   token, and a streamed upload is not buffered by the redirect follower. A 3xx becomes an error
 *   that names where the server wanted to send us.
 * - Axios errors are never kept or re-thrown (their `config.headers` hold the token); errors are
 *   rebuilt as MinerUError from plain fields, and every message goes through `redact()`.
 * - Request timeouts run on real timers, not on the injected clock, so tests may use a clock whose
 *   sleeps resolve at once without making every request time out.
 */
import axios, { type AxiosInstance, type AxiosProxyConfig, type AxiosResponse } from 'axios';
import type * as http from 'node:http';
import type * as https from 'node:https';
import { MinerUError, type Phase } from '../errors';
import { abortReason, type Clock } from '../util/clock';
import { redact, safeUrl, type Logger } from '../util/logger';
import { parseRetryAfter, withRetry, type RetryDecision, type RetryPolicy } from '../util/retry';
import { AUTO_RETRY_CODES, ERROR_CODES, describeCode } from './errorCodes';
import { readEnvelope } from './guards';

/**
 * How a request may be retried.
 * - `idempotent`: GETs, `POST /file-urls/batch` (a duplicate only creates unused upload links that
 *   expire after 24 h) and presigned PUTs (the same object is overwritten). Retried on every
 *   transient failure: network errors, timeouts, HTTP 429 and 5xx, codes -10001/-60007/-60009.
 * - `submit`: POSTs that start parsing (`/extract/task`, `/extract/task/batch`, agent `/parse/*`).
 *   A duplicate costs the user's page quota and leaves an orphan task, so these are retried only
 *   when the service cannot have started the work: the connection was never established
 *   (ECONNREFUSED, EAI_AGAIN, EHOSTUNREACH …), HTTP 429 (rate limiting rejects before work),
 *   HTTP 503 (service unavailable: load shedding), or a business code that explicitly rejects
 *   the submission (-10001, -60007, -60009 come back instead of a task id). A reset connection,
 *   socket hang-up, timeout or 500/502/504 after the body was sent may mean the task exists: those
 *   surface as a retryable MinerUError so that the user (who can see the task list) decides.
 */
export type RetryMode = 'idempotent' | 'submit';

export interface TransportOptions {
  clock: Clock;
  logger: Logger;
  random: () => number;
  retry: RetryPolicy;
  /** Per-request timeout for JSON API calls. */
  timeoutMs: number;
  /** Hooks for VS Code's proxy support: custom agents or an explicit axios proxy. */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  /** Default `false`: no environment-variable proxy; VS Code's proxy support patches the agents. */
  proxy?: AxiosProxyConfig | false;
  userAgent?: string;
}

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

/** Transient-failure facts kept beside (not on) the error, for retry classification only. */
interface Transient {
  kind: 'connect' | 'network' | 'timeout' | 'status' | 'code';
  httpStatus?: number;
  afterMs?: number;
}
const transients = new WeakMap<MinerUError, Transient>();

export function markTransient(error: MinerUError, info: Transient): MinerUError {
  transients.set(error, info);
  return error;
}

/** Whether `error` should be retried automatically for a request of the given mode. */
export function classifyRetry(error: unknown, mode: RetryMode, policy: RetryPolicy): RetryDecision {
  if (!(error instanceof MinerUError)) return { retry: false };
  const info = transients.get(error);
  if (!info) return { retry: false };
  // A server asking for a longer pause than we would wait: give up now and tell the user.
  if (info.afterMs !== undefined && info.afterMs > policy.maxDelayMs * 4) return { retry: false };
  const decision = (retry: boolean): RetryDecision =>
    info.afterMs === undefined ? { retry } : { retry, afterMs: info.afterMs };
  switch (info.kind) {
    case 'connect':
    case 'code':
      return decision(true);
    case 'network':
    case 'timeout':
      return decision(mode === 'idempotent');
    case 'status': {
      const status = info.httpStatus ?? 0;
      if (status === 429 || status === 503) return decision(true);
      return decision(mode === 'idempotent' && status >= 500);
    }
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EHOSTDOWN',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'EPROTO',
]);
const TLS_CODE = /^(CERT_|ERR_TLS|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_SSL)/;

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === error ? undefined : errorCode(cause);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps a failure below HTTP (no response) to a MinerUError. Never keeps the original error: an
 * axios error holds the request headers, including the token.
 */
export function networkError(
  error: unknown,
  phase: Phase,
  url: string,
  timedOut: { ms: number } | undefined,
  secrets: readonly (string | undefined)[],
): MinerUError {
  const host = hostOf(url);
  if (timedOut) {
    return markTransient(
      new MinerUError({
        phase,
        message: `${host} did not answer within ${formatSeconds(timedOut.ms)}`,
        hint: 'Check your network connection and try again; the service may be busy',
        code: 'ETIMEDOUT',
        host,
        retryable: true,
      }),
      { kind: 'timeout' },
    );
  }
  const code = errorCode(error) ?? 'ENETWORK';
  const text = redact(errorText(error), secrets);
  if (TLS_CODE.test(code)) {
    return new MinerUError({
      phase,
      message: `The TLS certificate of ${host} was not trusted (${text})`,
      hint: 'A proxy may be intercepting HTTPS: configure its certificate or check the proxy settings',
      code,
      host,
      retryable: false,
    });
  }
  if (code === 'ENOTFOUND') {
    return new MinerUError({
      phase,
      message: `The host ${host} could not be found`,
      hint: 'Check the API base URL setting and your network or proxy settings',
      code,
      host,
      retryable: true,
    });
  }
  const connect = CONNECT_CODES.has(code);
  const known = connect || NETWORK_CODES.has(code) || /socket hang up/i.test(text);
  return markTransient(
    new MinerUError({
      phase,
      message: connect
        ? `Could not connect to ${host} (${code})`
        : `The connection to ${host} failed${known ? ' before the answer arrived' : ''}: ${text}`,
      hint: 'Check your network connection or proxy settings, then try again',
      code,
      host,
      retryable: true,
    }),
    { kind: connect ? 'connect' : 'network' },
  );
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

const HTML_HINT = 'a proxy or captive portal may be in the way';

function looksLikeHtml(text: string, contentType: string | undefined): boolean {
  return /text\/html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)/i.test(text);
}

function headerString(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = (response.headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/**
 * Runs an operation with a timeout (real timers) and the caller's AbortSignal combined. A user
 * abort rejects with the abort reason (callers can treat it quietly); a timeout is reported via
 * `timedOut` so the caller can build the right error.
 */
export async function withTimeout<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal, timedOut: () => boolean) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortReason(signal);
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(controller.signal, () => fired && !signal?.aborted);
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export class HttpTransport {
  readonly axios: AxiosInstance;
  readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = options;
    this.axios = axios.create({
      maxRedirects: 0,
      validateStatus: () => true,
      proxy: options.proxy ?? false,
      httpAgent: options.httpAgent,
      httpsAgent: options.httpsAgent,
      headers: options.userAgent ? { 'User-Agent': options.userAgent } : {},
    });
  }

  /** One JSON API call with retries; resolves with `data` of a success envelope. */
  async requestJson(request: JsonRequest): Promise<JsonResult> {
    const { clock, logger, retry, random } = this.options;
    let lastToken: string | undefined;
    return withRetry(
      async (attempt) => {
        const token = request.auth ? await request.auth() : undefined;
        lastToken = token;
        if (request.auth && !token) {
          throw new MinerUError({
            phase: request.phase,
            message: 'No MinerU API token is set',
            hint: 'Set an API token (create one at https://mineru.net/apiManage/token)',
            code: 'NO_TOKEN',
            host: hostOf(request.url),
            retryable: false,
          });
        }
        return this.attemptJson(request, token, attempt);
      },
      (error) => classifyRetry(error, request.mode, retry),
      {
        clock,
        random,
        policy: retry,
        ...(request.signal ? { signal: request.signal } : {}),
        onRetry: (attempt, delayMs, error) => {
          const why = error instanceof Error ? redact(error.message, [lastToken]) : 'error';
          logger.info(
            `${request.method} ${safeUrl(request.url)}: ${why}; retrying in ${formatSeconds(delayMs)} ` +
              `(attempt ${attempt + 1} of ${retry.maxAttempts})`,
          );
        },
      },
    );
  }

  private async attemptJson(
    request: JsonRequest,
    token: string | undefined,
    attempt: number,
  ): Promise<JsonResult> {
    const { clock, logger, timeoutMs } = this.options;
    const secrets = [token];
    const label = `${request.method} ${safeUrl(request.url)}`;
    const started = clock.now();
    logger.debug(`→ ${label}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: AxiosResponse<unknown>;
    try {
      response = await withTimeout(timeoutMs, request.signal, (signal, timedOut) =>
        this.axios
          .request<unknown>({
            method: request.method,
            url: request.url,
            headers,
            data: request.body === undefined ? undefined : JSON.stringify(request.body),
            responseType: 'text',
            transformResponse: [(data: unknown) => data],
            maxContentLength: 32 * 1024 * 1024,
            signal,
          })
          .catch((error: unknown) => {
            if (request.signal?.aborted) throw error;
            throw networkError(
              error,
              request.phase,
              request.url,
              timedOut() ? { ms: timeoutMs } : undefined,
              secrets,
            );
          }),
      );
    } catch (error) {
      const ms = clock.now() - started;
      if (request.signal?.aborted) {
        logger.debug(`✗ ${label} cancelled after ${ms} ms`);
      } else {
        logger.info(`✗ ${label} failed after ${ms} ms: ${redact(errorText(error), secrets)}`);
      }
      throw error;
    }
    const ms = clock.now() - started;
    try {
      const result = this.interpret(request, response, secrets);
      logger.debug(`← ${label} ${response.status} code=0 trace=${result.traceId ?? '-'} ${ms} ms`);
      return result;
    } catch (error) {
      if (error instanceof MinerUError) {
        logger.info(
          `✗ ${label} ${response.status} code=${error.code ?? '-'} trace=${error.traceId ?? '-'} ${ms} ms: ` +
            redact(error.message, secrets),
        );
      }
      throw error;
    }
  }

  /** Envelope first, on any status; then the status; then the body's shape. */
  private interpret(
    request: JsonRequest,
    response: AxiosResponse<unknown>,
    secrets: readonly (string | undefined)[],
  ): JsonResult {
    const host = hostOf(request.url);
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
    const retryAfter = parseRetryAfter(headerString(response, 'retry-after'), this.options.clock.now());
    const envelope = isJson ? readEnvelope(parsed) : undefined;

    // A code we do not know on an HTTP error status (e.g. `{"code":404,"msg":"not found"}` from a
    // wrong base URL) says less than the status does: report the status instead.
    const unknownOnError =
      envelope?.kind === 'business' && !ERROR_CODES[envelope.code] && (status < 200 || status >= 300);
    if (envelope && envelope.kind !== 'ok' && !unknownOnError) {
      // The service's own words go into messages that are stored, shown and logged: redact first.
      const serviceMsg = envelope.msg ? redact(envelope.msg, secrets) : undefined;
      const info = describeCode(envelope.code, serviceMsg);
      const message =
        serviceMsg && !info.message.includes(serviceMsg)
          ? `${info.message} (service: "${serviceMsg}")`
          : info.message;
      const error = new MinerUError({
        phase: request.phase,
        message,
        hint: info.hint,
        code: envelope.code,
        httpStatus: status,
        traceId: envelope.traceId,
        host,
        retryable: info.retryable || status === 429 || status >= 500,
      });
      if (AUTO_RETRY_CODES.has(envelope.code)) {
        return this.fail(
          markTransient(error, {
            kind: 'code',
            ...(retryAfter === undefined ? {} : { afterMs: retryAfter }),
          }),
        );
      }
      if (status === 429 || status >= 500) {
        return this.fail(
          markTransient(error, {
            kind: 'status',
            httpStatus: status,
            ...(retryAfter === undefined ? {} : { afterMs: retryAfter }),
          }),
        );
      }
      return this.fail(error);
    }

    if (status >= 300 && status < 400) {
      const location = headerString(response, 'location');
      let target = 'another address';
      try {
        // safeUrl drops query and user info; the path may still echo the token back.
        if (location) target = redact(safeUrl(new URL(location, request.url).toString()), secrets);
      } catch {
        target = 'an invalid address';
      }
      return this.fail(
        new MinerUError({
          phase: request.phase,
          message: `The server at ${host} redirected the request to ${target}; redirects are not followed`,
          hint: 'Set the API base URL to the final address (e.g. https instead of http)',
          code: `HTTP_${status}`,
          httpStatus: status,
          host,
          retryable: false,
        }),
      );
    }

    if (status < 200 || status >= 300) {
      return this.fail(this.statusError(request, status, host, text, contentType, retryAfter));
    }

    if (!isJson) {
      const html = looksLikeHtml(text, contentType);
      return this.fail(
        new MinerUError({
          phase: request.phase,
          message: html
            ? `The server at ${host} returned an HTML page, not JSON — ${HTML_HINT}`
            : text.trim().length === 0
              ? `The server at ${host} returned an empty response`
              : `The server at ${host} returned a response that is not valid JSON`,
          hint: 'Check the API base URL and your proxy settings, then try again',
          code: 'NOT_JSON',
          httpStatus: status,
          host,
          retryable: true,
        }),
      );
    }

    if (envelope?.kind !== 'ok') {
      return this.fail(
        new MinerUError({
          phase: request.phase,
          message: `The server at ${host} answered in an unexpected format (no "code")`,
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

  private statusError(
    request: JsonRequest,
    status: number,
    host: string,
    text: string,
    contentType: string | undefined,
    retryAfter: number | undefined,
  ): MinerUError {
    const page = looksLikeHtml(text, contentType) ? ' (an HTML page, not JSON)' : '';
    const base = { phase: request.phase, code: `HTTP_${status}`, httpStatus: status, host };
    if (status === 429) {
      const wait = retryAfter === undefined ? '' : `; the service asks to wait ${formatSeconds(retryAfter)}`;
      return markTransient(
        new MinerUError({
          ...base,
          message: `Too many requests to ${host} (HTTP 429)${wait}`,
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
        hint: 'Check the API base URL setting (e.g. https://mineru.net/api/v4)',
        retryable: false,
      });
    }
    return new MinerUError({
      ...base,
      message: `The server at ${host} rejected the request (HTTP ${status})${page}`,
      hint: page ? `Check your proxy settings; ${HTML_HINT}` : 'Check the parse options and the API base URL',
      retryable: false,
    });
  }

  private fail(error: MinerUError): never {
    throw error;
  }
}
