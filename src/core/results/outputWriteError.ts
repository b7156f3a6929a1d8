import { MinerUError } from '../errors';

/**
 * File-system errors that concern the output folder as a whole (full, read-only, no permission,
 * I/O failure, not a folder): the import stops with one clear, retryable error instead of skipping
 * entry after entry and ending in a misleading "no Markdown" or an incomplete result.
 */
const FOLDER_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the folder is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'an I/O error occurred',
  ENOTDIR: 'a file is in the way of the folder',
  EEXIST: 'a file is in the way of the folder',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
};

function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The output folder could not be written: names the folder and the cause; Retry once fixed. */
export function outputWriteError(error: unknown, outputDir: string): MinerUError {
  const code = errnoOf(error) ?? 'EWRITE';
  const cause = FOLDER_ERRORS[code] ?? 'the file system refused the write';
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  return new MinerUError({
    phase: 'extract',
    code,
    message: `Could not write the result into ${outputDir}: ${cause} (${code})`,
    reason: 'output.write',
    params: { folder: outputDir, code },
    hint: full
      ? 'Free some disk space, then Retry; nothing was written.'
      : 'Check that the output folder exists and is writable (setting mineru.outputDirectory), then Retry; nothing was written.',
    retryable: true,
    cause: error,
  });
}

/** Whether `error` concerns the output folder as a whole (see FOLDER_ERRORS). */
export function isFolderError(error: unknown): boolean {
  const code = errnoOf(error);
  return code !== undefined && code in FOLDER_ERRORS;
}

/**
 * Whether a failure to write one entry stops the whole import: a full or read-only disk does; a
 * name this file system can't hold (a file or folder in the way) costs only that entry.
 */
export function stopsTheImport(error: unknown): boolean {
  const code = errnoOf(error);
  return isFolderError(error) && code !== 'EEXIST' && code !== 'ENOTDIR';
}
