import type {
  AgentFileTask,
  AgentOptions,
  BatchStatus,
  FileDocument,
  ParseOptions,
  TaskStatus,
  TransferProgress,
  UploadUrls,
  UrlDocument,
} from './types';

/** The calls of the mineru.net API the precise and agent services make (MinerUClient satisfies it). */
export interface MinerUApi {
  submitTask(
    doc: UrlDocument,
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<{ taskId: string; traceId?: string }>;
  getTask(taskId: string, signal?: AbortSignal): Promise<TaskStatus>;
  submitBatch(
    docs: UrlDocument[],
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<{ batchId: string; traceId?: string }>;
  getBatch(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
  requestUploadUrls(
    files: FileDocument[],
    options: ParseOptions,
    signal?: AbortSignal,
  ): Promise<UploadUrls & { traceId?: string }>;
  uploadFile(
    putUrl: string,
    filePath: string,
    opts: { signal?: AbortSignal; onProgress?: TransferProgress },
  ): Promise<void>;
  agentParseUrl(url: string, options: AgentOptions, signal?: AbortSignal): Promise<{ taskId: string }>;
  agentParseFile(fileName: string, options: AgentOptions, signal?: AbortSignal): Promise<AgentFileTask>;
  agentGetTask(taskId: string, signal?: AbortSignal): Promise<TaskStatus>;
}
