import { MinerUError } from '../errors';
import type { RetryDecision, RetryPolicy } from '../util/retry';

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
