import { MinerUError, type ErrorReason } from '../errors';

/** What a result archive may unpack to; a breach refuses the whole import, before or while writing. */
export interface ExtractLimits {
  /** Entries in the archive, directories included. */
  maxEntries: number;
  /** Uncompressed bytes of all entries together (declared sizes, and bytes actually written). */
  maxTotalBytes: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed/compressed size, per entry (entries ≥ 1 MiB) and for the whole archive. */
  maxRatio: number;
  /** Uncompressed bytes of one Markdown (`.md`) entry: it is read into memory and opened in the editor. */
  maxMarkdownBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = {
  maxEntries: 20_000,
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntryBytes: 1024 ** 3,
  maxRatio: 200,
  maxMarkdownBytes: 64 * 1024 ** 2,
};

/** Small entries can't be bombs; a 10 kB run of spaces legitimately compresses 500:1. */
const RATIO_MIN_BYTES = 1024 * 1024;

/** The sizes an archive's directory declares for one entry. */
export interface DeclaredEntry {
  entryName: string;
  /** Uncompressed bytes. */
  size: number;
  compressedSize: number;
}

function limitError(
  limit: keyof ExtractLimits,
  message: string,
  value: number,
  reason: ErrorReason,
  params: Record<string, number> = {},
): MinerUError {
  return new MinerUError({
    phase: 'extract',
    code: limit === 'maxRatio' ? 'ZIP_BOMB' : 'ZIP_LIMIT',
    message: `${message} (limit ${limit} = ${value})`,
    reason,
    params: { ...params, limit, value },
    hint: 'The result archive was refused for safety and nothing was written. If the document is genuinely this large, parse it in parts (page ranges).',
    retryable: false,
  });
}

const isMarkdownName = (name: string): boolean => /\.md$/i.test(name);

/** Refuses an archive with more entries than allowed. */
export function checkEntryCount(count: number, limits: ExtractLimits): void {
  if (count > limits.maxEntries) {
    throw limitError(
      'maxEntries',
      `The result archive has ${count} entries, too many`,
      limits.maxEntries,
      'zip.tooManyEntries',
      {
        count,
      },
    );
  }
}

/** Refuses one entry of `size` uncompressed bytes (declared, or actually inflated) over a per-entry limit. */
export function checkEntrySize(entryName: string, size: number, limits: ExtractLimits): void {
  if (size > limits.maxEntryBytes) {
    throw limitError(
      'maxEntryBytes',
      `An entry of the result archive is ${size} bytes, too large`,
      limits.maxEntryBytes,
      'zip.entryTooLarge',
      { size },
    );
  }
  if (isMarkdownName(entryName) && size > limits.maxMarkdownBytes) {
    throw limitError(
      'maxMarkdownBytes',
      `The Markdown of the result is ${size} bytes, too large to open safely`,
      limits.maxMarkdownBytes,
      'zip.markdownTooLarge',
      { size },
    );
  }
}

/** Declared sizes first: refuses a bomb (per entry, in total, by ratio) before a byte is written. */
export function checkDeclaredSizes(
  entries: readonly DeclaredEntry[],
  archiveBytes: number,
  limits: ExtractLimits,
): void {
  let declaredTotal = 0;
  for (const { entryName, size, compressedSize } of entries) {
    checkEntrySize(entryName, size, limits);
    if (size >= RATIO_MIN_BYTES && size > limits.maxRatio * Math.max(1, compressedSize)) {
      throw limitError(
        'maxRatio',
        'The result archive looks like a zip bomb: an entry is compressed too strongly',
        limits.maxRatio,
        'zip.bombEntry',
      );
    }
    declaredTotal += size;
  }
  if (declaredTotal > limits.maxTotalBytes) {
    throw limitError(
      'maxTotalBytes',
      `The result archive unpacks to ${declaredTotal} bytes, too many`,
      limits.maxTotalBytes,
      'zip.totalTooLarge',
      { total: declaredTotal },
    );
  }
  if (declaredTotal >= RATIO_MIN_BYTES && declaredTotal > limits.maxRatio * Math.max(1, archiveBytes)) {
    throw limitError(
      'maxRatio',
      'The result archive looks like a zip bomb: it is compressed too strongly',
      limits.maxRatio,
      'zip.bombArchive',
    );
  }
}

/** Refuses an import once the bytes actually inflated so far exceed the total limit. */
export function checkInflatedTotal(total: number, limits: ExtractLimits): void {
  if (total > limits.maxTotalBytes) {
    throw limitError(
      'maxTotalBytes',
      `The result archive unpacks to more than ${limits.maxTotalBytes} bytes`,
      limits.maxTotalBytes,
      'zip.inflatedTooLarge',
    );
  }
}
