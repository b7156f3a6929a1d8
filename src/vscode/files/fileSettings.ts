import * as vscode from 'vscode';
import type { FileLimits } from '../../core/files/preflight';
import type { TaskMode } from '../../core/tasks/task';

export type UploadUrlsLocally = 'never' | 'onFailure' | 'always';

/** The `mineru.*` settings of the local-file flows. */
export interface FileSettings {
  maxFileSizeMB: number;
  maxPages: number;
  uploadUrlsLocally: UploadUrlsLocally;
  localDownloadMaxMB: number;
}

const MB = 1_048_576;

/** Limits of the token-free quick (agent) API: 10 MB and 20 pages (mineru-api.md §2.8). */
export const QUICK_LIMITS = { maxBytes: 10 * MB, maxPages: 20 } as const;

export function readFileSettings(): FileSettings {
  const c = vscode.workspace.getConfiguration('mineru');
  const mode = c.get<string>('uploadUrlsLocally', 'onFailure');
  return {
    maxFileSizeMB: clamp(c.get<number>('maxFileSizeMB', 200), 1, 200),
    maxPages: clamp(c.get<number>('maxPages', 600), 1, 600),
    uploadUrlsLocally: mode === 'never' || mode === 'always' ? mode : 'onFailure',
    localDownloadMaxMB: clamp(c.get<number>('localDownloadMaxMB', 200), 1, 200),
  };
}

/** What a local file is checked against in this mode: the settings, within the service's limits. */
export function limitsFor(mode: TaskMode, settings: FileSettings = readFileSettings()): FileLimits {
  const maxBytes = settings.maxFileSizeMB * MB;
  if (mode === 'quick') {
    return {
      maxBytes: Math.min(maxBytes, QUICK_LIMITS.maxBytes),
      maxPages: Math.min(settings.maxPages, QUICK_LIMITS.maxPages),
    };
  }
  return { maxBytes, maxPages: settings.maxPages };
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : max;
}
