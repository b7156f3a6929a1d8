import { MinerUError } from '../errors';
import type { PageRange } from './splitPlan';

/** Why a document could not be split: the glue words each code for the user. */
export type SplitErrorCode = 'encrypted' | 'damaged' | 'not-pdf' | 'page-too-large' | 'cancelled';

/** A part written by the splitter: pages of the original, its file and its size. */
export interface SplitPart extends PageRange {
  /** 1-based, in document order. */
  index: number;
  path: string;
  bytes: number;
}

export interface SplitResult {
  totalPages: number;
  parts: SplitPart[];
}

const MESSAGES: Readonly<Record<SplitErrorCode, string>> = {
  encrypted: 'The PDF is encrypted, so it cannot be split into parts',
  damaged: 'The PDF is damaged, so it cannot be split into parts',
  'not-pdf': 'Only PDF documents can be split into parts',
  'page-too-large': 'A single page is over the size limit, so no part can hold it',
  cancelled: 'Splitting was cancelled',
};

const HINTS: Partial<Record<SplitErrorCode, string>> = {
  encrypted: 'Remove the password (print or save it as an unprotected PDF), then parse it again',
  damaged: 'Open and save the PDF again in a PDF editor, then parse it again',
  'not-pdf': 'Save the document as PDF, or parse a smaller document',
  'page-too-large': 'Compress the PDF (lower its image resolution), then parse it again',
};

/**
 * The splitter's one error: a `code` from SplitErrorCode, and for 'page-too-large' the page (of
 * the original document, 1-based) that no part can hold. A MinerUError of the 'validate' phase so
 * that the engine and the log treat it like any refused document.
 */
export class SplitError extends MinerUError {
  declare readonly code: SplitErrorCode;
  readonly page: number | undefined;

  constructor(code: SplitErrorCode, options: { page?: number; detail?: string; cause?: unknown } = {}) {
    const page = options.page === undefined ? '' : ` (page ${options.page})`;
    const detail = options.detail ? `: ${options.detail}` : '';
    super({
      phase: 'validate',
      message: `${MESSAGES[code]}${page}${detail}`,
      code,
      ...(HINTS[code] ? { hint: HINTS[code] } : {}),
      ...(options.page === undefined ? {} : { params: { page: options.page } }),
      cause: options.cause,
    });
    this.name = 'SplitError';
    this.page = options.page;
  }
}

/** The codes, to check a value that crossed a thread. */
export function isSplitErrorCode(value: unknown): value is SplitErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES, value);
}
