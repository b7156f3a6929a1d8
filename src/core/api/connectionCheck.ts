/**
 * "Test Connection": one small request per host the extension depends on (API, batch API,
 * upload storage, result CDN) plus a token check, each reported as passed / failed / skipped
 * with the reason. Any HTTP answer from a host proves it is reachable (a 403 from storage
 * without a signature is normal); failures below HTTP are classified by networkError.
 */
import type * as http from 'node:http';
import type * as https from 'node:https';
import axios from 'axios';
import { errorMessage, MinerUError, type SerializedError } from '../errors';
import { hostLabel } from '../net/hosts';
import { networkError } from '../net/networkError';
import { withTimeout } from '../net/timeout';

export type CheckId = 'api' | 'token' | 'batch' | 'upload' | 'result';

export interface CheckResult {
  id: CheckId;
  /** The URL (never with a query) or host the check went to. */
  target: string;
  outcome: 'passed' | 'failed' | 'skipped';
  /** What was seen: "HTTP 200 in 120 ms", "token accepted", or the reason of the failure. */
  detail: string;
  /** Error code when failed: ENOTFOUND, ECONNREFUSED, ETIMEDOUT, CERT_…, A0202, NO_TOKEN, HTTP_404 … */
  code?: string;
  hint?: string;
  /** The failure as an error (reason and params), for the user's text; `detail`/`hint` are English, for the log. */
  error?: SerializedError;
}

export type Probe = (url: string, signal?: AbortSignal) => Promise<{ status: number }>;

export interface ConnectionCheckInput {
  apiBaseUrl: string;
  /** Only checked separately when it differs from the API base. */
  batchBaseUrl?: string;
  /** A URL on the upload storage (e.g. the OSS bucket), or undefined when unknown. */
  uploadUrl?: string;
  /** A URL on the result CDN, or undefined when unknown. */
  resultUrl?: string;
  /** The token check (MinerUClient.checkConnection). */
  checkToken: (signal?: AbortSignal) => Promise<unknown>;
  probe: Probe;
  now?: () => number;
  signal?: AbortSignal;
}

/** Defaults of the public service (guide §2.4, §2.5). */
export const DEFAULT_UPLOAD_PROBE_URL = 'https://mineru.oss-cn-shanghai.aliyuncs.com/';
export const DEFAULT_RESULT_PROBE_URL = 'https://cdn-mineru.openxlab.org.cn/';

export async function runConnectionChecks(input: ConnectionCheckInput): Promise<CheckResult[]> {
  const now = input.now ?? Date.now;
  const results: CheckResult[] = [];
  const hostCheck = async (id: CheckId, url: string | undefined): Promise<void> => {
    if (!url) {
      results.push({
        id,
        target: '-',
        outcome: 'skipped',
        detail: 'the host is not known for this endpoint (parse a document first, then test again)',
      });
      return;
    }
    const target = stripQuery(url);
    const start = now();
    try {
      const { status } = await input.probe(url, input.signal);
      results.push({ id, target, outcome: 'passed', detail: `HTTP ${status} in ${now() - start} ms` });
    } catch (error) {
      results.push(failure(id, target, error));
    }
  };

  await hostCheck('api', input.apiBaseUrl);
  const start = now();
  try {
    await input.checkToken(input.signal);
    results.push({
      id: 'token',
      target: stripQuery(input.apiBaseUrl),
      outcome: 'passed',
      detail: `token accepted in ${now() - start} ms`,
    });
  } catch (error) {
    results.push(failure('token', stripQuery(input.apiBaseUrl), error));
  }
  if (input.batchBaseUrl && input.batchBaseUrl !== input.apiBaseUrl)
    await hostCheck('batch', input.batchBaseUrl);
  await hostCheck('upload', input.uploadUrl);
  await hostCheck('result', input.resultUrl);
  return results;
}

function failure(id: CheckId, target: string, error: unknown): CheckResult {
  if (error instanceof MinerUError) {
    return {
      id,
      target,
      outcome: 'failed',
      detail: error.message,
      ...(error.code ? { code: error.code } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
      error: error.toJSON(),
    };
  }
  return {
    id,
    target,
    outcome: 'failed',
    detail: errorMessage(error),
  };
}

function stripQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.slice(0, 200);
  }
}

export interface HttpProbeOptions {
  timeoutMs?: number;
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  userAgent?: string;
}

/**
 * A HEAD request (GET when HEAD is refused with 405) that resolves with any HTTP status and
 * rejects with a classified MinerUError below HTTP. No token is ever sent. Like the client, it
 * leaves proxying to VS Code's patched agents (`http.proxy`, HTTPS_PROXY/NO_PROXY).
 */
export function createHttpProbe(options: HttpProbeOptions = {}): Probe {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const instance = axios.create({
    maxRedirects: 0,
    validateStatus: () => true,
    proxy: false,
    timeout: 0,
    httpAgent: options.httpAgent,
    httpsAgent: options.httpsAgent,
    headers: options.userAgent ? { 'User-Agent': options.userAgent } : {},
  });
  const once = (method: 'HEAD' | 'GET', url: string, signal?: AbortSignal): Promise<number> =>
    withTimeout(timeoutMs, signal, async (combined, timedOut) => {
      try {
        const response = await instance.request({ method, url, signal: combined, responseType: 'stream' });
        (response.data as { destroy?: () => void } | undefined)?.destroy?.();
        return response.status;
      } catch (error) {
        if (signal?.aborted) throw error;
        throw networkError(error, 'validate', url, timedOut() ? { ms: timeoutMs } : undefined, []);
      }
    });
  return async (url, signal) => {
    let status = await once('HEAD', url, signal);
    if (status === 405 || status === 501) status = await once('GET', url, signal);
    return { status };
  };
}

/** The proxy in use, for the report: VS Code's `http.proxy` setting wins over the environment. */
export function describeProxy(
  settingProxy: string | undefined,
  env: Record<string, string | undefined>,
  target: string,
): { proxy?: string; source?: string; bypassed?: boolean } {
  const pick = (...names: string[]): [string, string] | undefined => {
    for (const n of names) if (env[n]?.trim()) return [n, env[n].trim()];
    return undefined;
  };
  const noProxy = pick('NO_PROXY', 'no_proxy')?.[1];
  const host = hostLabel(target).replace(/:\d+$/, '');
  const bypassed = noProxy ? matchesNoProxy(host, noProxy) : false;
  if (settingProxy?.trim())
    return { proxy: redactProxy(settingProxy.trim()), source: 'http.proxy', bypassed };
  const https = target.startsWith('https:');
  const fromEnv = https
    ? pick('HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy')
    : pick('HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy');
  if (fromEnv) return { proxy: redactProxy(fromEnv[1]), source: fromEnv[0], bypassed };
  return {};
}

function matchesNoProxy(host: string, noProxy: string): boolean {
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      const e = entry.replace(/:\d+$/, '').toLowerCase();
      if (e === '*') return true;
      const bare = e.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** Never shows proxy credentials. */
export function redactProxy(raw: string): string {
  try {
    const u = new URL(raw.includes('://') ? raw : `http://${raw}`);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}
