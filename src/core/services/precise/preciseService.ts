/**
 * The precise (token) API: one remote URL as a single task, several as batches split at the
 * batch limit, local files through a batch of presigned upload links. Polled per task or per batch.
 */
import type { FileDocument, UrlDocument } from '../../api/types';
import { MinerUError } from '../../errors';
import { safeUrl, type Logger } from '../../util/logger';
import type { RemoteRef, TaskRecord } from '../../tasks/task';
import type { MinerUApi } from '../../api/mineruApi';
import type { Acceptance, PlannedRequest, Service, SubmissionPlan, SubmitItem } from '../../tasks/service';
import { matchBatchItem } from './batchItems';

export class PreciseService implements Service {
  readonly metered = true;
  readonly backsOffOnRateLimit = false;
  readonly refreshesExpiredLinks = true;
  readonly takesDataId = true;
  readonly referenceKind = 'task' as const;

  constructor(
    private readonly api: MinerUApi,
    private readonly logger: Logger,
  ) {}

  plan(items: readonly SubmitItem[], limits: { batchLimit: number }): SubmissionPlan {
    const request =
      (send: PlannedRequest['send']) =>
      (group: SubmitItem[]): PlannedRequest => ({
        items: group,
        send,
      });
    if (items[0]?.source.kind === 'file') {
      return {
        parallel: false,
        requests: chunks(items, limits.batchLimit).map(request((g) => this.upload(g))),
      };
    }
    if (items.length === 1)
      return { parallel: false, requests: [request((g) => this.single(g[0]!))([...items])] };
    return { parallel: false, requests: chunks(items, limits.batchLimit).map(request((g) => this.batch(g))) };
  }

  pollKey(remote: RemoteRef): string {
    return remote.kind === 'batch' ? `batch:${remote.batchId}` : `${remote.kind}:${remote.taskId}`;
  }

  async poll(tasks: readonly TaskRecord[]) {
    const first = tasks[0]!.remote!;
    if (first.kind !== 'batch') return [await this.api.getTask(first.taskId!)];
    const batch = await this.api.getBatch(first.batchId!);
    this.logger.debug(`Polled ${this.pollKey(first)}: ${batch.items.length} items.`);
    return tasks.map((task) => matchBatchItem(batch, task));
  }

  private async single({ task, source }: SubmitItem): Promise<Acceptance[]> {
    if (source.kind !== 'url') return [];
    const doc: UrlDocument = { url: source.url, ...dataIdOf(task) };
    const { taskId, traceId } = await this.api.submitTask(doc, task.options);
    this.logger.info(`Submitted ${safeUrl(source.url)} as task ${taskId}.`);
    return [{ remote: { kind: 'task', taskId, ...(traceId ? { traceId } : {}), ...dataIdOf(task) } }];
  }

  private async batch(items: readonly SubmitItem[]): Promise<Acceptance[]> {
    const docs: UrlDocument[] = items.map(({ task, source }) => ({
      url: (source as { url: string }).url,
      ...dataIdOf(task),
    }));
    const { batchId, traceId } = await this.api.submitBatch(docs, items[0]!.task.options);
    this.logger.info(`Submitted a batch of ${items.length} URLs as batch ${batchId}.`);
    return items.map(({ task }, index) => ({
      remote: { kind: 'batch', batchId, index, ...(traceId ? { traceId } : {}), ...dataIdOf(task) },
    }));
  }

  private async upload(items: readonly SubmitItem[]): Promise<Acceptance[]> {
    const files: FileDocument[] = items.map(({ task, source }) => ({
      name: source.kind === 'file' ? source.uploadName : '',
      ...dataIdOf(task),
    }));
    const urls = await this.api.requestUploadUrls(files, items[0]!.task.options);
    if (urls.fileUrls.length !== items.length) {
      throw new MinerUError({
        phase: 'submit',
        reason: 'service.uploadLinkCount',
        params: { links: urls.fileUrls.length, files: items.length },
        message: `the service returned ${urls.fileUrls.length} upload links for ${items.length} files`,
        hint: 'Retry; if it persists, submit the files one by one',
        retryable: true,
      });
    }
    return items.map(({ task, source }, index) => ({
      remote: {
        kind: 'batch',
        batchId: urls.batchId,
        index,
        ...(urls.traceId ? { traceId: urls.traceId } : {}),
        ...dataIdOf(task),
      },
      upload: (signal, onProgress) =>
        this.api.uploadFile(urls.fileUrls[index]!, source.kind === 'file' ? source.path : '', {
          signal,
          onProgress,
        }),
    }));
  }
}

function dataIdOf(task: TaskRecord): { dataId?: string } {
  return task.remote?.dataId ? { dataId: task.remote.dataId } : {};
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const n = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
