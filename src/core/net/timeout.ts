import { abortReason } from '../util/clock';

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

/** A duration for a message: "250 ms", "1.5 s". */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
