import type { TaskStatus } from '../../../src/core/api/types';
import type { Acceptance, Service, SubmissionPlan, SubmitItem } from '../../../src/core/tasks/service';
import type { RemoteRef, TaskRecord } from '../../../src/core/tasks/task';

/**
 * A backend that lives in memory: every document is its own request, and each poll moves it one
 * step (pending, running with pages, done with a result link). Written against the Service port
 * only, as a new backend would be; it records what the engine asked of it.
 */
export class InMemoryService implements Service {
  readonly metered = false;
  readonly backsOffOnRateLimit = false;
  readonly refreshesExpiredLinks = false;
  readonly takesDataId = false;
  readonly referenceKind = 'task' as const;

  readonly calls: string[] = [];
  private readonly polls = new Map<string, number>();
  private n = 0;

  constructor(private readonly steps = 2) {}

  plan(items: readonly SubmitItem[], limits: { fresh: boolean }): SubmissionPlan {
    this.calls.push(`plan ${items.length} fresh=${limits.fresh}`);
    return {
      parallel: false,
      requests: items.map((item) => ({ items: [item], send: (live) => this.accept(live) })),
    };
  }

  pollKey(remote: RemoteRef): string {
    return `memory:${remote.taskId}`;
  }

  poll(tasks: readonly TaskRecord[]): Promise<(TaskStatus | undefined)[]> {
    const id = tasks[0]!.remote!.taskId!;
    const count = (this.polls.get(id) ?? 0) + 1;
    this.polls.set(id, count);
    this.calls.push(`poll ${id}`);
    if (count > this.steps) {
      return Promise.resolve([{ state: 'done', taskId: id, fullZipUrl: `memory://results/${id}.zip` }]);
    }
    return Promise.resolve([
      { state: 'running', taskId: id, progress: { extractedPages: count, totalPages: this.steps + 1 } },
    ]);
  }

  private accept(items: readonly SubmitItem[]): Promise<Acceptance[]> {
    return Promise.resolve(
      items.map(({ source }) => {
        const taskId = `m${++this.n}`;
        this.calls.push(`submit ${source.kind === 'url' ? source.url : source.uploadName} as ${taskId}`);
        return { remote: { kind: 'task' as const, taskId } };
      }),
    );
  }
}
