/**
 * Answers that mean "not now" for the whole account rather than "this document is bad": the
 * daily task limit (-60018), the HTML quota (-60019) and a full submission queue (-60009). The
 * engine pauses its queue on them instead of failing every task (guide §3.2, §3.3).
 */
export const QUOTA_CODES: ReadonlySet<string> = new Set(['-60018', '-60019', '-60009']);

export function isQuotaCode(code: string | undefined): boolean {
  return code !== undefined && QUOTA_CODES.has(code);
}

const HOUR_MS = 3_600_000;
const QUEUE_FULL_BASE_MS = 60_000;
const QUEUE_FULL_MAX_MS = 15 * 60_000;

/**
 * When a paused queue is tried again. A daily quota is not worth hammering: the next full hour
 * (at least five minutes away). A full queue drains quickly: one minute, doubling per repeated
 * pause, up to 15 minutes.
 */
export function quotaRetryAt(code: string, now: number, streak: number): number {
  if (code === '-60009') {
    return now + Math.min(QUEUE_FULL_MAX_MS, QUEUE_FULL_BASE_MS * 2 ** Math.max(0, streak));
  }
  let next = Math.ceil((now + 1) / HOUR_MS) * HOUR_MS;
  if (next - now < 5 * 60_000) next += HOUR_MS;
  return next;
}
