import type { SerializedError } from '../core/errors';
import type { TaskRecord } from '../core/tasks/task';

/** Service codes of a URL task refused for its size (-60005) or its page count (-60006). */
const OVER_LIMIT_CODES: ReadonlySet<string> = new Set(['-60005', '-60006']);

export function isOverLimitError(error: SerializedError | undefined): boolean {
  return !!error?.code && OVER_LIMIT_CODES.has(error.code);
}

/** A URL task that failed only because the document is beyond the service's limits: it can be split. */
export function isOverLimitFailure(task: TaskRecord): boolean {
  return (
    task.source.kind === 'url' &&
    task.state === 'failed' &&
    !task.parts &&
    !task.part &&
    isOverLimitError(task.error)
  );
}
