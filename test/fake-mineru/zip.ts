/**
 * A small streaming zip writer for the fake MinerU CDN.
 *
 * Why not adm-zip for everything: the fake must serve 50–300 MB zips for benchmarks without holding
 * them in memory, and must be able to write hostile entries (`../evil.txt`, absolute paths, unix
 * symlinks) exactly as given. Small payloads live in memory; big ones are produced chunk by chunk
 * and only their CRC is computed up front (once per size, cached).
 */
import { randomBytes } from 'node:crypto';
import { constants as zlibConstants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Entry name exactly as written into the archive (not sanitised on purpose). */
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: 0 | 8;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Unix mode written into the external attributes (e.g. 0o120777 for a symlink). */
  unixMode: number;
  /** The payload as stored in the archive (already compressed when method = 8). */
  data?: Buffer;
  /** Alternative to `data`: produce the stored payload in chunks (must total `compressedSize`). */
  chunks?: () => Iterable<Buffer>;
}

export interface ZipPlan {
  /** Total archive size in bytes (known before any byte is produced). */
  size: number;
  /** The archive, in order, as a sequence of buffers. */
  parts(): Iterable<Buffer>;
}

const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;
export const SYMLINK_MODE = 0o120777;

/** An in-memory entry; text is UTF-8. Deflates unless told otherwise or the data does not shrink. */
export function memEntry(
  name: string,
  content: Buffer | string,
  opts: { deflate?: boolean; unixMode?: number } = {},
): ZipEntry {
  const raw = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const isDir = name.endsWith('/');
  const unixMode = opts.unixMode ?? (isDir ? DIR_MODE : FILE_MODE);
  const crc = crc32(raw);
  if (opts.deflate !== false && raw.length > 0) {
    const packed = deflateRawSync(raw, { level: 6 });
    if (packed.length < raw.length) {
      return {
        name,
        method: 8,
        crc,
        compressedSize: packed.length,
        uncompressedSize: raw.length,
        unixMode,
        data: packed,
      };
    }
  }
  return {
    name,
    method: 0,
    crc,
    compressedSize: raw.length,
    uncompressedSize: raw.length,
    unixMode,
    data: raw,
  };
}

const CHUNK = 1024 * 1024;
let noiseChunk: Buffer | undefined;
const padCrcCache = new Map<number, number>();

function noise(): Buffer {
  noiseChunk ??= randomBytes(CHUNK);
  return noiseChunk;
}

function* noiseChunks(size: number): Iterable<Buffer> {
  const chunk = noise();
  let left = size;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    yield n === chunk.length ? chunk : chunk.subarray(0, n);
    left -= n;
  }
}

/**
 * A stored entry of `size` incompressible bytes, generated in 1 MB chunks (a repeated random block
 * is incompressible for deflate, whose window is 32 KB). Memory use stays at one chunk.
 */
export function paddingEntry(name: string, size: number): ZipEntry {
  let crc = padCrcCache.get(size);
  if (crc === undefined) {
    crc = 0;
    for (const c of noiseChunks(size)) crc = crc32(c, crc);
    padCrcCache.set(size, crc);
  }
  return {
    name,
    method: 0,
    crc,
    compressedSize: size,
    uncompressedSize: size,
    unixMode: FILE_MODE,
    chunks: () => noiseChunks(size),
  };
}

const bombCache = new Map<number, Promise<{ data: Buffer; crc: number }>>();

/** A deflated entry of `size` zero bytes (ratio ≈ 1000:1). The compressed bytes are cached. */
export async function bombEntry(name: string, size: number): Promise<ZipEntry> {
  let pending = bombCache.get(size);
  if (!pending) {
    pending = new Promise<{ data: Buffer; crc: number }>((resolve, reject) => {
      const zeros = Buffer.alloc(Math.min(CHUNK, Math.max(size, 1)));
      const out: Buffer[] = [];
      const deflate = createDeflateRaw({ level: zlibConstants.Z_BEST_COMPRESSION });
      deflate.on('data', (b: Buffer) => out.push(b));
      deflate.on('error', reject);
      let crc = 0;
      let left = size;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, zeros.length);
          const piece = n === zeros.length ? zeros : zeros.subarray(0, n);
          crc = crc32(piece, crc);
          left -= n;
          if (!deflate.write(piece)) {
            deflate.once('drain', pump);
            return;
          }
        }
        deflate.end();
      };
      deflate.on('end', () => resolve({ data: Buffer.concat(out), crc }));
      pump();
    });
    bombCache.set(size, pending);
  }
  const { data, crc } = await pending;
  return {
    name,
    method: 8,
    crc,
    compressedSize: data.length,
    uncompressedSize: size,
    unixMode: FILE_MODE,
    data,
  };
}

// A fixed timestamp keeps archives reproducible: 2026-01-01 12:00:00 in MS-DOS format.
const DOS_TIME = (12 << 11) | (0 << 5) | 0;
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;

function nameFlags(nameBytes: Buffer, name: string): number {
  // Bit 11: the name is UTF-8. Only set it when the name is not plain ASCII.
  return nameBytes.length !== name.length ? 0x0800 : 0;
}

function localHeader(e: ZipEntry, nameBytes: Buffer): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(nameFlags(nameBytes, e.name), 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(e.crc >>> 0, 14);
  h.writeUInt32LE(e.compressedSize, 18);
  h.writeUInt32LE(e.uncompressedSize, 22);
  h.writeUInt16LE(nameBytes.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, nameBytes]);
}

function centralHeader(e: ZipEntry, nameBytes: Buffer, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by: unix, spec 2.0 (so the unix mode is honoured)
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(nameFlags(nameBytes, e.name), 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(e.crc >>> 0, 16);
  h.writeUInt32LE(e.compressedSize, 20);
  h.writeUInt32LE(e.uncompressedSize, 24);
  h.writeUInt16LE(nameBytes.length, 28);
  h.writeUInt16LE(0, 30); // extra
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attrs
  const dosDirBit = (e.unixMode & 0o170000) === 0o040000 ? 0x10 : 0;
  h.writeUInt32LE((((e.unixMode & 0xffff) << 16) | dosDirBit) >>> 0, 38);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, nameBytes]);
}

/** Lays out an archive. Sizes must stay below 4 GB (no zip64). */
export function planZip(entries: readonly ZipEntry[]): ZipPlan {
  const names = entries.map((e) => Buffer.from(e.name, 'utf8'));
  const locals = entries.map((e, i) => localHeader(e, names[i] ?? Buffer.alloc(0)));
  const offsets: number[] = [];
  let pos = 0;
  entries.forEach((e, i) => {
    offsets.push(pos);
    pos += (locals[i]?.length ?? 0) + e.compressedSize;
  });
  const central = Buffer.concat(
    entries.map((e, i) => centralHeader(e, names[i] ?? Buffer.alloc(0), offsets[i] ?? 0)),
  );
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(pos, 16);
  end.writeUInt16LE(0, 20);
  const size = pos + central.length + end.length;
  if (size > 0xffffffff) throw new Error('fake zip too large (no zip64 support)');
  return {
    size,
    *parts(): Iterable<Buffer> {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        const local = locals[i];
        if (!e || !local) continue;
        yield local;
        if (e.data) yield e.data;
        else if (e.chunks) yield* e.chunks();
      }
      yield central;
      yield end;
    },
  };
}

/** The whole archive in one buffer (for small archives such as the fake .docx). */
export function zipToBuffer(entries: readonly ZipEntry[]): Buffer {
  return Buffer.concat([...planZip(entries).parts()]);
}
