import type { FileLimits } from '../../core/files/preflight';
import type { TaskMode } from '../../core/tasks/task';
import { readFileSettings, type FileSettings } from '../settings';

const MB = 1_048_576;

/** Limits of the token-free quick (agent) API: 10 MB and 20 pages (mineru-api.md §2.8). */
export const QUICK_LIMITS = { maxBytes: 10 * MB, maxPages: 20 } as const;

/**
 * What a local file is checked against in this mode: the settings, within the service's limits.
 * The user's own server has no page or size limit of the cloud's kind (mineru-api reads any file it
 * gets; a proxy's body limit answers 413, worded as such), so only the type, existence and emptiness
 * are checked for it: the cloud's 200 MB / 600 pages, and the settings that clamp to them, do not apply.
 */
export function limitsFor(mode: TaskMode, settings: FileSettings = readFileSettings()): FileLimits {
  if (mode === 'selfHosted') return { maxBytes: Number.POSITIVE_INFINITY };
  const maxBytes = settings.maxFileSizeMB * MB;
  if (mode === 'quick') {
    return {
      maxBytes: Math.min(maxBytes, QUICK_LIMITS.maxBytes),
      maxPages: Math.min(settings.maxPages, QUICK_LIMITS.maxPages),
    };
  }
  return { maxBytes, maxPages: settings.maxPages };
}
