// Zip archives written byte by byte, so that their headers can lie: a declared size that is not
// the size of the data, in the local header, the central directory, or both. The fake service's
// zips (test/fake-mineru/zip.ts) are honest; these reach the guards that honest headers never do.
import { crc32, deflateRawSync } from 'node:zlib';

/** One entry: its true bytes, and what the headers claim instead where a claim is given. */
export interface ForgedEntry {
  name: string;
  /** The uncompressed bytes. */
  data: Buffer;
  /** Deflate the data (method 8); stored (method 0) otherwise. */
  deflate?: boolean;
  /** Set the UTF-8 name flag (bit 11) in both headers. */
  utf8?: boolean;
  /** Sizes the headers declare in place of the true ones. */
  claims?: { localSize?: number; centralSize?: number; centralCompressed?: number };
}

export function forgedZip(entries: ForgedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const flags = e.utf8 ? 0x0800 : 0;
    const method = e.deflate ? 8 : 0;
    const claims = e.claims ?? {};
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(claims.localSize ?? e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(claims.centralCompressed ?? body.length, 20);
    central.writeUInt32LE(claims.centralSize ?? e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 * 0x10000) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
