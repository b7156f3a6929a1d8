/**
 * The user's own MinerU server (mineru-api or mineru-router 3.x) as a Service: one task per
 * document, uploaded as a multipart `POST /tasks` (a URL is downloaded here first, without
 * credentials, because the server takes files only), followed by `GET /tasks/{id}` (queue
 * position while it waits, no page progress), its result the zip of `GET /tasks/{id}/result`.
 * A busy server (503) is waited for with growing delays; it is not a failure.
 *
 * No fallback to a 2.x server's `POST /file_parse`: it holds one HTTP request open for the whole
 * parse (minutes to hours for a long document), which reverse proxies cut (nginx: 60 s by default);
 * it has no task id, so nothing survives a window reload or a dropped connection, and no queue
 * position; its 503 "at maximum capacity" refuses work instead of queueing it. Test Connection
 * names a 2.x server and asks for 3.x (the task API).
 */
import type { TaskStatus } from '../../api/types';
import { MinerUError } from '../../errors';
import { downloadForUpload, removeLocalCopy } from '../../files/localCopy';
import type { Acceptance, Service, SubmissionPlan, SubmitItem, UploadOutcome } from '../../tasks/service';
import type { RemoteRef, TaskRecord } from '../../tasks/task';
import { sleep, type Clock } from '../../util/clock';
import { safeUrl, type Logger } from '../../util/logger';
import { SelfHostedClient, type ServerCredential, type ServerTask } from './serverClient';
import { SERVER_BUSY, TASK_NOT_FOUND } from './serverErrors';
import { formFieldsPerPiece, type FormField } from './serverOptions';

/** The configured server: its URL and the credential for the proxy in front of it. */
export interface SelfHostedConnection {
  baseUrl: string;
  credential?: () => Promise<ServerCredential | undefined>;
}

export interface SelfHostedServiceDeps {
  /** The server of the settings now; undefined when none is set. */
  connection: () => SelfHostedConnection | undefined;
  clock: Clock;
  logger: Logger;
  /** Where URLs are downloaded before they are uploaded (a folder of their own each, removed after). */
  downloadDir: string;
  /** Largest URL download, in bytes. */
  maxDownloadBytes: () => number;
  /** Waits after 503 answers to a submission: first, longest, and how many before giving up. */
  busyRetry?: { baseMs: number; maxMs: number; attempts: number };
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

const DEFAULT_BUSY_RETRY = { baseMs: 5_000, maxMs: 120_000, attempts: 12 };

export class SelfHostedService implements Service {
  readonly metered = false;
  readonly backsOffOnRateLimit = false;
  readonly refreshesExpiredLinks = false;
  readonly takesDataId = false;
  readonly referenceKind = 'server' as const;

  private readonly clients = new Map<string, SelfHostedClient>();

  constructor(private readonly deps: SelfHostedServiceDeps) {}

  /**
   * The client for a server. The configured one gets the credential; a task submitted to another
   * server before the setting changed is followed there, without it.
   */
  clientFor(baseUrl?: string): SelfHostedClient {
    const connection = this.deps.connection();
    if (!connection && baseUrl === undefined) throw notConfigured();
    const configured = connection ? new SelfHostedClient({ baseUrl: connection.baseUrl }).baseUrl : undefined;
    const base = baseUrl ?? configured!;
    const withCredential = base === configured && connection?.credential !== undefined;
    const key = `${base}|${withCredential ? 'c' : ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new SelfHostedClient({
        baseUrl: base,
        ...(withCredential ? { credential: connection.credential } : {}),
        logger: this.deps.logger,
        ...(this.deps.timeoutMs ? { timeoutMs: this.deps.timeoutMs } : {}),
        ...(this.deps.idleTimeoutMs ? { idleTimeoutMs: this.deps.idleTimeoutMs } : {}),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  plan(items: readonly SubmitItem[]): SubmissionPlan {
    // One task per document, one upload at a time: the server queues them anyway.
    return {
      parallel: false,
      requests: items.map((item) => ({
        items: [item],
        failurePhase: 'upload' as const,
        send: (live) => this.send(live[0]!),
      })),
    };
  }

  pollKey(remote: RemoteRef): string {
    return `server:${remote.server ?? ''}|${remote.taskId ?? ''}`;
  }

  async poll(tasks: readonly TaskRecord[]): Promise<(TaskStatus | undefined)[]> {
    const remote = tasks[0]!.remote!;
    const client = this.clientFor(remote.server);
    try {
      const ids = remote.parts ?? [remote.taskId!];
      const parts: ServerTask[] = [];
      for (const id of ids) parts.push(await client.getTask(id));
      return [combined(parts, client)];
    } catch (error) {
      // A task the server forgot (restart, retention) or a refused credential ends the task with
      // its own words; anything else (down, busy) is tried again by the poller's backoff.
      if (
        error instanceof MinerUError &&
        (error.code === TASK_NOT_FOUND || error.reason === 'selfHosted.credential')
      ) {
        return [{ state: 'failed', taskId: remote.taskId!, error: error.toJSON() }];
      }
      throw error;
    }
  }

  private send({ task, source }: SubmitItem): Promise<Acceptance[]> {
    const client = this.clientFor();
    // One server task per contiguous piece of the page range; refuses what the server cannot take.
    const pieces = formFieldsPerPiece(task.options);
    const upload = async (
      signal: AbortSignal,
      onProgress: (done: number, total?: number) => void,
    ): Promise<UploadOutcome> => {
      let file: { path: string; size: number; name: string };
      let copy: string | undefined;
      if (source.kind === 'url') {
        const local = await downloadForUpload(source.url, this.deps.downloadDir, {
          maxBytes: this.deps.maxDownloadBytes(),
          signal,
          onProgress,
          logger: this.deps.logger,
        });
        copy = local.path;
        file = { path: local.path, size: local.size, name: local.name };
        this.deps.logger.info(`Downloaded ${safeUrl(source.url)} here to upload it to ${client.host}.`);
      } else {
        file = { path: source.path, size: source.size, name: source.uploadName };
      }
      try {
        const accepted: ServerTask[] = [];
        for (const fields of pieces)
          accepted.push(await this.submitWhenFree(client, file, fields, signal, onProgress));
        const ids = accepted.map((t) => t.taskId);
        this.deps.logger.info(`Submitted "${task.name}" to ${client.host} as task ${ids.join(', ')}.`);
        return {
          remote: {
            kind: 'server',
            server: client.baseUrl,
            taskId: ids[0]!,
            ...(ids.length > 1 ? { parts: ids } : {}),
          },
          status: combined(accepted, client),
        };
      } finally {
        if (copy) await removeLocalCopy(this.deps.downloadDir, copy).catch(() => undefined);
      }
    };
    return Promise.resolve([{ remote: { kind: 'server', server: client.baseUrl }, upload }]);
  }

  /** Submits, waiting with growing delays while the server answers 503. */
  private async submitWhenFree(
    client: SelfHostedClient,
    file: { path: string; size: number; name: string },
    fields: readonly FormField[],
    signal: AbortSignal,
    onProgress: (done: number, total?: number) => void,
  ): Promise<ServerTask> {
    const retry = this.deps.busyRetry ?? DEFAULT_BUSY_RETRY;
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.submit(file, fields, { signal, onProgress });
      } catch (error) {
        if (!(error instanceof MinerUError) || error.code !== SERVER_BUSY || attempt >= retry.attempts)
          throw error;
        const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
        this.deps.logger.warn(
          `${client.host} is busy (HTTP 503); submitting again in ${Math.round(wait / 1000)} s.`,
        );
        await sleep(this.deps.clock, wait, signal);
      }
    }
  }
}

/**
 * The status of a document parsed as several server tasks (one per page piece): failed when one
 * failed, done when all are, running while one runs, else waiting behind the first one's queue.
 */
export function combined(parts: readonly ServerTask[], client: SelfHostedClient): TaskStatus {
  const statuses = parts.map((p) => statusOf(p, client));
  const first = statuses[0]!;
  if (statuses.length === 1) return first;
  const failed = statuses.find((s) => s.state === 'failed');
  if (failed) return { ...failed, taskId: first.taskId! };
  if (statuses.every((s) => s.state === 'done')) return first;
  if (statuses.some((s) => s.state === 'running' || s.state === 'done'))
    return { state: 'running', taskId: first.taskId! };
  const ahead = statuses.map((s) => s.queuedAhead).filter((n): n is number => n !== undefined);
  return {
    state: 'pending',
    taskId: first.taskId!,
    ...(ahead.length ? { queuedAhead: Math.min(...ahead) } : {}),
  };
}

/** The server's status in the engine's terms; a finished task's result is the zip of its result route. */
export function statusOf(task: ServerTask, client: SelfHostedClient): TaskStatus {
  switch (task.status) {
    case 'pending':
      return {
        state: 'pending',
        taskId: task.taskId,
        ...(task.queuedAhead !== undefined ? { queuedAhead: task.queuedAhead } : {}),
      };
    case 'processing':
      return { state: 'running', taskId: task.taskId };
    case 'completed':
      return {
        state: 'done',
        taskId: task.taskId,
        fullZipUrl: client.urlOf(`tasks/${encodeURIComponent(task.taskId)}/result`).toString(),
      };
    case 'failed':
      return { state: 'failed', taskId: task.taskId, errMsg: task.error ?? 'no reason given' };
  }
}

function notConfigured(): MinerUError {
  return new MinerUError({
    phase: 'validate',
    code: 'SELF_HOSTED_NOT_SET',
    message: 'No self-hosted MinerU server is set',
    reason: 'selfHosted.notConfigured',
    hint: 'Set mineru.selfHosted.url to your mineru-api or mineru-router server, e.g. http://127.0.0.1:8000',
    retryable: false,
  });
}
