/**
 * MinerUClient: typed access to the MinerU precision API (token) and the agent API (no token).
 * See shared/guides/mineru-api.md for the service contract. Retry decisions are documented on
 * RetryMode in ../net/retryClassification.
 */
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { AxiosProxyConfig } from 'axios';
import { MinerUError } from '../errors';
import { systemClock, type Clock } from '../util/clock';
import { silentLogger, type Logger } from '../util/logger';
import { assertAgentOptions, assertHttpUrl, assertParseOptions, invalid } from './requestChecks';
import { DEFAULT_RETRY, type RetryPolicy } from '../util/retry';
import { readBatchItems, readFileUrls, readHttpUrl, readRequiredId, readTaskStatus } from './guards';
import { HttpTransport } from './http';
import type {
  AgentFileTask,
  AgentOptions,
  BatchStatus,
  FileDocument,
  ParseOptions,
  TaskStatus,
  UploadUrls,
  UrlDocument,
} from './types';
import { uploadFile, type UploadOptions } from './upload';
import { ApiRequests, idSegment } from './apiRequests';
import { normaliseBase } from './baseUrl';
import { agentBody, batchBody, fileUrlsBody, singleTaskBody } from './wire';

export const DEFAULT_AGENT_BASE_URL = 'https://mineru.net/api/v1/agent';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_UPLOAD_TIMEOUT_MS = 10 * 60_000;

export interface MinerUClientOptions {
  /** Precision API base, e.g. https://mineru.net/api/v4. */
  baseUrl: string;
  /** Overrides the base of the batch routes (extract/task/batch, extract-results/batch, file-urls/batch). */
  batchBaseUrl?: string | undefined;
  /** Token-free agent API base; default https://mineru.net/api/v1/agent. */
  agentBaseUrl?: string | undefined;
  /** Read before every request (the token may change in another window). */
  getToken: () => Promise<string | undefined>;
  /**
   * The user's explicit consent to send the token over plain HTTP to a non-loopback host (a
   * private deployment such as http://8.148.69.123:8088/api/v1), asked for the origin of each
   * request, every time (consent given after the client was built counts at once). Without it such
   * requests fail with code INSECURE_HTTP before anything is sent.
   */
  allowInsecureHttp?: boolean | ((origin: string) => boolean) | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  /** Randomness for backoff jitter, in [0, 1). */
  random?: (() => number) | undefined;
  /** Per-request timeout of API calls; default 30 s. */
  timeoutMs?: number | undefined;
  /** Timeout of one upload attempt; default 10 min. */
  uploadTimeoutMs?: number | undefined;
  retry?: RetryPolicy | undefined;
  /**
   * Proxy hooks (VS Code): agents for http/https (every request), or an explicit axios proxy (the
   * JSON API calls only; the upload is node's http with the agents). Default: no env proxy.
   */
  httpAgent?: http.Agent | undefined;
  httpsAgent?: https.Agent | undefined;
  proxy?: AxiosProxyConfig | false | undefined;
  userAgent?: string | undefined;
}

export interface Submitted {
  traceId?: string | undefined;
}

export class MinerUClient {
  readonly baseUrl: string;
  readonly batchBaseUrl: string;
  readonly agentBaseUrl: string;
  private readonly transport: HttpTransport;
  private readonly requests: ApiRequests;
  private readonly uploadTimeoutMs: number;
  private readonly logger: Logger;

  constructor(options: MinerUClientOptions) {
    this.baseUrl = normaliseBase(options.baseUrl, 'API base URL');
    this.batchBaseUrl = options.batchBaseUrl
      ? normaliseBase(options.batchBaseUrl, 'batch API base URL')
      : this.baseUrl;
    this.agentBaseUrl = normaliseBase(options.agentBaseUrl ?? DEFAULT_AGENT_BASE_URL, 'agent API base URL');
    const consent = options.allowInsecureHttp ?? false;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger;
    this.transport = transportFor(options, this.logger);
    this.requests = new ApiRequests({
      transport: this.transport,
      baseUrl: this.baseUrl,
      agentBaseUrl: this.agentBaseUrl,
      getToken: options.getToken,
      allowInsecureHttp: typeof consent === 'function' ? consent : () => consent,
      logger: this.logger,
    });
  }

  // ---- precision API (token) ----

  /** `POST /extract/task`: one remote URL; every option at top level. */
  async submitTask(
    doc: UrlDocument,
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<{ taskId: string } & Submitted> {
    assertHttpUrl(doc.url);
    assertParseOptions(options);
    const result = await this.requests.withToken({
      method: 'POST',
      base: this.baseUrl,
      path: '/extract/task',
      phase: 'submit',
      retry: 'submit',
      signal,
      body: singleTaskBody(doc, options),
    });
    const taskId = this.requests.guard(result, this.baseUrl, 'submit', (data) =>
      readRequiredId(data, 'task_id'),
    );
    return { taskId, traceId: result.traceId };
  }

  /** `GET /extract/task/{id}`. */
  async getTask(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
    const path = `/extract/task/${idSegment(taskId, 'task id')}`;
    const result = await this.requests.withToken({
      method: 'GET',
      base: this.baseUrl,
      path,
      phase: 'poll',
      retry: 'idempotent',
      signal,
    });
    const status = this.requests.guard(result, this.baseUrl, 'poll', (data) =>
      readTaskStatus(data, this.requests.unknownState),
    );
    if (!status.taskId) status.taskId = taskId;
    return status;
  }

  /** `POST /extract/task/batch`: many remote URLs; is_ocr/page_ranges/data_id per file. */
  async submitBatch(
    docs: readonly UrlDocument[],
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<{ batchId: string } & Submitted> {
    if (docs.length === 0)
      throw invalid('input.noDocuments', 'No documents to submit', 'Choose at least one URL');
    docs.forEach((doc) => assertHttpUrl(doc.url));
    assertParseOptions(options);
    const result = await this.requests.withToken({
      method: 'POST',
      base: this.batchBaseUrl,
      path: '/extract/task/batch',
      phase: 'submit',
      retry: 'submit',
      signal,
      body: batchBody(docs, options),
    });
    const batchId = this.requests.guard(result, this.batchBaseUrl, 'submit', (data) =>
      readRequiredId(data, 'batch_id'),
    );
    return { batchId, traceId: result.traceId };
  }

  /** `GET /extract-results/batch/{id}`; items follow request order (an empty list is normal at first). */
  async getBatch(batchId: string, signal?: AbortSignal): Promise<BatchStatus> {
    const path = `/extract-results/batch/${idSegment(batchId, 'batch id')}`;
    const result = await this.requests.withToken({
      method: 'GET',
      base: this.batchBaseUrl,
      path,
      phase: 'poll',
      retry: 'idempotent',
      signal,
    });
    const items = this.requests.guard(result, this.batchBaseUrl, 'poll', (data) =>
      readBatchItems(data, this.requests.unknownState),
    );
    return { batchId, items };
  }

  /**
   * `POST /file-urls/batch`: upload links for local files; `fileUrls[i]` belongs to `files[i]`.
   * Parsing starts by itself once a PUT lands. Safe to retry (see RetryMode).
   */
  async requestUploadUrls(
    files: readonly FileDocument[],
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<UploadUrls & Submitted> {
    if (files.length === 0) throw invalid('input.noFiles', 'No files to upload', 'Choose at least one file');
    for (const file of files) {
      if (!file.name.trim()) {
        throw invalid(
          'input.aFileUnnamed',
          'A file has no name',
          'Give every file a name with its extension',
        );
      }
    }
    assertParseOptions(options);
    const result = await this.requests.withToken({
      method: 'POST',
      base: this.batchBaseUrl,
      path: '/file-urls/batch',
      phase: 'submit',
      retry: 'idempotent',
      signal,
      body: fileUrlsBody(files, options),
    });
    return this.requests.guard(result, this.batchBaseUrl, 'submit', (data) => ({
      batchId: readRequiredId(data, 'batch_id'),
      fileUrls: readFileUrls(data, files.length),
      traceId: result.traceId,
    }));
  }

  /** Streams a local file to a presigned upload link (no token, no Content-Type). */
  uploadFile(putUrl: string, filePath: string, opts: UploadOptions = {}): Promise<void> {
    if (!/^https?:\/\//i.test(putUrl)) {
      return Promise.reject(
        invalid('input.uploadLinkNotHttp', 'The upload link is not an http(s) URL', 'Parse the file again'),
      );
    }
    return uploadFile(this.transport, putUrl, filePath, this.uploadTimeoutMs, opts);
  }

  /**
   * Checks that the API is reachable and the token accepted, by reading a task that cannot exist:
   * "task not found" (-60012) or "no permission" (-60013) prove the token passed the gateway.
   */
  async checkConnection(signal?: AbortSignal): Promise<{ traceId?: string | undefined }> {
    try {
      const result = await this.requests.withToken({
        method: 'GET',
        base: this.baseUrl,
        path: '/extract/task/00000000-0000-0000-0000-000000000000',
        phase: 'validate',
        retry: 'idempotent',
        signal,
      });
      return { traceId: result.traceId };
    } catch (error) {
      if (error instanceof MinerUError && (error.code === '-60012' || error.code === '-60013')) {
        return { traceId: error.traceId };
      }
      throw error;
    }
  }

  // ---- agent API (no token) ----

  /** `POST /parse/url` on the agent API. */
  async agentParseUrl(
    url: string,
    options: AgentOptions,
    signal?: AbortSignal,
  ): Promise<{ taskId: string } & Submitted> {
    assertHttpUrl(url);
    assertAgentOptions(options);
    const result = await this.requests.agent({
      method: 'POST',
      path: '/parse/url',
      phase: 'submit',
      retry: 'submit',
      signal,
      body: agentBody({ url }, options),
    });
    const taskId = this.requests.guard(result, this.agentBaseUrl, 'submit', (data) =>
      readRequiredId(data, 'task_id'),
    );
    return { taskId, traceId: result.traceId };
  }

  /** `POST /parse/file` on the agent API: a task id and a presigned link to PUT the file to. */
  async agentParseFile(
    fileName: string,
    options: AgentOptions,
    signal?: AbortSignal,
  ): Promise<AgentFileTask & Submitted> {
    if (!fileName.trim()) {
      throw invalid('input.fileUnnamed', 'The file has no name', 'Give the file a name with its extension');
    }
    assertAgentOptions(options);
    const body = agentBody({ file_name: fileName }, options);
    const result = await this.requests.agent({
      method: 'POST',
      path: '/parse/file',
      phase: 'submit',
      retry: 'submit',
      signal,
      body,
    });
    return this.requests.guard(result, this.agentBaseUrl, 'submit', (data) => ({
      taskId: readRequiredId(data, 'task_id'),
      fileUrl: readHttpUrl(data, 'file_url'),
      traceId: result.traceId,
    }));
  }

  /** `GET /parse/{id}` on the agent API. */
  async agentGetTask(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
    const path = `/parse/${idSegment(taskId, 'task id')}`;
    const result = await this.requests.agent({
      method: 'GET',
      path,
      phase: 'poll',
      retry: 'idempotent',
      signal,
    });
    const status = this.requests.guard(result, this.agentBaseUrl, 'poll', (data) =>
      readTaskStatus(data, this.requests.unknownState),
    );
    if (!status.taskId) status.taskId = taskId;
    return status;
  }
}

export { taskFailureError } from './errorCodes';

/** The transport of a client: retries, timeouts and the proxy hooks from its options. */
function transportFor(options: MinerUClientOptions, logger: Logger): HttpTransport {
  return new HttpTransport({
    clock: options.clock ?? systemClock,
    logger,
    random: options.random ?? Math.random,
    retry: options.retry ?? DEFAULT_RETRY,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.httpAgent ? { httpAgent: options.httpAgent } : {}),
    ...(options.httpsAgent ? { httpsAgent: options.httpsAgent } : {}),
    ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
}
