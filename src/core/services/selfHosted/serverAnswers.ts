/**
 * What a self-hosted MinerU server answers: its task status and health payloads, and how a JSON
 * answer is read (capped, never thrown on) and checked.
 */
import type { Readable } from 'node:stream';
import { MinerUError, type Phase } from '../../errors';

/** A credential for the reverse proxy in front of the server. */
export type ServerCredential =
  { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

export type ServerTaskState = 'pending' | 'processing' | 'completed' | 'failed';

/** The server's task status payload, in camelCase. */
export interface ServerTask {
  taskId: string;
  status: ServerTaskState;
  backend?: string;
  fileNames: string[];
  error?: string;
  queuedAhead?: number;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
}

export interface ServerHealth {
  healthy: boolean;
  status: string;
  version?: string;
  protocolVersion?: string | number;
  queuedTasks?: number;
  processingTasks?: number;
  maxConcurrentRequests?: number;
  error?: string;
}

const MAX_JSON_BYTES = 1_048_576;

/** The answer's JSON, or undefined when it is too large, cut off or not JSON (an abort still throws). */
export async function readJson(body: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON_BYTES) {
        body.destroy();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') throw error;
    return undefined;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const STATES: ReadonlySet<string> = new Set(['pending', 'processing', 'completed', 'failed']);

/** The task status payload, checked; a payload without one is SELF_HOSTED_BAD_ANSWER. */
export function taskOf(json: unknown, phase: Phase, host: string): ServerTask {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  if (typeof o.task_id !== 'string' || typeof o.status !== 'string' || !STATES.has(o.status)) {
    throw new MinerUError({
      phase,
      code: 'SELF_HOSTED_BAD_ANSWER',
      host,
      message: `The server at ${host} answered without a task status; is it a MinerU 3.x server?`,
      reason: 'selfHosted.badAnswer',
      params: { host },
      hint: 'Check mineru.selfHosted.url: it must point at mineru-api or mineru-router 3.x',
      retryable: true,
    });
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    taskId: o.task_id,
    status: o.status as ServerTaskState,
    ...(str(o.backend) ? { backend: str(o.backend)! } : {}),
    fileNames: Array.isArray(o.file_names)
      ? o.file_names.filter((n): n is string => typeof n === 'string')
      : [],
    ...(str(o.error) ? { error: str(o.error)! } : {}),
    ...(typeof o.queued_ahead === 'number' ? { queuedAhead: o.queued_ahead } : {}),
    ...(str(o.created_at) ? { createdAt: str(o.created_at)! } : {}),
    ...(str(o.started_at) ? { startedAt: str(o.started_at)! } : {}),
    ...(str(o.completed_at) ? { completedAt: str(o.completed_at)! } : {}),
  };
}
