import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_EXTENSIONS } from '../api/types';
import { countPdfPages } from './pdfPageCount';

/** What a file is checked against before anything is sent. */
export interface FileLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Most pages of a PDF (checked only when the count can be read cheaply). */
  maxPages?: number | undefined;
  /** Accepted extensions, lower case with the dot; default: every type the service parses. */
  extensions?: readonly string[] | undefined;
}

export type PreflightCode =
  'not-found' | 'not-a-file' | 'unsupported-type' | 'empty' | 'too-large' | 'too-many-pages';

/**
 * One reason a file cannot be sent as it is. `message` and `hint` are plain English defaults; the
 * UI may build its own (translated) text from `code` and the numbers.
 */
export interface PreflightProblem {
  code: PreflightCode;
  message: string;
  hint: string;
  /** The file's size, or page count, and the limit it broke (too-large, too-many-pages). */
  actual?: number;
  limit?: number;
}

export interface PreflightResult {
  ok: boolean;
  path: string;
  size: number;
  /** Page count of a PDF when it could be read cheaply. */
  pages?: number;
  problems: PreflightProblem[];
}

const MB = 1_048_576;

/** Formats bytes as "12.3 MB" (or "512 KB"), for messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes >= 100 * MB ? 0 : 1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * Checks one local file against the limits, before any request: that it exists and is a file,
 * its type, that it is not empty, its size, and for PDFs the page count when it can be read
 * cheaply. Never throws for a bad file: every reason is a problem in the result.
 */
export async function checkFile(filePath: string, limits: FileLimits): Promise<PreflightResult> {
  const problems: PreflightProblem[] = [];
  const name = path.basename(filePath);
  const result = (size: number, pages?: number): PreflightResult => ({
    ok: problems.length === 0,
    path: filePath,
    size,
    ...(pages !== undefined ? { pages } : {}),
    problems,
  });

  const ext = path.extname(filePath).toLowerCase();
  const allowed = limits.extensions ?? SUPPORTED_EXTENSIONS;
  if (!allowed.includes(ext)) {
    problems.push({
      code: 'unsupported-type',
      message: ext
        ? `"${name}" is a ${ext} file, which MinerU does not parse`
        : `"${name}" has no file extension, so its type is unknown`,
      hint: `Supported types: ${allowed.join(' ')}`,
    });
  }

  let stat;
  try {
    stat = await fs.stat(filePath);
  } catch {
    problems.push({
      code: 'not-found',
      message: `"${name}" could not be read`,
      hint: 'Check that the file still exists and that you may read it',
    });
    return result(0);
  }
  if (!stat.isFile()) {
    problems.push({
      code: 'not-a-file',
      message: `"${name}" is not a file`,
      hint: 'Choose a document file',
    });
    return result(0);
  }
  const size = stat.size;
  if (size === 0) {
    problems.push({
      code: 'empty',
      message: `"${name}" is empty (0 bytes)`,
      hint: 'Save the document again, then parse it',
    });
  } else if (size > limits.maxBytes) {
    problems.push({
      code: 'too-large',
      message: `"${name}" is ${formatBytes(size)}, more than the ${formatBytes(limits.maxBytes)} limit`,
      hint: 'Split the document or compress its images, or parse a shorter excerpt',
      actual: size,
      limit: limits.maxBytes,
    });
  }

  let pages: number | undefined;
  if (ext === '.pdf' && size > 0) {
    pages = await countPdfPages(filePath, size).catch(() => undefined);
    if (pages !== undefined && limits.maxPages !== undefined && pages > limits.maxPages) {
      problems.push({
        code: 'too-many-pages',
        message: `"${name}" has ${pages} pages, more than the ${limits.maxPages}-page limit`,
        hint: `Parse it in parts with page ranges (page_ranges), e.g. "1-${limits.maxPages}", or split the document`,
        actual: pages,
        limit: limits.maxPages,
      });
    }
  }
  return result(size, pages);
}
