// The fake's public types: options, recorded requests, faults, task views and the handle.

export interface FakeMinerUOptions {
  host?: string;
  apiPort?: number;
  cdnPort?: number;
  tokens?: string[];
  expiredTokens?: string[];
  acceptAnyToken?: boolean;
  /**
   * How tasks move through their states:
   * - 'timed' (default): one step every `stepMs`, whether or not anyone polls (like the real
   *   service), so a client's polling can be measured against it;
   * - 'manual': only `fake.advanceAll()` moves them (deterministic tests);
   * - 'per-poll': every status query covering a task answers, then moves it one step. Poll counts
   *   then follow from the fake itself: a test that uses it says why at the call site.
   */
  progress?: 'timed' | 'manual' | 'per-poll';
  /** Step interval of 'timed' progress (default 300 ms). */
  stepMs?: number;
  pages?: number;
  batchLimit?: number;
  callbackLoopbackOnly?: true;
  /** Start with `fake.readUrls` on (default off). */
  readUrls?: boolean;
}

/** The service's limits, judged on the real bytes (`fake.limits`, settable; reset() restores). */
export interface FakeLimits {
  /** Pages after page_ranges (default 600): more → -60006. */
  maxPages: number;
  /** Bytes of the file (default 200 MiB): more → -60005. */
  maxBytes: number;
}

export interface RecordedRequest {
  time: number;
  server: 'api' | 'cdn';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body?: unknown;
  bodyBytes: number;
}

/** A fault that applies to the next `count` requests whose path matches `route` (a regexp). */
export interface RouteFault {
  /** Regular expression tested against the request path (no query). Omitted = every request. */
  route?: string;
  /** Decremented each time the fault fires; 0 = spent. */
  count: number;
}

export interface FailFault extends RouteFault {
  status: number;
  /** Response body; default: an nginx-style HTML error page. */
  body?: string;
  /** Default 'text/html' (or application/json when the body looks like JSON). */
  contentType?: string;
  /** Sets `Retry-After` (seconds). */
  retryAfter?: number;
  headers?: Record<string, string>;
}

export interface DropFault extends RouteFault {
  /** How many body bytes to send before destroying the socket (default: half the body). */
  afterBytes?: number;
}

export interface BusinessErrorFault extends RouteFault {
  code: number | string;
  msg?: string;
}

export interface FakeFaults {
  /** HTTP errors (5xx storms, 429 + Retry-After, HTML error pages, malformed JSON with status 200). */
  failNext?: FailFault | FailFault[];
  /** Accept the request (and read its body), never answer. */
  hangNext?: RouteFault | RouteFault[];
  /** Send the headers and part of the body, then destroy the socket. */
  dropNext?: DropFault | DropFault[];
  /**
   * Result zips only: send the headers and the first `afterBytes` of the body (default half), then
   * nothing more. The connection stays open, a transfer stalled mid-body, until the client gives up
   * or close() ends it.
   */
  stallNext?: DropFault | DropFault[];
  /** HTTP 200 with a business error envelope (e.g. -60009, -60018, -10001). API routes only. */
  businessErrorNext?: BusinessErrorFault | BusinessErrorFault[];
  /** Send `code` as the string "0" (and error codes as strings). */
  codeAsString?: boolean;
  /** While true, the first poll of every batch returns `extract_result: []`. */
  emptyExtractResultOnce?: boolean;
  /** The next zip download answers 403 AccessDenied; the URL stays dead until the task is polled again. */
  cdnExpiredOnce?: boolean;
  /** Like cdnExpiredOnce, for this many downloads. */
  cdnExpiredCount?: number;
  /**
   * Zip downloads on the CDN server answer 302 to this URL. An origin alone (e.g. `fake.apiOrigin`,
   * which also serves `/cdn/...` without auth) keeps the original path and query plus
   * `redirected=1`, which is never redirected again.
   */
  cdnRedirectTo?: string;
  /** Add hostile entries: `../evil.txt`, `/abs.txt`, `C:\win.txt`, `images/../../x`. */
  zipSlip?: boolean;
  /** Add an entry `images/link.jpg` with a unix symlink mode pointing at `/etc/passwd`. */
  zipSymlink?: boolean;
  /** Add an incompressible `<uuid>_pad.bin` of this many bytes (streamed, never held in memory). */
  zipPadBytes?: number;
  /** Add `bomb.bin`: deflated zeros, true = 512 MiB uncompressed, or the given size in bytes. */
  zipBomb?: boolean | number;
  /** Echo file_name with a CJK, server-style prefix (`<ms>_<rand>_图片_<name>`); data_id as sent. */
  cjkNames?: boolean;
  /** Upload PUTs answer 403 AccessDenied "Request has expired". */
  uploadExpired?: boolean;
  /** Tasks to fail, by file name; usually set through `failTaskOnce`. */
  failTasks?: TaskFailureFault[];
}

/** A file name (exact, or contained in it), a pattern, or a test of the name (or the URL). */
export type TaskNameMatch = string | RegExp | ((name: string) => boolean);

export interface TaskFailureOptions {
  /** Default 'parsing failed, please try again later' (-60010). */
  errMsg?: string;
  errCode?: number;
  /** 'running' (default: one page step, then failed) or 'pending' (failed before it starts). */
  from?: 'pending' | 'running';
}

export interface TaskFailureFault extends TaskFailureOptions {
  match: TaskNameMatch;
  /** Tasks still to fail; each new matching task takes one. */
  count: number;
}

/** `fake.faults`: the switches, plus helpers that set them. */
export interface FakeFaultControls extends FakeFaults {
  /**
   * The next task created for a matching file name (or URL) fails (state `failed`, `err_msg`);
   * the one after it, e.g. a retry, runs normally. Each call adds one failure; reset() clears them.
   */
  failTaskOnce(match: TaskNameMatch, options?: TaskFailureOptions): void;
}

export type FakeTaskKind = 'task' | 'batch-item' | 'agent';
export type FakeState =
  'waiting-file' | 'uploading' | 'pending' | 'running' | 'converting' | 'done' | 'failed';

export interface FakeTaskView {
  id: string;
  kind: FakeTaskKind;
  batchId?: string;
  index: number;
  state: FakeState;
  source: 'url' | 'upload';
  url?: string;
  name: string;
  fileName: string;
  dataId?: string;
  modelVersion: string;
  extraFormats: string[];
  isOcr: boolean;
  pageRanges?: string;
  language?: string;
  pages: number;
  extractedPages: number;
  errMsg: string;
  errCode?: number;
  fullZipUrl?: string;
  markdownUrl?: string;
  uploadUrl?: string;
  uploadedBytes?: number;
  polls: number;
}

export interface CallbackAttempt {
  time: number;
  url: string;
  attempt: number;
  status?: number;
  error?: string;
  body: { checksum: string; content: string };
}

export interface FakeMinerU {
  apiOrigin: string;
  apiBaseUrl: string;
  agentBaseUrl: string;
  cdnOrigin: string;
  token: string;
  /** The uid that enters callback checksums: sha256(uid + seed + content). */
  uid: string;
  requests: RecordedRequest[];
  callbacks: CallbackAttempt[];
  faults: FakeFaultControls;
  /** Assign a whole object or change a field; reset() restores the defaults (600 pages, 200 MiB). */
  limits: FakeLimits;
  /**
   * Read URL documents on a loopback host at submit (their size, pages and marks; -60005 / -60006
   * there). Off by default, so that a test's own server sees only the client's requests;
   * reset() restores the start option.
   */
  readUrls: boolean;
  tasks(): FakeTaskView[];
  advanceAll(): void;
  reset(): void;
  close(): Promise<void>;
}
