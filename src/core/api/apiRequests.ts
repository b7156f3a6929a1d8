import { MinerUError, type Phase } from '../errors';
import { travelsInClear } from '../net/credentials';
import { hostLabel } from '../net/hosts';
import type { RetryMode } from '../net/retryClassification';
import { invalid } from './requestChecks';
import type { Logger } from '../util/logger';
import { GuardError } from './guards';
import type { HttpTransport, JsonResult } from './http';

/** One API call: where it goes, which phase it belongs to, and how it may be retried. */
export interface ApiRequest {
  method: 'GET' | 'POST';
  base: string;
  path: string;
  phase: Phase;
  /** How a failed attempt may be tried again (see RetryMode). */
  retry: RetryMode;
  signal: AbortSignal | undefined;
  body?: unknown;
}

/**
 * How the client talks to the API: token requests (refused over plain HTTP without consent),
 * agent requests (never a token), and answers read through guards.
 */
export class ApiRequests {
  constructor(
    private readonly deps: {
      transport: HttpTransport;
      baseUrl: string;
      agentBaseUrl: string;
      getToken: () => Promise<string | undefined>;
      allowInsecureHttp: (origin: string) => boolean;
      logger: Logger;
    },
  ) {}

  readonly unknownState = (raw: string): void => {
    this.deps.logger.warn(
      `Unknown task state "${raw.slice(0, 40)}" from the service; treating it as pending`,
    );
  };

  /** A request to the token API (after the plain-HTTP consent check). */
  withToken(request: ApiRequest): Promise<JsonResult> {
    const { method, base, path, phase, retry, signal, body } = request;
    const url = base + path;
    const parsed = new URL(url);
    if (travelsInClear(parsed) && !this.deps.allowInsecureHttp(parsed.origin)) {
      const setting = base === this.deps.baseUrl ? 'mineru.apiBaseUrl' : 'mineru.batchApiBaseUrl';
      return Promise.reject(
        new MinerUError({
          phase,
          reason: 'http.insecure',
          params: { host: parsed.host, setting, origin: parsed.origin },
          message: `The API address ${parsed.host} uses plain HTTP; the token would be sent unencrypted`,
          hint: `Use an https:// address in the setting ${setting}, or run the command again and answer "Send over HTTP" to allow ${parsed.origin}`,
          code: 'INSECURE_HTTP',
          host: parsed.host,
          retryable: false,
        }),
      );
    }
    return this.deps.transport.requestJson({
      method,
      url,
      body,
      phase,
      mode: retry,
      signal,
      auth: this.deps.getToken,
    });
  }

  /** Agent requests: the same transport, but never an `auth` supplier, so never Authorization. */
  agent(request: Omit<ApiRequest, 'base'>): Promise<JsonResult> {
    const { method, path, phase, retry, signal, body } = request;
    return this.deps.transport.requestJson({
      method,
      url: this.deps.agentBaseUrl + path,
      body,
      phase,
      mode: retry,
      signal,
    });
  }

  /** Reads the answer with `read`; a shape it does not expect becomes BAD_RESPONSE. */
  guard<T>(result: JsonResult, base: string, phase: Phase, read: (data: unknown) => T): T {
    try {
      return read(result.data);
    } catch (error) {
      if (!(error instanceof GuardError)) throw error;
      const host = hostLabel(base);
      this.deps.logger.warn(
        `Unexpected response from ${host}: ${error.message} (trace ${result.traceId ?? '-'})`,
      );
      throw new MinerUError({
        phase,
        reason: 'http.badResponse',
        params: { host, detail: error.message },
        message: `The server at ${host} sent an unexpected response: ${error.message}`,
        hint: 'Try again; if it keeps happening, check the API base URL or report it with the trace id',
        code: 'BAD_RESPONSE',
        httpStatus: result.httpStatus,
        traceId: result.traceId,
        host,
        retryable: false,
      });
    }
  }
}

/** An id as a URL path segment; an empty one is refused before anything is sent. */
export function idSegment(id: string, what: string): string {
  if (!id || !id.trim())
    throw invalid('input.emptyId', `The ${what} is empty`, 'Parse the document again', { what });
  return encodeURIComponent(id.trim());
}
