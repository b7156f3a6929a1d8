/**
 * The MinerU service contract as TypeScript types. Wire names (snake_case) appear only in the
 * `Wire*` types; the rest of the extension uses the camelCase forms.
 * Sources: ../shared/seed/document-parser-api.txt (the spec) and ../shared/guides/mineru-api.md.
 */

import type { SerializedError } from '../errors';

export type ModelVersion = 'pipeline' | 'vlm' | 'MinerU-HTML';
export type ExtraFormat = 'docx' | 'html' | 'latex';

/** Remote states, as the service reports them (precise and agent APIs together). */
export type RemoteState =
  'waiting-file' | 'uploading' | 'pending' | 'running' | 'converting' | 'done' | 'failed';
export const REMOTE_STATES: readonly RemoteState[] = [
  'waiting-file',
  'uploading',
  'pending',
  'running',
  'converting',
  'done',
  'failed',
];

/** Options that apply to every document of a submission (top level of a batch request). */
export interface ParseOptions {
  modelVersion?: ModelVersion;
  enableFormula?: boolean;
  enableTable?: boolean;
  language?: string;
  extraFormats?: ExtraFormat[];
  callback?: string;
  seed?: string;
  noCache?: boolean;
  cacheTolerance?: number;
  /** Per document in batch requests (files[]), top level for single tasks. */
  isOcr?: boolean;
  /** Per document in batch requests (files[]), top level for single tasks. */
  pageRanges?: string;
  /** Self-hosted only (ignored by mineru.net): the server's own options. */
  selfHosted?: SelfHostedParseOptions;
}

/** Options of a self-hosted MinerU server (mineru-api 3.x form fields). */
export interface SelfHostedParseOptions {
  /** `pipeline`, `vlm-engine`, `hybrid-engine` (the server's default), `vlm-http-client`, `hybrid-http-client`. */
  backend?: string;
  /** Hybrid backends: `medium` (default) or `high`. */
  effort?: string;
  /** `auto` (default), `txt` or `ocr`; `isOcr` means `ocr` when this is unset. */
  parseMethod?: string;
  /** Image and chart analysis (vlm and hybrid backends). */
  imageAnalysis?: boolean;
  /** The OpenAI-compatible server the http-client backends call. */
  serverUrl?: string;
}

/** One document of a URL submission. */
export interface UrlDocument {
  url: string;
  dataId?: string;
  isOcr?: boolean;
  pageRanges?: string;
}

/** One document of an upload submission. `name` must carry the real extension. */
export interface FileDocument {
  name: string;
  dataId?: string;
  isOcr?: boolean;
  pageRanges?: string;
}

export interface ExtractProgress {
  extractedPages: number;
  totalPages: number;
  startTime?: string;
}

/** The state of one document as a poll reports it (single task, batch item or agent task). */
export interface TaskStatus {
  state: RemoteState;
  taskId?: string;
  dataId?: string;
  fileName?: string;
  fullZipUrl?: string;
  /** Agent (quick) API only: the Markdown file itself. */
  markdownUrl?: string;
  errMsg?: string;
  errCode?: string;
  progress?: ExtractProgress;
  /** Tasks in front of this one while it waits (self-hosted servers). */
  queuedAhead?: number;
  /** A failure the service worded itself (reason code and params), used instead of errMsg/errCode. */
  error?: SerializedError;
}

export interface BatchStatus {
  batchId: string;
  items: TaskStatus[];
}

export interface UploadUrls {
  batchId: string;
  /** file_urls[i] belongs to files[i] of the request. */
  fileUrls: string[];
}

/** Quick (token-free agent API) options. */
export interface AgentOptions {
  fileName?: string;
  language?: string;
  pageRange?: string;
  enableTable?: boolean;
  isOcr?: boolean;
  enableFormula?: boolean;
}

export interface AgentFileTask {
  taskId: string;
  fileUrl: string;
}

/** Progress callback for byte transfers (upload and download). */
export type TransferProgress = (transferred: number, total: number | undefined) => void;

export const SUPPORTED_EXTENSIONS: readonly string[] = [
  '.pdf',
  '.doc',
  '.docx',
  '.ppt',
  '.pptx',
  '.png',
  '.jpg',
  '.jpeg',
  '.html',
];
