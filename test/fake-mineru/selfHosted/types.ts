// Public types of the self-hosted fake: options, the recorded requests, faults, task views and the
// handle. The behaviour they describe follows the open-source server (opendatalab/MinerU 3.4.4,
// mineru/cli/fast_api.py, api_request.py, router.py); README.md has the field-by-field table.
import type { DropFault, FailFault, RouteFault } from '../types';

export type SelfHostedStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface SelfHostedAuth {
  /** Bearer tokens the "reverse proxy" lets through (`Authorization: Bearer <t>`). */
  bearer?: string[];
  /** Basic credentials the proxy lets through (`Authorization: Basic base64(user:password)`). */
  basic?: { user: string; password: string }[];
  /** Bearer tokens that are known but not allowed: 403 instead of 401. */
  forbidden?: string[];
  /** Realm in `WWW-Authenticate` (default "MinerU"). */
  realm?: string;
}

export interface FakeSelfHostedOptions {
  host?: string;
  port?: number;
  /**
   * The server's version (default "3.4.4"). A version starting with "2." serves the 2.x API: only
   * the synchronous `POST /file_parse` (no `/health`, no `/tasks`), the flat 2.x zip, and the 2.x
   * "Server is at maximum capacity" 503.
   */
  version?: string;
  /**
   * Act as `mineru-router` in front of `workers` upstream mineru-api servers (default 1): `/health`
   * sums the workers and lists them under `servers`; with no healthy worker, submissions answer 503.
   */
  router?: boolean | { workers?: number };
  /**
   * Tasks processed at once (the server's MINERU_API_MAX_CONCURRENT_REQUESTS, default 3; 1 on macOS).
   * 3.x queues the rest (`pending`, `queued_ahead`); 2.x answers 503 "at maximum capacity" when all
   * slots are busy (its default there is 0 = unlimited).
   */
  maxConcurrent?: number;
  /** Reported on /health (default 64). */
  processingWindowSize?: number;
  /** MINERU_API_TASK_RETENTION_SECONDS (default 86400; 0 = never expire). Fractions allowed. */
  retentionSeconds?: number;
  /** MINERU_API_TASK_CLEANUP_INTERVAL_SECONDS (default 300). Fractions allowed. */
  cleanupIntervalSeconds?: number;
  /** As in the cloud fake: 'timed' (default), 'manual' or 'per-poll' (GET /tasks/{id} moves tasks). */
  progress?: 'timed' | 'manual' | 'per-poll';
  /** Step interval of 'timed' progress (default 300 ms). */
  stepMs?: number;
  /** Pages of a document without a `pages-<N>` keyword (default 3). */
  pages?: number;
  /** A reverse proxy in front of the server that checks credentials (the server itself has none). */
  auth?: SelfHostedAuth;
  /**
   * The server was bound to 0.0.0.0/:: (public): *-http-client backends and server_url answer 400
   * unless `allowPublicHttpClient` (the `--allow-public-http-client` flag).
   */
  publicBind?: boolean;
  allowPublicHttpClient?: boolean;
  /** GZipMiddleware(minimum_size=1000) as in the server (default true). */
  gzip?: boolean;
  /** Largest request body accepted (default 512 MiB); larger → 413 from the "proxy". */
  maxBodyBytes?: number;
}

export interface RecordedUpload {
  field: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface SelfHostedRequest {
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Multipart or urlencoded form fields (every value, in order). */
  fields: Record<string, string[]>;
  /** Multipart file parts. */
  files: RecordedUpload[];
  bodyBytes: number;
  /** The status the fake answered. */
  status?: number;
}

export interface SelfHostedFaults {
  /** Any HTTP error from "something in front" (proxy, load balancer); default body nginx HTML. */
  failNext?: FailFault | FailFault[];
  /** Read the request, never answer. */
  hangNext?: RouteFault | RouteFault[];
  /** Send headers + part of the body, destroy the socket. */
  dropNext?: DropFault | DropFault[];
  /**
   * The next matching requests answer the 2.x server's 503 `{"detail":"Server is at maximum capacity:
   * N. Please try again later."}` (N = maxConcurrent). 3.x itself queues instead (it never sends
   * this); the fault is for a client's handling of a busy server, in any mode.
   */
  busyNext?: RouteFault | RouteFault[];
  /**
   * The task manager is broken: /health answers 503 {"status":"unhealthy", error}. In router mode
   * every worker is unhealthy, so submissions answer 503 "No healthy upstream MinerU API servers are
   * available".
   */
  unhealthy?: string;
}

export interface SelfHostedTaskView {
  taskId: string;
  status: SelfHostedStatus;
  backend: string;
  fileNames: string[];
  uploadNames: string[];
  effort: string;
  parseMethod: string;
  langList: string[];
  formulaEnable: boolean;
  tableEnable: boolean;
  imageAnalysis: boolean;
  serverUrl: string | null;
  startPageId: number;
  endPageId: number;
  returnFlags: Record<string, boolean>;
  responseFormatZip: boolean;
  pages: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  queuedAhead: number;
  polls: number;
  /** true for the task behind a synchronous /file_parse. */
  sync: boolean;
}

export interface FakeSelfHosted {
  /** http://127.0.0.1:P (the server's root: /health, /tasks, /file_parse). */
  baseUrl: string;
  version: string;
  requests: SelfHostedRequest[];
  faults: SelfHostedFaults;
  tasks(): SelfHostedTaskView[];
  /** One step of every task, in any progress mode. */
  advanceAll(): void;
  /** Runs the retention cleanup now (the server runs it every cleanupIntervalSeconds). */
  cleanupExpired(): number;
  /** The server restarted: every task is forgotten (404), waiting /file_parse calls get 503. */
  restart(): void;
  /** Stop listening (connection refused) until `up()`; tasks are kept unless `restart()`. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Forget requests, tasks and faults. */
  reset(): void;
  close(): Promise<void>;
}
