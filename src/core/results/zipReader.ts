/**
 * A zip reader that never holds a large archive in memory and never inflates on the event loop.
 *
 * The end record (zip64 too) and the central directory are read with file-handle reads, a window of
 * at most ~1 MiB at a time. Each entry is then a stream: its compressed bytes are read from the file
 * and inflated by zlib's stream API (both on libuv's thread pool), capped at the size the directory
 * declares, with the CRC-32 checked chunk by chunk (`zlib.crc32`). Memory stays flat whatever the
 * size of the archive or of an entry, and the event loop only hands chunks on.
 *
 * Small things are cheaper whole (zipEntryData.ts): an archive of at most IN_MEMORY_ARCHIVE_BYTES is
 * read in one read and its file closed, and a small entry can be read with one inflation into one
 * Buffer (`readEntry`) instead of a stream: a result of a few pages costs a few file-system calls.
 *
 * Why not adm-zip (the earlier reader, still used by tests to build zips): it reads the whole file
 * with readFileSync and inflates each entry with inflateRawSync, so a 300 MB result stalled the
 * extension host for ~0.8 s and peaked at ~670 MB (BENCHMARKS.md, "Result import without stalls").
 *
 * Entries are only described here; whether one may be written (its name, kind, sizes) is decided
 * by the callers (zipDirectory.ts, extractLimits.ts, extract.ts).
 */
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import {
  entryBytes,
  entryChunks,
  READ_CHUNK,
  readExactly,
  ZipFormatError,
  type ZipEntryInfo,
  type ZipSource,
} from './zipEntryData';

export { SMALL_ENTRY_BYTES, ZipEntryError, ZipFormatError, type ZipEntryInfo } from './zipEntryData';

/** What the end-of-central-directory record (and the zip64 one, where needed) declares. */
export interface EndRecord {
  /** Entries in the archive (from the zip64 record when the 16-bit field is saturated). */
  entries: number;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  /** Where the central directory must end at the latest: the zip64 record or the end record. */
  centralDirectoryLimit: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_LENGTH = 22;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_EOCD_LENGTH = 56;
const CENTRAL_LENGTH = 46;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** Archives up to this size are read into memory whole, in one read, and the file closed at once. */
export const IN_MEMORY_ARCHIVE_BYTES = 4 * 1024 * 1024;

/**
 * Reads the end record of the archive in `handle` (`size` bytes), and the zip64 end record when a
 * field of the classic one is saturated. Undefined when there is no end record at all.
 */
export async function readEndRecord(handle: ZipSource, size: number): Promise<EndRecord | undefined> {
  const tailLength = Math.min(size, EOCD_LENGTH + U16_MAX + ZIP64_LOCATOR_LENGTH);
  const tail = await readExactly(handle, size - tailLength, tailLength);
  for (let i = tailLength - EOCD_LENGTH; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const eocdPosition = size - tailLength + i;
    let entries = tail.readUInt16LE(i + 10);
    let centralDirectorySize = tail.readUInt32LE(i + 12);
    let centralDirectoryOffset = tail.readUInt32LE(i + 16);
    let centralDirectoryLimit = eocdPosition;
    const saturated =
      entries === U16_MAX || centralDirectorySize === U32_MAX || centralDirectoryOffset === U32_MAX;
    if (
      saturated &&
      i >= ZIP64_LOCATOR_LENGTH &&
      tail.readUInt32LE(i - ZIP64_LOCATOR_LENGTH) === ZIP64_LOCATOR_SIGNATURE
    ) {
      const recordOffset = Number(tail.readBigUInt64LE(i - ZIP64_LOCATOR_LENGTH + 8));
      if (recordOffset + ZIP64_EOCD_LENGTH <= eocdPosition) {
        const record = await readExactly(handle, recordOffset, ZIP64_EOCD_LENGTH);
        if (record.readUInt32LE(0) === ZIP64_EOCD_SIGNATURE) {
          if (entries === U16_MAX) entries = Number(record.readBigUInt64LE(32));
          if (centralDirectorySize === U32_MAX) centralDirectorySize = Number(record.readBigUInt64LE(40));
          if (centralDirectoryOffset === U32_MAX) centralDirectoryOffset = Number(record.readBigUInt64LE(48));
          centralDirectoryLimit = recordOffset;
        }
      }
    }
    return { entries, centralDirectoryOffset, centralDirectorySize, centralDirectoryLimit };
  }
  return undefined;
}

/** Reads ranges of the file through a window, so that the directory is never read whole. */
class WindowedReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: ZipSource,
    private readonly end: number,
  ) {}

  async bytes(position: number, length: number): Promise<Buffer> {
    if (position + length > this.end) throw new ZipFormatError('The central directory is cut short');
    const offset = position - this.windowStart;
    if (offset < 0 || offset + length > this.window.length) {
      this.windowStart = position;
      this.window = await readExactly(
        this.handle,
        position,
        Math.min(Math.max(length, READ_CHUNK), this.end - position),
      );
      return this.window.subarray(0, length);
    }
    return this.window.subarray(offset, offset + length);
  }
}

/** The zip64 extended-information extra field (0x0001) replaces each saturated value, in order. */
function applyZip64Extra(
  extra: Buffer,
  values: { size: number; compressedSize: number; localHeaderOffset: number },
): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    const end = Math.min(extra.length, p + 4 + length);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number | undefined => {
        if (q + 8 > end) return undefined;
        const value = Number(extra.readBigUInt64LE(q));
        q += 8;
        return value;
      };
      if (values.size === U32_MAX) values.size = next() ?? values.size;
      if (values.compressedSize === U32_MAX) values.compressedSize = next() ?? values.compressedSize;
      if (values.localHeaderOffset === U32_MAX) values.localHeaderOffset = next() ?? values.localHeaderOffset;
      return;
    }
    p += 4 + length;
  }
}

/** An archive open for reading; `close()` it when done. */
export interface ZipArchive {
  /** Bytes of the archive file. */
  readonly size: number;
  /** The entries in directory order. */
  readonly entries: readonly ZipEntryInfo[];
  /**
   * The entry's uncompressed bytes as a stream. It fails with a ZipEntryError when the entry is
   * encrypted, uses another method than stored/deflate, inflates to more bytes than declared (the
   * stream stops there) or fewer, or its CRC-32 does not match; the error comes before the end of
   * the stream, so a consumer that writes the bytes out knows to discard them.
   */
  openEntry(entry: ZipEntryInfo): Readable;
  /**
   * The whole of an entry whose declared sizes are both at most SMALL_ENTRY_BYTES (a RangeError
   * otherwise), checked as `openEntry` checks it; it fails with the same ZipEntryErrors, before
   * handing out any byte.
   */
  readEntry(entry: ZipEntryInfo): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Opens the archive at `zipPath` and reads its central directory (not the data). A damaged or
 * missing directory is a ZipFormatError; file-system errors are passed on as they are.
 */
export async function openZip(
  zipPath: string,
  opts: {
    /**
     * Sees the entry count the end record declares (0xffff without a zip64 record: at least this
     * many) before any directory record is read, and throws to refuse the archive.
     */
    checkDeclaredCount?: (count: number) => void;
    /** Archives up to this size are read whole into memory (default IN_MEMORY_ARCHIVE_BYTES). */
    inMemoryBytes?: number;
  } = {},
): Promise<ZipArchive> {
  const handle = await fs.open(zipPath, 'r');
  let open = true;
  try {
    const { size } = await handle.stat();
    let source: ZipSource = handle;
    if (size <= (opts.inMemoryBytes ?? IN_MEMORY_ARCHIVE_BYTES)) {
      source = await readExactly(handle, 0, size);
      open = false;
      await handle.close();
    }
    const end = await readEndRecord(source, size);
    if (!end) throw new ZipFormatError('No end of central directory record: not a zip file');
    const { entries: count, centralDirectoryOffset: start, centralDirectorySize } = end;
    opts.checkDeclaredCount?.(count);
    const limit = start + centralDirectorySize;
    if (limit > end.centralDirectoryLimit || count * CENTRAL_LENGTH > centralDirectorySize) {
      throw new ZipFormatError('The central directory lies outside the archive');
    }
    const reader = new WindowedReader(source, limit);
    const entries: ZipEntryInfo[] = [];
    let position = start;
    for (let i = 0; i < count; i++) {
      const header = await reader.bytes(position, CENTRAL_LENGTH);
      if (header.readUInt32LE(0) !== CENTRAL_SIGNATURE) {
        throw new ZipFormatError('Invalid central directory record (bad signature)');
      }
      const nameLength = header.readUInt16LE(28);
      const extraLength = header.readUInt16LE(30);
      const commentLength = header.readUInt16LE(32);
      const variable = await reader.bytes(
        position + CENTRAL_LENGTH,
        nameLength + extraLength + commentLength,
      );
      const name = variable.toString('utf8', 0, nameLength);
      const values = {
        size: header.readUInt32LE(24),
        compressedSize: header.readUInt32LE(20),
        localHeaderOffset: header.readUInt32LE(42),
      };
      applyZip64Extra(variable.subarray(nameLength, nameLength + extraLength), values);
      const flags = header.readUInt16LE(8);
      entries.push({
        name,
        isDirectory: name.endsWith('/') || name.endsWith('\\'),
        method: header.readUInt16LE(10),
        flags,
        encrypted: (flags & 0x0001) !== 0,
        crc: header.readUInt32LE(16),
        compressedSize: values.compressedSize,
        size: values.size,
        externalAttributes: header.readUInt32LE(38),
        madeBy: header.readUInt8(5),
        localHeaderOffset: values.localHeaderOffset,
      });
      position += CENTRAL_LENGTH + nameLength + extraLength + commentLength;
    }
    return {
      size,
      entries,
      openEntry: (entry) => Readable.from(entryChunks(source, size, entry), { objectMode: false }),
      readEntry: (entry) => entryBytes(source, size, entry),
      close: async () => {
        if (!open) return; // a small archive's file was closed once read
        open = false;
        await handle.close();
      },
    };
  } catch (error) {
    if (open) await handle.close().catch(() => undefined);
    throw error;
  }
}
