/**
 * The quick (token-free agent) API: one request per document, URLs at once and files one after
 * another (a task id and a presigned link, then the PUT). Markdown only; limited per IP (HTTP 429).
 */
import type { AgentOptions } from '../../api/types';
import type { SerializedError } from '../../errors';
import type { RemoteRef, TaskRecord } from '../../tasks/task';
import type { MinerUApi } from '../../api/mineruApi';
import type {
  Acceptance,
  FailureHint,
  RequestContext,
  Service,
  SubmissionPlan,
  SubmitItem,
} from '../../tasks/service';

export class AgentService implements Service {
  readonly metered = false;
  readonly backsOffOnRateLimit = true;
  readonly refreshesExpiredLinks = false;
  readonly takesDataId = false;
  readonly referenceKind = 'agent' as const;

  constructor(private readonly api: MinerUApi) {}

  plan(items: readonly SubmitItem[], limits: { fresh: boolean }): SubmissionPlan {
    return {
      // A fresh selection of URLs goes out at once; uploads (and resubmissions) one by one.
      parallel: limits.fresh && items.every((i) => i.source.kind === 'url'),
      requests: items.map((item) => ({
        items: [item],
        // A file's request and its PUT fail as one step: the upload.
        failurePhase: item.source.kind === 'file' ? ('upload' as const) : ('submit' as const),
        send: (live, ctx) => this.send(live[0]!, ctx),
      })),
    };
  }

  pollKey(remote: RemoteRef): string {
    return `${remote.kind}:${remote.taskId}`;
  }

  async poll(tasks: readonly TaskRecord[]) {
    return [await this.api.agentGetTask(tasks[0]!.remote!.taskId!)];
  }

  failureHint(error: SerializedError): FailureHint | undefined {
    if (!error.code || !error.code.startsWith('-3000')) return undefined;
    return {
      hint: `${error.hint ?? ''}; or set an API token for the precise mode`.replace(/^; /, ''),
      hintKind: 'preciseMode',
    };
  }

  private async send({ task, source }: SubmitItem, ctx: RequestContext): Promise<Acceptance[]> {
    if (source.kind === 'url') {
      const { taskId } = await this.api.agentParseUrl(source.url, agentOptions(task));
      return [{ remote: { kind: 'agent', taskId } }];
    }
    const signal = ctx.signalFor(task);
    const { taskId, fileUrl } = await this.api.agentParseFile(source.uploadName, agentOptions(task), signal);
    return [
      {
        remote: { kind: 'agent', taskId },
        upload: (uploadSignal, onProgress) =>
          this.api.uploadFile(fileUrl, source.path, { signal: uploadSignal, onProgress }),
      },
    ];
  }
}

function agentOptions(task: TaskRecord): AgentOptions {
  const o = task.options;
  return {
    ...(o.language ? { language: o.language } : {}),
    ...(o.pageRanges ? { pageRange: o.pageRanges } : {}),
    ...(o.enableTable !== undefined ? { enableTable: o.enableTable } : {}),
    ...(o.isOcr !== undefined ? { isOcr: o.isOcr } : {}),
    ...(o.enableFormula !== undefined ? { enableFormula: o.enableFormula } : {}),
  };
}
