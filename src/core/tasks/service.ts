/**
 * The port every parsing backend implements. The engine knows only this: it asks a service to
 * plan a submission into requests, sends them, follows the answers by polling, and imports the
 * result the statuses point at. A new backend is a new folder next to precise/ and agent/ and a
 * new entry in the ServiceSet; no engine code changes.
 */
import type { SerializedError } from '../errors';
import type { TaskStatus, TransferProgress } from '../api/types';
import type { Source } from './source';
import type { RemoteRef, TaskMode, TaskRecord } from './task';

/** One document of a submission: its task record and what its request needs. */
export interface SubmitItem {
  readonly task: TaskRecord;
  readonly source: Source;
}

/** What the service answered for one document of a request. */
export interface Acceptance {
  remote: RemoteRef;
  /**
   * The bytes still to send before the service starts (a presigned PUT); the engine runs it with
   * an abort signal and byte progress. Absent: the service has the document.
   */
  upload?: (signal: AbortSignal, onProgress: TransferProgress) => Promise<void>;
  /** A status known at once (a service that answers synchronously); applied as a poll would. */
  status?: TaskStatus;
}

/** Hooks the engine lends a request while it runs. */
export interface RequestContext {
  /** A signal that aborts when the task is removed or the engine is disposed. */
  signalFor(task: TaskRecord): AbortSignal;
}

/** One request of a plan, over some documents; sent with the ones still wanted at its turn. */
export interface PlannedRequest {
  readonly items: readonly SubmitItem[];
  /**
   * The phase a failure of this request is recorded under; default `submit` (which may pause the
   * queue on a quota answer). A request that only opens an upload may say `upload`.
   */
  readonly failurePhase?: 'submit' | 'upload';
  /** Sends the request; one acceptance per item, in order. Throws the service's error. */
  send(items: readonly SubmitItem[], ctx: RequestContext): Promise<Acceptance[]>;
}

export interface SubmissionPlan {
  /** Whether the requests may run at once (else one after another, in order). */
  readonly parallel: boolean;
  readonly requests: readonly PlannedRequest[];
}

export interface Service {
  /** Requests count against the account: the submission rate limit applies and quota pauses hold them. */
  readonly metered: boolean;
  /** An HTTP 429 answer reschedules the submission with a growing delay instead of failing it. */
  readonly backsOffOnRateLimit: boolean;
  /** An expired result link is refreshed by polling again. */
  readonly refreshesExpiredLinks: boolean;
  /** Documents carry a `data_id` (rendered from the template when none is given). */
  readonly takesDataId: boolean;
  /** The kind of a task's reference before the service has answered (it carries a given data_id). */
  readonly referenceKind: RemoteRef['kind'];
  /**
   * Splits documents that share mode, options and source kind into requests. `fresh` is false when
   * they are sent again (retry, end of a pause, rate-limit backoff).
   */
  plan(items: readonly SubmitItem[], limits: { batchLimit: number; fresh: boolean }): SubmissionPlan;
  /** Tasks with the same key are followed by one poll request. */
  pollKey(remote: RemoteRef): string;
  /** Statuses of a group of tasks with the same key, in order (undefined: nothing known yet). */
  poll(tasks: readonly TaskRecord[]): Promise<(TaskStatus | undefined)[]>;
  /**
   * A better hint for a failure this service reported, if it has one: its English text and the
   * `hintKind` param the glue words it by (src/vscode/errorText.ts).
   */
  failureHint?(error: SerializedError): FailureHint | undefined;
}

/** A service's own next step for a failure it reported. */
export interface FailureHint {
  hint: string;
  hintKind: string;
}

/** The service behind each mode. */
export type ServiceSet = Readonly<Record<TaskMode, Service>>;
