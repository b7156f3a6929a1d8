import type { ParseOptions, TransferProgress } from '../api/types';
import type { SerializedError } from '../errors';
import type { ServiceSet } from './service';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { PollerTuning } from './poller';
import type { ImportSummary, TaskMode, TaskRecord, TaskSource } from './task';
import type { TaskStore } from './taskStore';

/** Brings a finished result into the workspace (download + safe extraction). */
export interface ResultImporter {
  importZip(
    task: TaskRecord,
    zipUrl: string,
    signal: AbortSignal,
    onProgress: TransferProgress,
  ): Promise<ImportSummary>;
  importMarkdown(
    task: TaskRecord,
    markdownUrl: string,
    signal: AbortSignal,
    onProgress: TransferProgress,
  ): Promise<ImportSummary>;
}

export interface EngineSettings {
  /** Documents per batch request; larger selections are split. */
  batchLimit: number;
  /** How many results are downloaded and extracted at once. */
  importConcurrency: number;
  /** How often an expired result link is refreshed by polling again before giving up. */
  maxLinkRefreshes: number;
  /** First wait after the quick mode answers HTTP 429; doubles per attempt. */
  rateLimitBaseMs?: number;
  /** Submission requests (precise API) per sliding minute; 0 or unset: no limit. */
  maxSubmissionsPerMinute?: number;
  /** Default `data_id` template ({name}, {date}, {time}, {index}) for documents without one. */
  dataIdTemplate?: string;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  batchLimit: 50,
  importConcurrency: 2,
  maxLinkRefreshes: 3,
};

export interface EngineDeps {
  /** The backend behind each mode (see mineruServices for mineru.net). */
  services: ServiceSet;
  importer: ResultImporter;
  store: TaskStore;
  clock: Clock;
  logger: Logger;
  settings?: () => EngineSettings;
  pollerTuning?: PollerTuning;
  /**
   * The folder (outside the workspace) where documents parsed in parts are split and their parts'
   * results imported, one sub-folder per document. Required by submitFileInParts.
   */
  workRoot?: string;
  /**
   * Merges the parts' results of a document parsed in parts (mergePartResults of
   * src/core/results/partsMerge.ts; injected, as results depends on tasks). Required by submitFileInParts.
   */
  mergeParts?: (request: PartsMergeRequest) => Promise<ImportSummary>;
  /** Where a new task gets its name, e.g. documentNameFromUrl. */
  nameFor: (source: TaskSource) => string;
}

/** What mergePartResults takes: the imported parts in page order, the document's name and folder. */
export interface PartsMergeRequest {
  parts: { folder: string; firstPage: number; lastPage: number }[];
  name: string;
  outputDir: string;
  originPdf?: string;
  signal?: AbortSignal;
}

export interface SubmitRequest {
  outputDir: string;
  options: ParseOptions;
  mode: TaskMode;
  /** This run's `data_id` template; overrides EngineSettings.dataIdTemplate. */
  dataIdTemplate?: string;
}

/** A URL to parse; `dataId` is sent to the service and echoed back. */
export interface UrlItem {
  url: string;
  dataId?: string;
}

/** A local file to upload and parse. */
export interface FileItem {
  path: string;
  size: number;
  /** The name sent to the service; defaults to the file's base name. */
  name?: string;
  dataId?: string;
}

export type EngineEvent =
  | { kind: 'finished'; task: TaskRecord }
  | { kind: 'auth-failed'; error: SerializedError }
  | { kind: 'rate-limited'; task: TaskRecord; retryAt: number }
  /** The queue paused on a quota or queue-full answer; sent once per episode, not per task. */
  | { kind: 'paused'; until: number; error: SerializedError; count: number }
  /**
   * Polling started failing for these tasks (the service is down, refuses, is busy); they keep
   * their place and are polled again with backoff. Sent once per outage, not per round.
   */
  | { kind: 'poll-trouble'; tasks: TaskRecord[]; error: SerializedError };
