/**
 * Reading a result zip's directory: the entry count from the end record, the entries, and what
 * kind of file each entry claims to be.
 *
 * Memory: nothing is read whole. The directory is read through a small window and each entry is
 * streamed from the file through zlib (zipReader.ts), so peak memory does not grow with the zip.
 */
import { promises as fs } from 'node:fs';
import { MinerUError } from '../errors';
import type { DeclaredEntry } from './extractLimits';
import { openZip, readEndRecord, type ZipArchive, type ZipEntryInfo } from './zipReader';

/**
 * Reads the entry count from the end-of-central-directory record (zip64 too) without parsing the
 * directory, so that an archive with a million entries is refused before its records are read.
 */
export async function declaredEntryCount(zipPath: string): Promise<number | undefined> {
  const handle = await fs.open(zipPath, 'r');
  try {
    const { size } = await handle.stat();
    return (await readEndRecord(handle, size))?.entries; // 0xffff without a zip64 record: at least this many
  } finally {
    await handle.close();
  }
}

/**
 * The archive at `zipPath`, open, with its entries; a damaged archive is a retryable ZIP_CORRUPT
 * error. `checkDeclaredCount` sees the end record's entry count before the directory is parsed
 * (one open of the file for both) and its MinerUError is passed on as it is. The caller closes it.
 */
export async function readZipEntries(
  zipPath: string,
  checkDeclaredCount?: (count: number) => void,
): Promise<ZipArchive> {
  try {
    return await openZip(zipPath, checkDeclaredCount ? { checkDeclaredCount } : {});
  } catch (error) {
    if (error instanceof MinerUError) throw error; // refused by checkDeclaredCount
    throw new MinerUError({
      phase: 'extract',
      code: 'ZIP_CORRUPT',
      message: 'The result archive is damaged or not a zip file',
      reason: 'zip.corrupt',
      hint: 'Download the result again.',
      retryable: true,
      cause: error,
    });
  }
}

/** The sizes the directory declares for an entry. */
export function declaredEntry(entry: ZipEntryInfo): DeclaredEntry {
  return { entryName: entry.name, size: entry.size, compressedSize: entry.compressedSize };
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'special';

/** What an entry claims to be, from the Unix file type bits of its external attributes (high 16 bits). */
export function entryKind(entry: ZipEntryInfo): EntryKind {
  const type = (entry.externalAttributes >>> 16) & 0o170000;
  if (type === 0o120000) return 'symlink';
  if (type !== 0 && type !== 0o100000 && type !== 0o040000) return 'special';
  if (entry.isDirectory || type === 0o040000) return 'directory';
  return 'file';
}
