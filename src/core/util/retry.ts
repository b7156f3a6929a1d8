import { sleep, type Clock } from './clock';

/** Bounded exponential backoff with full jitter; honours a server-provided delay when given. */
export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 15_000 };

export interface RetryDecision {
  retry: boolean;
  /** A delay the server asked for (Retry-After), in ms. */
  afterMs?: number;
}

export interface RetryContext {
  clock: Clock;
  signal?: AbortSignal;
  policy?: RetryPolicy;
  /** Source of randomness in [0, 1); tests pass a constant. */
  random?: () => number;
  /** Called before each wait, e.g. to log "retrying in 2 s". */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the ceiling, so retries never bunch up at zero.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Parses a Retry-After header value (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  context: RetryContext,
): Promise<T> {
  const policy = context.policy ?? DEFAULT_RETRY;
  const random = context.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (context.signal?.aborted || attempt >= policy.maxAttempts) throw error;
      const decision = classify(error);
      if (!decision.retry) throw error;
      const delay = Math.min(
        policy.maxDelayMs * 4,
        Math.max(decision.afterMs ?? 0, backoffDelay(attempt, policy, random)),
      );
      context.onRetry?.(attempt, delay, error);
      await sleep(context.clock, delay, context.signal);
    }
  }
}
