/**
 * An entry's data, read from the archive (zipReader.ts opens it and parses its directory): as a
 * stream for any size, or whole in memory for small entries. Either way the bytes are inflated by
 * zlib off the event loop, capped at the size the directory declares, and their CRC-32 checked.
 */
import type { FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, createInflateRaw, inflateRaw, type ZlibOptions } from 'node:zlib';

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

/** Where the archive's bytes are: its open file, or (a small archive, read once) all of them in memory. */
export type ZipSource = FileHandle | Buffer;

const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_LENGTH = 30;

/** Bytes read at once from the archive: the central-directory window and each data chunk. */
export const READ_CHUNK = 1024 * 1024;
/** Bytes zlib hands back per inflated chunk. */
const INFLATE_CHUNK = 256 * 1024;
/** The largest entry (declared, compressed or not) that `entryBytes` reads whole into memory. */
export const SMALL_ENTRY_BYTES = 1024 * 1024;

const inflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);

export async function readExactly(source: ZipSource, position: number, length: number): Promise<Buffer> {
  if (Buffer.isBuffer(source)) {
    if (position < 0 || position + length > source.length)
      throw new ZipFormatError('The archive ends too early');
    return source.subarray(position, position + length);
  }
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await source.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new ZipFormatError('The archive ends too early');
    done += bytesRead;
  }
  return buffer;
}

/** Where the entry's data starts, from its local header (whose name and extra lengths may differ). */
async function dataStart(source: ZipSource, archiveSize: number, entry: ZipEntryInfo): Promise<number> {
  if (entry.localHeaderOffset + LOCAL_LENGTH > archiveSize) {
    throw new ZipEntryError('Invalid LOC header (outside the archive)');
  }
  const local = await readExactly(source, entry.localHeaderOffset, LOCAL_LENGTH);
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

/** Refuses what cannot be read at all: encryption, another method, a stored entry of two sizes. */
function checkReadable(entry: ZipEntryInfo): void {
  if (entry.encrypted) throw new ZipEntryError('The entry is encrypted');
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipEntryError(`Unsupported compression method ${entry.method}`);
  }
  if (entry.method === 0 && entry.compressedSize !== entry.size) {
    throw new ZipEntryError(
      `A stored entry of ${entry.compressedSize} bytes cannot hold the ${entry.size} it declares`,
    );
  }
}

/** The words of Node's own cap (maxOutputLength), which adm-zip reported before. */
function overDeclared(entry: ZipEntryInfo): ZipEntryError {
  return new ZipEntryError(`Cannot create a Buffer larger than ${entry.size} bytes`);
}

function asEntryError(error: unknown): ZipEntryError {
  if (error instanceof ZipEntryError) return error;
  return new ZipEntryError(error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * `length` bytes of the archive from `start`, in chunks. (Not `handle.createReadStream`: destroying
 * such a stream closes the handle, which every entry of the archive shares.)
 */
async function* rangeChunks(
  source: ZipSource,
  start: number,
  length: number,
): AsyncGenerator<Buffer, void, undefined> {
  let position = start;
  const end = start + length;
  while (position < end) {
    const wanted = Math.min(READ_CHUNK, end - position);
    if (Buffer.isBuffer(source)) {
      yield await readExactly(source, position, wanted);
      position += wanted;
      continue;
    }
    const chunk = Buffer.allocUnsafe(wanted);
    const { bytesRead } = await source.read(chunk, 0, wanted, position);
    if (bytesRead === 0) throw new ZipEntryError('The archive ends before the entry does');
    position += bytesRead;
    yield bytesRead === wanted ? chunk : chunk.subarray(0, bytesRead);
  }
}

/** The entry's bytes as a stream; see ZipArchive.openEntry. */
export async function* entryChunks(
  source: ZipSource,
  archiveSize: number,
  entry: ZipEntryInfo,
): AsyncGenerator<Buffer, void, undefined> {
  checkReadable(entry);
  let stream: Readable | undefined;
  let raw: Readable | undefined;
  try {
    const start = await dataStart(source, archiveSize, entry);
    if (entry.compressedSize === 0) {
      stream = Readable.from([]); // an empty entry (a non-empty one fails the length check below)
    } else {
      raw = Readable.from(rangeChunks(source, start, entry.compressedSize), { objectMode: false });
      if (entry.method === 8) {
        const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
        pipeline(raw, inflate, () => undefined); // an error of either ends the iteration below
        stream = inflate;
      } else {
        stream = raw;
      }
    }
    let length = 0;
    let crc = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (length + chunk.length > entry.size) throw overDeclared(entry);
      length += chunk.length;
      crc = crc32(chunk, crc);
      yield chunk;
    }
    if (length !== entry.size) {
      throw new ZipEntryError(`The entry holds ${length} bytes, not the ${entry.size} it declares`);
    }
    if (crc >>> 0 !== entry.crc >>> 0) throw new ZipEntryError('CRC32 checksum failed');
  } catch (error) {
    throw asEntryError(error);
  } finally {
    stream?.destroy();
    raw?.destroy();
  }
}

/**
 * The whole of a small entry (both declared sizes at most SMALL_ENTRY_BYTES), with the checks of
 * `entryChunks`: one read of its compressed bytes, one inflation (on zlib's thread pool) capped at
 * the declared size, its length and CRC-32 checked. Fails with the same ZipEntryErrors, before any
 * byte is handed out.
 */
export async function entryBytes(
  source: ZipSource,
  archiveSize: number,
  entry: ZipEntryInfo,
): Promise<Buffer> {
  if (entry.size > SMALL_ENTRY_BYTES || entry.compressedSize > SMALL_ENTRY_BYTES) {
    throw new RangeError(`entryBytes reads entries of at most ${SMALL_ENTRY_BYTES} bytes`);
  }
  checkReadable(entry);
  try {
    const start = await dataStart(source, archiveSize, entry);
    const raw = await readExactly(source, start, entry.compressedSize);
    let data = raw;
    if (entry.method === 8 && raw.length > 0) {
      // maxOutputLength must be at least 1; an entry declared empty that inflates to a byte is over.
      data = await inflateRawAsync(raw, { maxOutputLength: Math.max(1, entry.size) }).catch(
        (error: unknown) => {
          throw (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
            ? overDeclared(entry)
            : error;
        },
      );
    }
    if (data.length > entry.size) throw overDeclared(entry);
    if (data.length !== entry.size) {
      throw new ZipEntryError(`The entry holds ${data.length} bytes, not the ${entry.size} it declares`);
    }
    if (crc32(data) >>> 0 !== entry.crc >>> 0) throw new ZipEntryError('CRC32 checksum failed');
    return data;
  } catch (error) {
    throw asEntryError(error);
  }
}
