/**
 * The HTTP layer of the API client: one axios instance, retries, cancellation and request logging.
 * How an answer (envelope, status, body) becomes data or an error is `httpAnswer.ts`; network
 * failures, timeouts and the retry classes come from `core/net/`.
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
import { errorMessage, MinerUError } from '../errors';
import { hostLabel } from '../net/hosts';
import { networkError } from '../net/networkError';
import { classifyRetry } from '../net/retryClassification';
import { formatSeconds, withTimeout } from '../net/timeout';
import type { Clock } from '../util/clock';
import { redact, safeUrl, type Logger } from '../util/logger';
import { withRetry, type RetryPolicy } from '../util/retry';
import { interpretAnswer, type JsonRequest, type JsonResult } from './httpAnswer';

export interface TransportOptions {
  clock: Clock;
  logger: Logger;
  random: () => number;
  retry: RetryPolicy;
  /** Per-request timeout for JSON API calls. */
  timeoutMs: number;
  /** Hooks for VS Code's proxy support: custom agents (also for the upload) or an explicit axios proxy. */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  /** Default `false`: no environment-variable proxy; VS Code's proxy support patches the agents. */
  proxy?: AxiosProxyConfig | false;
  userAgent?: string;
}

export type { JsonRequest, JsonResult } from './httpAnswer';

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
            reason: 'auth.noToken',
            hint: 'Set an API token (create one at https://mineru.net/apiManage/token)',
            code: 'NO_TOKEN',
            host: hostLabel(request.url),
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
        logger.info(`✗ ${label} failed after ${ms} ms: ${redact(errorMessage(error), secrets)}`);
      }
      throw error;
    }
    const ms = clock.now() - started;
    try {
      const result = interpretAnswer(request, response, secrets, clock.now());
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
}
