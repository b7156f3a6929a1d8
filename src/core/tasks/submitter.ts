import type { TaskStatus } from '../api/types';
import type { Phase } from '../errors';
import type { Acceptance, PlannedRequest, Service, ServiceSet, SubmitItem } from './service';
import { isAbortError } from '../util/clock';
import type { EngineSettings } from './engineTypes';
import type { InFlightRequests } from './inFlight';
import { isQuotaCode } from './quota';
import type { SubmissionRateLimiter } from './submissionRateLimiter';
import type { QueuePolicy } from './queuePolicy';
import { sourceOfTask } from './source';
import type { TaskRecord } from './task';
import { isAuthCode, toSerialized } from './taskErrors';
import type { TaskUpdates } from './taskUpdates';

export interface SubmitterDeps {
  updates: TaskUpdates;
  inFlight: InFlightRequests;
  services: ServiceSet;
  policy: QueuePolicy;
  limiter: SubmissionRateLimiter;
  /** Aborted on dispose: ends waits for a submission slot. */
  lifetime: AbortSignal;
  settings: () => EngineSettings;
  /** A status a service answered at submission (applied as a poll would). */
  applyStatus: (task: TaskRecord, status: TaskStatus) => void;
  /** New work for the poller. */
  wake: () => void;
}

/**
 * Sends documents to their service: the service plans the requests (single, batch, upload, one
 * per document); this applies what every request shares: the rate limit and the quota pause of
 * metered services, the 429 backoff, the uploads with progress, and how failures are recorded.
 */
export class Submitter {
  constructor(private readonly deps: SubmitterDeps) {}

  /** Sends documents that share mode, options and source kind, as their service plans it. */
  async send(items: readonly SubmitItem[], fresh: boolean): Promise<void> {
    if (items.length === 0) return;
    const service = this.deps.services[items[0]!.task.mode];
    const plan = service.plan(items, { batchLimit: this.deps.settings().batchLimit, fresh });
    if (plan.parallel) await Promise.all(plan.requests.map((r) => this.request(service, r)));
    else for (const r of plan.requests) await this.request(service, r);
  }

  /** Sends tasks that never reached the service, in the same grouping a fresh submission would use. */
  async resend(tasks: readonly TaskRecord[]): Promise<void> {
    const groups = new Map<string, TaskRecord[]>();
    for (const t of tasks) {
      const key = `${t.source.kind}|${t.mode}|${t.outputDir}|${JSON.stringify(t.options)}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    for (const group of groups.values()) await this.send(group.map(itemOf), false);
  }

  private async request(service: Service, request: PlannedRequest): Promise<void> {
    const { updates, inFlight, policy } = this.deps;
    // Only documents still wanted (not removed or cancelled meanwhile) are sent.
    const live = request.items.flatMap((item) => {
      const task = updates.store.get(item.task.id);
      return task ? [{ task, source: item.source }] : [];
    });
    if (live.length === 0) return;
    const tasks = live.map((i) => i.task);
    if (service.metered && policy.hold(tasks)) return;
    const controllers = new Map<string, AbortController>();
    const signalFor = (task: TaskRecord): AbortSignal => {
      let controller = controllers.get(task.id);
      if (!controller) controllers.set(task.id, (controller = inFlight.track(task.id)));
      return controller.signal;
    };
    let accepted: Acceptance[];
    try {
      if (service.metered) await this.deps.limiter.acquire(this.deps.lifetime);
      accepted = await request.send(live, { signalFor });
      if (service.metered) policy.submitted();
    } catch (error) {
      for (const [id, controller] of controllers) inFlight.untrack(id, controller);
      this.failed(service, tasks, request.failurePhase ?? 'submit', error);
      return;
    }
    this.accept(live, accepted);
    for (const [index, { task }] of live.entries()) {
      const upload = accepted[index]?.upload;
      if (!upload) continue;
      if (!updates.store.get(task.id)) continue; // removed meanwhile
      const controller = controllers.get(task.id) ?? inFlight.track(task.id);
      controllers.set(task.id, controller);
      try {
        const outcome = await upload(controller.signal, updates.progressReporter(task.id));
        const next = updates.update(
          task.id,
          outcome
            ? { state: 'pending', remote: outcome.remote, transfer: undefined }
            : { state: 'waiting-file', transfer: undefined },
        );
        if (next && outcome?.status) this.deps.applyStatus(next, outcome.status);
      } catch (error) {
        this.failed(service, [task], 'upload', error);
      } finally {
        inFlight.untrack(task.id, controller);
      }
    }
    for (const [id, controller] of controllers) inFlight.untrack(id, controller);
  }

  private accept(live: readonly SubmitItem[], accepted: readonly Acceptance[]): void {
    const { updates } = this.deps;
    const now = updates.clock.now();
    void updates.store.transaction(() => {
      live.forEach(({ task }, index) => {
        const answer = accepted[index];
        if (!answer) return;
        const next = updates.update(task.id, {
          state: answer.upload ? 'uploading' : 'pending',
          remote: answer.remote,
          submittedAt: now,
          error: undefined,
        });
        if (next && answer.status) this.deps.applyStatus(next, answer.status);
      });
    });
  }

  private failed(service: Service, tasks: readonly TaskRecord[], phase: Phase, error: unknown): void {
    if (isAbortError(error)) return;
    const only = tasks.length === 1 ? tasks[0]! : undefined;
    const resend = (task: TaskRecord): void =>
      void this.send([itemOf(task)], false).then(() => this.deps.wake());
    if (only && service.backsOffOnRateLimit && this.deps.policy.backoff(only, error, resend)) return;
    const err = toSerialized(phase, error);
    const ids = tasks.map((t) => t.id);
    if (phase === 'submit' && isQuotaCode(err.code)) {
      this.deps.policy.pauseFor(ids, err, 'submit');
      return;
    }
    const { updates } = this.deps;
    if (isAuthCode(err.code)) updates.emit({ kind: 'auth-failed', error: err });
    void updates.store.transaction(() => {
      for (const id of ids) updates.fail(id, err);
    });
  }
}

function itemOf(task: TaskRecord): SubmitItem {
  return { task, source: sourceOfTask(task.source) };
}
