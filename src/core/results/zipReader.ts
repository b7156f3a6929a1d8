/**
 * A zip reader that never holds the archive in memory and never inflates on the event loop.
 *
 * The end record (zip64 too) and the central directory are read with file-handle reads, a window of
 * at most ~1 MiB at a time. Each entry is then a stream: its compressed bytes are read from the file
 * and inflated by zlib's stream API (both on libuv's thread pool), capped at the size the directory
 * declares, with the CRC-32 checked chunk by chunk (`zlib.crc32`). Memory stays flat whatever the
 * size of the archive or of an entry, and the event loop only hands chunks on.
 *
 * Why not adm-zip (the earlier reader, still used by tests to build zips): it reads the whole file
 * with readFileSync and inflates each entry with inflateRawSync, so a 300 MB result stalled the
 * extension host for ~0.8 s and peaked at ~670 MB (BENCHMARKS.md, "Result import without stalls").
 *
 * Entries are only described here; whether one may be written (its name, kind, sizes) is decided
 * by the callers (zipDirectory.ts, extractLimits.ts, extract.ts).
 */
import type { FileHandle } from 'node:fs/promises';
import { promises as fs } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

/** One entry as the central directory describes it. */
export interface ZipEntryInfo {
  /** The name as stored, decoded as UTF-8 (as adm-zip did; the UTF-8 flag is not consulted). */
  name: string;
  /** The name ends with "/" (or "\"): a directory entry. */
  isDirectory: boolean;
  /** Compression method: 0 stored, 8 deflated; anything else cannot be read. */
  method: number;
  /** General-purpose bit flags (bit 0: encrypted, bit 3: sizes in a data descriptor). */
  flags: number;
  /** Bit 0 of the flags: the data is encrypted and cannot be read. */
  encrypted: boolean;
  /** CRC-32 of the uncompressed bytes, as declared. */
  crc: number;
  compressedSize: number;
  /** Uncompressed bytes, as declared; inflation is capped at this size. */
  size: number;
  /** External file attributes; a Unix mode is in the high 16 bits. */
  externalAttributes: number;
  /** "Version made by", high byte: the host system (3 = Unix). */
  madeBy: number;
  /** Where the entry's local header starts. */
  localHeaderOffset: number;
}

/** The archive's structure is damaged (end record, central directory or a local header). */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** An entry's data could not be read whole and intact; the message says why. */
export class ZipEntryError extends Error {
  override name = 'ZipEntryError';
}

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
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_LENGTH = 22;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_EOCD_LENGTH = 56;
const CENTRAL_LENGTH = 46;
const LOCAL_LENGTH = 30;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/** Bytes read at once from the archive: the central-directory window and each data chunk. */
const READ_CHUNK = 1024 * 1024;
/** Bytes zlib hands back per inflated chunk. */
const INFLATE_CHUNK = 256 * 1024;

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new ZipFormatError('The archive ends too early');
    done += bytesRead;
  }
  return buffer;
}

/**
 * Reads the end record of the archive open in `handle` (`size` bytes), and the zip64 end record
 * when a field of the classic one is saturated. Undefined when there is no end record at all.
 */
export async function readEndRecord(handle: FileHandle, size: number): Promise<EndRecord | undefined> {
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
    private readonly handle: FileHandle,
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
  } = {},
): Promise<ZipArchive> {
  const handle = await fs.open(zipPath, 'r');
  try {
    const { size } = await handle.stat();
    const end = await readEndRecord(handle, size);
    if (!end) throw new ZipFormatError('No end of central directory record: not a zip file');
    const { entries: count, centralDirectoryOffset: start, centralDirectorySize } = end;
    opts.checkDeclaredCount?.(count);
    const limit = start + centralDirectorySize;
    if (limit > end.centralDirectoryLimit || count * CENTRAL_LENGTH > centralDirectorySize) {
      throw new ZipFormatError('The central directory lies outside the archive');
    }
    const reader = new WindowedReader(handle, limit);
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
      openEntry: (entry) => Readable.from(entryChunks(handle, size, entry), { objectMode: false }),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** Where the entry's data starts, from its local header (whose name and extra lengths may differ). */
async function dataStart(handle: FileHandle, archiveSize: number, entry: ZipEntryInfo): Promise<number> {
  if (entry.localHeaderOffset + LOCAL_LENGTH > archiveSize) {
    throw new ZipEntryError('Invalid LOC header (outside the archive)');
  }
  const local = await readExactly(handle, entry.localHeaderOffset, LOCAL_LENGTH);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE)
    throw new ZipEntryError('Invalid LOC header (bad signature)');
  const hasDescriptor = ((local.readUInt16LE(6) | entry.flags) & 0x0008) !== 0;
  if (!hasDescriptor && local.readUInt32LE(14) !== entry.crc) {
    throw new ZipEntryError('The local and central headers declare different CRC-32 values');
  }
  const start = entry.localHeaderOffset + LOCAL_LENGTH + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > archiveSize) {
    throw new ZipEntryError('The entry data runs past the end of the archive');
  }
  return start;
}

/**
 * `length` bytes of the file from `start`, in chunks. (Not `handle.createReadStream`: destroying
 * such a stream closes the handle, which every entry of the archive shares.)
 */
async function* rangeChunks(
  handle: FileHandle,
  start: number,
  length: number,
): AsyncGenerator<Buffer, void, undefined> {
  let position = start;
  const end = start + length;
  while (position < end) {
    const wanted = Math.min(READ_CHUNK, end - position);
    const chunk = Buffer.allocUnsafe(wanted);
    const { bytesRead } = await handle.read(chunk, 0, wanted, position);
    if (bytesRead === 0) throw new ZipEntryError('The archive ends before the entry does');
    position += bytesRead;
    yield bytesRead === wanted ? chunk : chunk.subarray(0, bytesRead);
  }
}

async function* entryChunks(
  handle: FileHandle,
  archiveSize: number,
  entry: ZipEntryInfo,
): AsyncGenerator<Buffer, void, undefined> {
  if (entry.encrypted) throw new ZipEntryError('The entry is encrypted');
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipEntryError(`Unsupported compression method ${entry.method}`);
  }
  if (entry.method === 0 && entry.compressedSize !== entry.size) {
    throw new ZipEntryError(
      `A stored entry of ${entry.compressedSize} bytes cannot hold the ${entry.size} it declares`,
    );
  }
  let source: Readable | undefined;
  let raw: Readable | undefined;
  try {
    const start = await dataStart(handle, archiveSize, entry);
    if (entry.compressedSize === 0) {
      source = Readable.from([]); // an empty entry (a non-empty one fails the length check below)
    } else {
      raw = Readable.from(rangeChunks(handle, start, entry.compressedSize), { objectMode: false });
      if (entry.method === 8) {
        const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
        pipeline(raw, inflate, () => undefined); // an error of either ends the iteration below
        source = inflate;
      } else {
        source = raw;
      }
    }
    let length = 0;
    let crc = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (length + chunk.length > entry.size) {
        // The words of Node's own cap (maxOutputLength), which adm-zip reported before.
        throw new ZipEntryError(`Cannot create a Buffer larger than ${entry.size} bytes`);
      }
      length += chunk.length;
      crc = crc32(chunk, crc);
      yield chunk;
    }
    if (length !== entry.size) {
      throw new ZipEntryError(`The entry holds ${length} bytes, not the ${entry.size} it declares`);
    }
    if (crc >>> 0 !== entry.crc >>> 0) throw new ZipEntryError('CRC32 checksum failed');
  } catch (error) {
    if (error instanceof ZipEntryError) throw error;
    throw new ZipEntryError(error instanceof Error ? error.message : String(error), { cause: error });
  } finally {
    source?.destroy();
    raw?.destroy();
  }
}
