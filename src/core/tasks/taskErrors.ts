import type { TaskStatus } from '../api/types';
import { taskFailureError } from '../api/errorCodes';
import { errorMessage, MinerUError, type Phase, type SerializedError } from '../errors';
import type { Service } from './service';
import type { TaskRecord } from './task';

/** Answers that mean the token was refused: the user is told, the tasks wait for a new token. */
export const AUTH_CODES: ReadonlySet<string> = new Set(['A0202', 'A0211']);

export function isAuthCode(code: string | undefined): boolean {
  return code !== undefined && AUTH_CODES.has(code);
}

/** The error a failed status stands for, with the service's hint or one for unreachable URLs. */
export function failureFromStatus(status: TaskStatus, task: TaskRecord, service: Service): SerializedError {
  const error = taskFailureError(status).toJSON();
  const unreachable = /read timeout|unreachable|fetch/i.test(status.errMsg ?? '');
  const better =
    service.failureHint?.(error) ??
    (unreachable && task.source.kind === 'url'
      ? {
          hint: 'The service could not fetch the URL; check that it is publicly reachable, then Retry',
          hintKind: 'urlUnreachable',
        }
      : undefined);
  return {
    ...error,
    ...(task.remote?.traceId ? { traceId: task.remote.traceId } : {}),
    ...(better ? { params: { ...error.params, hintKind: better.hintKind } } : {}),
    hint: better ? better.hint : error.hint,
  };
}

export function toSerialized(phase: Phase, error: unknown): SerializedError {
  if (error instanceof MinerUError) {
    const json = error.toJSON();
    return { ...json, phase: json.phase ?? phase };
  }
  return {
    phase,
    reason: 'task.unexpected',
    params: { detail: errorMessage(error) },
    message: errorMessage(error),
    hint: 'Check the MinerU log for details, then Retry',
    retryable: true,
  };
}
