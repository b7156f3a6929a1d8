import * as vscode from 'vscode';
import type { ExtraFormat, ModelVersion, ParseOptions } from '../core/api/types';
import { parsePageRanges } from '../core/options/pageRanges';
import type { EngineSettings } from '../core/tasks/engine';

export const DEFAULT_API_BASE_URL = 'https://mineru.net/api/v4';
export const DEFAULT_AGENT_BASE_URL = 'https://mineru.net/api/v1/agent';

/** Everything the extension reads from `mineru.*` settings, in one typed place. */
/** `auto`: precise when a token is set, otherwise quick (token-free, Markdown only). */
export type ModeSetting = 'auto' | 'precise' | 'quick';

/** Which service parses by default: mineru.net, or the user's own MinerU server. */
export type ServiceSetting = 'cloud' | 'selfHosted';

export interface MinerUSettings {
  mode: ModeSetting;
  service: ServiceSetting;
  /** The user's own mineru-api or mineru-router server (application scope); empty: none. */
  selfHostedUrl: string;
  apiBaseUrl: string;
  /** Base of the batch routes (a private deployment may serve them elsewhere); defaults to apiBaseUrl. */
  batchApiBaseUrl: string;
  agentBaseUrl: string;
  outputDirectory: string;
  /** `data_id` template ({name}, {date}, {time}, {index}); empty: no data_id. */
  dataIdTemplate: string;
  /** Submission requests per minute; 0: no limit. */
  maxSubmissionsPerMinute: number;
  batchLimit: number;
  maxResultSizeMB: number;
  /** mineru.tool.maxCharacters: Markdown the language-model tool returns per document. */
  toolMaxCharacters: number;
  defaults: ParseOptions;
}

export function readSettings(): MinerUSettings {
  const c = vscode.workspace.getConfiguration('mineru');
  // Endpoints are application-scoped: only the user's own (global) value counts, never a workspace's.
  const apiBaseUrl = applicationValue(c, 'apiBaseUrl') ?? DEFAULT_API_BASE_URL;
  const agentBaseUrl = applicationValue(c, 'agentBaseUrl') ?? DEFAULT_AGENT_BASE_URL;
  const extra = c
    .get<string[]>('extraFormats', [])
    .filter((f): f is ExtraFormat => ['docx', 'html', 'latex'].includes(f));
  const ranges = parsePageRanges(c.get<string>('pageRanges', '') ?? '');
  const pageRanges = ranges.ok && ranges.normalized ? ranges.normalized : undefined;
  const callback = applicationValue(c, 'callback');
  const seed = applicationValue(c, 'seed');
  const defaults: ParseOptions = {
    modelVersion: c.get<ModelVersion>('modelVersion', 'vlm'),
    isOcr: c.get<boolean>('isOcr', false),
    enableFormula: c.get<boolean>('enableFormula', true),
    enableTable: c.get<boolean>('enableTable', true),
    language: c.get<string>('language', 'ch'),
    ...(extra.length ? { extraFormats: extra } : {}),
    ...(pageRanges ? { pageRanges } : {}),
    ...(c.get<boolean>('noCache', false) ? { noCache: true } : {}),
    // A callback receives the results: like the endpoints, only the user's own settings count.
    ...(callback ? { callback } : {}),
    ...(callback && seed ? { seed } : {}),
  };
  const mode = c.get<string>('mode', 'auto');
  return {
    mode: mode === 'precise' || mode === 'quick' ? mode : 'auto',
    service: c.get<string>('service', 'cloud') === 'selfHosted' ? 'selfHosted' : 'cloud',
    // Where documents go: like the endpoints, only the user's own (global) value counts.
    selfHostedUrl: (applicationValue(c, 'selfHosted.url') ?? '').trim(),
    apiBaseUrl: stripSlash(apiBaseUrl),
    batchApiBaseUrl: stripSlash(applicationValue(c, 'batchApiBaseUrl') ?? apiBaseUrl),
    agentBaseUrl: stripSlash(agentBaseUrl),
    outputDirectory: c.get<string>('outputDirectory', 'mineru') || 'mineru',
    batchLimit: clamp(c.get<number>('batchLimit', 50), 1, 200),
    maxResultSizeMB: clamp(c.get<number>('maxResultSizeMB', 1024), 1, 8192),
    toolMaxCharacters: clamp(c.get<number>('tool.maxCharacters', 20_000), 1000, 1_000_000),
    dataIdTemplate: (c.get<string>('dataIdTemplate', '') ?? '').trim(),
    maxSubmissionsPerMinute: clamp(c.get<number>('maxSubmissionsPerMinute', 60), 0, 10_000),
    defaults,
  };
}

export type UploadUrlsLocally = 'never' | 'onFailure' | 'always';

/** mineru.splitLargeDocuments: what happens to a PDF over the service's limits. */
export type SplitLargeDocuments = 'ask' | 'always' | 'never';

/** The `mineru.*` settings of the local-file flows, read afresh at each use. */
export interface FileSettings {
  maxFileSizeMB: number;
  maxPages: number;
  uploadUrlsLocally: UploadUrlsLocally;
  localDownloadMaxMB: number;
  splitLargeDocuments: SplitLargeDocuments;
}

export function readFileSettings(): FileSettings {
  const c = vscode.workspace.getConfiguration('mineru');
  const mode = c.get<string>('uploadUrlsLocally', 'onFailure');
  const split = c.get<string>('splitLargeDocuments', 'ask');
  return {
    maxFileSizeMB: clampOrMax(c.get<number>('maxFileSizeMB', 200), 1, 200),
    maxPages: clampOrMax(c.get<number>('maxPages', 600), 1, 600),
    uploadUrlsLocally: mode === 'never' || mode === 'always' ? mode : 'onFailure',
    localDownloadMaxMB: clampOrMax(c.get<number>('localDownloadMaxMB', 200), 1, 200),
    splitLargeDocuments: split === 'always' || split === 'never' ? split : 'ask',
  };
}

/**
 * `mineru.watch.folders` of one workspace folder: the globs as written (checked by
 * src/core/watch/watchRules.ts), and the output folder that is never watched. Resource scope: a
 * workspace may set them, since each glob is confirmed by the user before anything is sent.
 */
export function readWatchSettings(folder: vscode.Uri): { globs: string[]; outputDirectory: string } {
  const c = vscode.workspace.getConfiguration('mineru', folder);
  const globs = c.get<unknown>('watch.folders', []);
  return {
    globs: Array.isArray(globs) ? globs.filter((g): g is string => typeof g === 'string') : [],
    outputDirectory: c.get<string>('outputDirectory', 'mineru') || 'mineru',
  };
}

/** VS Code's own `http.*` settings that Test Connection reports. */
export interface ProxySettings {
  /** `http.proxy`; undefined or empty: none set. */
  proxy: string | undefined;
  /** `http.proxyStrictSSL`; false: TLS certificates are not verified. */
  strictSSL: boolean | undefined;
}

export function readProxySettings(): ProxySettings {
  const c = vscode.workspace.getConfiguration('http');
  return { proxy: c.get<string>('proxy'), strictSSL: c.get<boolean>('proxyStrictSSL') };
}

export function engineSettings(s: MinerUSettings): EngineSettings {
  return {
    batchLimit: s.batchLimit,
    importConcurrency: 2,
    maxLinkRefreshes: 3,
    maxSubmissionsPerMinute: s.maxSubmissionsPerMinute,
    ...(s.dataIdTemplate ? { dataIdTemplate: s.dataIdTemplate } : {}),
  };
}

function applicationValue(c: vscode.WorkspaceConfiguration, key: string): string | undefined {
  const inspected = c.inspect<string>(key);
  const value = inspected?.globalValue ?? inspected?.defaultValue;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : min;
}

/** Like clamp, but a value that is not a number gives the maximum (the file limits' default). */
function clampOrMax(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : max;
}
