/**
 * Reading a result zip's directory: the entry count from the end record, the entries, and what
 * kind of file each entry claims to be.
 *
 * Design limit (memory): adm-zip reads the whole archive into memory, so peak memory is the zip
 * size (bounded by the download's maxBytes) plus ONE inflated entry at a time (bounded by
 * maxEntryBytes): entries are inflated and written one by one, never all at once. A streaming
 * unzip would lift the first term; result zips are ≤ ~200 MB, so this is acceptable for now.
 */
import { promises as fs } from 'node:fs';
import AdmZip from 'adm-zip';
import { MinerUError } from '../errors';
import type { DeclaredEntry } from './extractLimits';

/**
 * Reads the entry count from the end-of-central-directory record (zip64 too) without parsing the
 * directory, so that an archive with a million entries is refused before adm-zip builds them all.
 */
export async function declaredEntryCount(zipPath: string): Promise<number | undefined> {
  const handle = await fs.open(zipPath, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 22 + 0xffff + 20);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== 0x06054b50) continue;
      const total = tail.readUInt16LE(i + 10);
      if (total !== 0xffff) return total;
      if (i >= 20 && tail.readUInt32LE(i - 20) === 0x07064b50) {
        const offset = Number(tail.readBigUInt64LE(i - 20 + 8));
        const record = Buffer.alloc(56);
        await handle.read(record, 0, 56, offset);
        if (record.readUInt32LE(0) === 0x06064b50) return Number(record.readBigUInt64LE(32));
      }
      return total; // at least this many
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The entries of the archive at `zipPath`; a damaged archive is a retryable ZIP_CORRUPT error. */
export function readZipEntries(zipPath: string): AdmZip.IZipEntry[] {
  try {
    return new AdmZip(zipPath).getEntries();
  } catch (error) {
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
export function declaredEntry(entry: AdmZip.IZipEntry): DeclaredEntry {
  return { entryName: entry.entryName, size: entry.header.size, compressedSize: entry.header.compressedSize };
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'special';

/** What an entry claims to be, from the Unix file type bits of its external attributes (high 16 bits). */
export function entryKind(entry: AdmZip.IZipEntry): EntryKind {
  const type = (entry.header.attr >>> 16) & 0o170000;
  if (type === 0o120000) return 'symlink';
  if (type !== 0 && type !== 0o100000 && type !== 0o040000) return 'special';
  if (entry.isDirectory || type === 0o040000) return 'directory';
  return 'file';
}
