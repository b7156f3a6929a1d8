/**
 * The streaming zip reader (src/core/results/zipReader.ts) on its own and through importResultZip:
 * stored and deflated entries, zip64 end records and extra fields, a directory larger than the
 * read window, and each way an entry or an archive can be damaged (CRC, more or fewer bytes than
 * declared, truncation, encryption, a bad local header).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import AdmZip from 'adm-zip';
import { MinerUError } from '../../src/core/errors';
import { importResultZip } from '../../src/core/results/extract';
import { declaredEntryCount } from '../../src/core/results/zipDirectory';
import { openZip, ZipEntryError, ZipFormatError, type ZipArchive } from '../../src/core/results/zipReader';
import { forgedZip, type ForgedEntry } from './helpers/forgedZip';

async function readAll(archive: ZipArchive, name: string): Promise<Buffer> {
  const entry = archive.entries.find((e) => e.name === name);
  assert.ok(entry, `entry ${name}`);
  const chunks: Buffer[] = [];
  for await (const chunk of archive.openEntry(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads an entry until it fails; resolves the error and the bytes delivered before it. */
async function readFailing(
  archive: ZipArchive,
  name: string,
): Promise<{ error: unknown; delivered: number }> {
  const entry = archive.entries.find((e) => e.name === name);
  assert.ok(entry, `entry ${name}`);
  let delivered = 0;
  try {
    for await (const chunk of archive.openEntry(entry)) delivered += (chunk as Buffer).length;
  } catch (error) {
    return { error, delivered };
  }
  assert.fail(`reading ${name} did not fail`);
}

/** Offsets of the central-directory records of a zip without a comment. */
function centralRecords(zip: Buffer): number[] {
  const eocd = zip.length - 22;
  const count = zip.readUInt16LE(eocd + 10);
  const offsets: number[] = [];
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    offsets.push(p);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return offsets;
}

/** Sets general-purpose flag bits of entry `index` in both of its headers. */
function setFlags(zip: Buffer, index: number, bits: number): Buffer {
  const out = Buffer.from(zip);
  const central = centralRecords(out)[index]!;
  out.writeUInt16LE(out.readUInt16LE(central + 8) | bits, central + 8);
  const local = out.readUInt32LE(central + 42);
  out.writeUInt16LE(out.readUInt16LE(local + 6) | bits, local + 6);
  return out;
}

/** Replaces the classic end record by a zip64 record + locator + an end record with saturated fields. */
function withZip64End(zip: Buffer): Buffer {
  const eocd = zip.length - 22;
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(cdSize), 40);
  record.writeBigUInt64LE(BigInt(cdOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(eocd), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([zip.subarray(0, eocd), record, locator, end]);
}

/**
 * One stored entry whose central record keeps its sizes and offset in a zip64 extra field
 * (0xffffffff in the 32-bit fields), as writers do for entries over 4 GiB.
 */
function zip64ExtraZip(name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const extra = Buffer.alloc(4 + 24);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(24, 2);
  extra.writeBigUInt64LE(BigInt(data.length), 4); // uncompressed
  extra.writeBigUInt64LE(BigInt(data.length), 12); // compressed
  extra.writeBigUInt64LE(0n, 20); // local header offset
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x032d, 4);
  central.writeUInt16LE(45, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt16LE(extra.length, 30);
  central.writeUInt32LE((0o100644 * 0x10000) >>> 0, 38);
  central.writeUInt32LE(0xffffffff, 42);
  const cd = Buffer.concat([central, nameBytes, extra]);
  const offset = local.length + nameBytes.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([local, nameBytes, data, cd, eocd]);
}

function noise(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

describe('results: zipReader', () => {
  let dir: string;
  let n = 0;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-zipreader-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(zip: Buffer): string {
    const p = join(dir, `z${n++}.zip`);
    writeFileSync(p, zip);
    return p;
  }

  async function withArchive<T>(zip: Buffer, use: (archive: ZipArchive) => Promise<T>): Promise<T> {
    const archive = await openZip(file(zip));
    try {
      return await use(archive);
    } finally {
      await archive.close();
    }
  }

  /** Imports `zip`, expecting success; returns the result and the output folder. */
  async function importOk(zip: Buffer): Promise<Awaited<ReturnType<typeof importResultZip>>> {
    return importResultZip(file(zip), { outputDir: join(dir, `out${n}`), documentName: 'doc' });
  }

  it('reads stored and deflated entries, with their names, methods, sizes, CRC and attributes', async () => {
    const text = Buffer.from('# Title\n\n'.repeat(5000));
    const pdf = noise(300_000);
    const entries: ForgedEntry[] = [
      { name: 'full.md', data: text, deflate: true, utf8: true },
      { name: 'images/年报.jpg', data: pdf, utf8: true },
      { name: 'empty.json', data: Buffer.alloc(0) },
    ];
    await withArchive(forgedZip(entries), async (archive) => {
      assert.deepEqual(
        archive.entries.map((e) => [e.name, e.method, e.size, e.compressedSize < e.size, e.isDirectory]),
        [
          ['full.md', 8, text.length, true, false],
          ['images/年报.jpg', 0, pdf.length, false, false],
          ['empty.json', 0, 0, false, false],
        ],
      );
      for (const e of archive.entries) {
        assert.equal(e.externalAttributes >>> 16, 0o100644);
        assert.equal(e.madeBy, 3, 'made by Unix');
        assert.equal(e.encrypted, false);
      }
      assert.equal(archive.entries[0]!.crc, crc32(text));
      assert.deepEqual(await readAll(archive, 'full.md'), text);
      assert.deepEqual(await readAll(archive, 'images/年报.jpg'), pdf);
      assert.deepEqual(await readAll(archive, 'empty.json'), Buffer.alloc(0));
      // Entries can be read again, in any order, from the one open file.
      assert.deepEqual(await readAll(archive, 'full.md'), text);
    });
  });

  it('reads what adm-zip writes, a directory entry included, and imports it byte for byte', async () => {
    const zip = new AdmZip();
    zip.addFile('images/', Buffer.alloc(0));
    zip.addFile('images/a.png', noise(70_000));
    zip.addFile('full.md', Buffer.from('![](images/a.png)\n'.repeat(1000)));
    const buffer = zip.toBuffer();
    await withArchive(buffer, async (archive) => {
      assert.deepEqual(
        archive.entries.map((e) => [e.name, e.isDirectory]),
        [
          ['full.md', false], // adm-zip sorts the entries by name when it writes
          ['images/', true],
          ['images/a.png', false],
        ],
      );
      assert.deepEqual(await readAll(archive, 'images/a.png'), noise(70_000));
    });
    const result = await importOk(buffer);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(readFileSync(join(result.folder, 'images', 'a.png')), noise(70_000));
  });

  it('reads a zip64 end record (saturated classic fields) and a zip64 extra field', async () => {
    const data = noise(5000);
    const zip = withZip64End(
      forgedZip([
        { name: 'full.md', data: Buffer.from('# zip64\n'), deflate: true },
        { name: 'a.bin', data },
      ]),
    );
    const path = file(zip);
    assert.equal(await declaredEntryCount(path), 2, 'the count comes from the zip64 record');
    const archive = await openZip(path);
    try {
      assert.deepEqual(
        archive.entries.map((e) => e.name),
        ['full.md', 'a.bin'],
      );
      assert.deepEqual(await readAll(archive, 'a.bin'), data);
    } finally {
      await archive.close();
    }
    assert.equal(readFileSync((await importOk(zip)).markdownPath, 'utf8'), '# zip64\n');

    await withArchive(zip64ExtraZip('big.bin', data), async (archive) => {
      const [entry] = archive.entries;
      assert.equal(entry!.size, data.length);
      assert.equal(entry!.compressedSize, data.length);
      assert.equal(entry!.localHeaderOffset, 0);
      assert.deepEqual(await readAll(archive, 'big.bin'), data);
    });
  });

  it('reads a central directory larger than its read window', async () => {
    const entries: ForgedEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      name: `images/${String(i).padStart(4, '0')}-${'x'.repeat(400)}.jpg`,
      data: Buffer.from(`image ${i}`),
    }));
    await withArchive(forgedZip(entries), async (archive) => {
      assert.equal(archive.entries.length, 3000);
      assert.deepEqual(
        archive.entries.map((e) => e.name),
        entries.map((e) => e.name),
      );
      assert.deepEqual(await readAll(archive, entries[2999]!.name), Buffer.from('image 2999'));
    });
  });

  it('a CRC mismatch fails the entry (ZipEntryError) and importResultZip rejects it as unreadable', async () => {
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n') },
      { name: 'a.json', data: Buffer.from('{"intact":true}') },
    ]);
    const damaged = Buffer.from(zip);
    const dataAt = damaged.indexOf('{"intact"');
    damaged.writeUInt8(damaged.readUInt8(dataAt + 3) ^ 0xff, dataAt + 3); // same length, other bytes
    const { error } = await withArchive(damaged, (a) => readFailing(a, 'a.json'));
    assert.ok(error instanceof ZipEntryError, String(error));
    assert.equal(error.message, 'CRC32 checksum failed');

    const result = await importOk(damaged);
    assert.deepEqual(result.rejected, [{ entry: 'a.json', reason: 'unreadable (CRC32 checksum failed)' }]);
    assert.deepEqual(readdirSync(result.folder), ['doc.md'], 'nothing of the damaged entry is left');
  });

  it('stops an entry that inflates beyond its declared size, before delivering more than declared', async () => {
    const big = Buffer.from('x'.repeat(2_000_000));
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n'), deflate: true },
      { name: 'sub/dir/bomb.json', data: big, deflate: true, claims: { localSize: 1000, centralSize: 1000 } },
    ]);
    const { error, delivered } = await withArchive(zip, (a) => readFailing(a, 'sub/dir/bomb.json'));
    assert.ok(error instanceof ZipEntryError, String(error));
    assert.equal(error.message, 'Cannot create a Buffer larger than 1000 bytes');
    assert.ok(delivered <= 1000, `delivered ${delivered} bytes`);

    const result = await importOk(zip);
    assert.deepEqual(result.rejected, [
      { entry: 'sub/dir/bomb.json', reason: 'unreadable (Cannot create a Buffer larger than 1000 bytes)' },
    ]);
    assert.deepEqual(readdirSync(result.folder), ['doc.md'], 'neither the file nor its folders are left');
  });

  it('an entry holding fewer bytes than it declares is unreadable too', async () => {
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n') },
      { name: 'short.json', data: Buffer.from('[1,2,3]'), deflate: true, claims: { centralSize: 50 } },
    ]);
    const { error } = await withArchive(zip, (a) => readFailing(a, 'short.json'));
    assert.ok(error instanceof ZipEntryError);
    assert.equal(error.message, 'The entry holds 7 bytes, not the 50 it declares');
    const result = await importOk(zip);
    assert.deepEqual(
      result.rejected.map((r) => r.entry),
      ['short.json'],
    );
  });

  it('a truncated archive is ZIP_CORRUPT, retryable, whatever the cut, and nothing is written', async () => {
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n'.repeat(100)), deflate: true },
      { name: 'a.bin', data: noise(4000) },
    ]);
    for (const length of [0, 10, 100, 1000, zip.length - 30, zip.length - 22, zip.length - 1]) {
      const out = join(dir, `cut-${length}`);
      await assert.rejects(
        importResultZip(file(zip.subarray(0, length)), { outputDir: out, documentName: 'doc' }),
        (error: unknown) => {
          assert.ok(error instanceof MinerUError, String(error));
          assert.equal(error.code, 'ZIP_CORRUPT', `cut at ${length}`);
          assert.equal(error.retryable, true);
          return true;
        },
      );
      assert.equal(existsSync(out), false, `nothing written (cut at ${length})`);
    }
    // The reader's own error for a cut directory.
    await assert.rejects(openZip(file(zip.subarray(0, zip.length - 1))), ZipFormatError);
  });

  it('a central directory record with a bad signature, or one outside the archive, is ZIP_CORRUPT', async () => {
    const zip = forgedZip([{ name: 'full.md', data: Buffer.from('# x\n') }]);
    const badRecord = Buffer.from(zip);
    badRecord.writeUInt32LE(0xdeadbeef, centralRecords(badRecord)[0]);
    const outside = Buffer.from(zip);
    outside.writeUInt32LE(zip.length * 2, zip.length - 22 + 16);
    for (const damaged of [badRecord, outside]) {
      await assert.rejects(importOk(damaged), (error: unknown) => {
        assert.ok(error instanceof MinerUError);
        assert.equal(error.code, 'ZIP_CORRUPT');
        return true;
      });
    }
  });

  it('refuses an encrypted entry (flag bit 0) and an unknown method, without writing them', async () => {
    const zip = setFlags(
      forgedZip([
        { name: 'full.md', data: Buffer.from('# x\n') },
        { name: 'secret.json', data: Buffer.from('{"a":1}') },
      ]),
      1,
      0x0001,
    );
    await withArchive(zip, async (archive) => {
      assert.equal(archive.entries[1]!.encrypted, true);
      const { error } = await readFailing(archive, 'secret.json');
      assert.ok(error instanceof ZipEntryError);
      assert.equal(error.message, 'The entry is encrypted');
    });
    const result = await importOk(zip);
    assert.deepEqual(result.rejected, [
      { entry: 'secret.json', reason: 'unreadable (The entry is encrypted)' },
    ]);
    assert.deepEqual(readdirSync(result.folder), ['doc.md']);

    const bzip2 = Buffer.from(forgedZip([{ name: 'a.json', data: Buffer.from('{}') }]));
    bzip2.writeUInt16LE(12, centralRecords(bzip2)[0]! + 10);
    const { error } = await withArchive(bzip2, (a) => readFailing(a, 'a.json'));
    assert.ok(error instanceof ZipEntryError);
    assert.equal(error.message, 'Unsupported compression method 12');
  });

  it('a bad local header, or local and central CRCs that disagree, make the entry unreadable', async () => {
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n') },
      { name: 'a.json', data: Buffer.from('{}') },
    ]);
    const local = zip.readUInt32LE(centralRecords(zip)[1]! + 42);
    const badSignature = Buffer.from(zip);
    badSignature.writeUInt32LE(0, local);
    const otherCrc = Buffer.from(zip);
    otherCrc.writeUInt32LE(0x12345678, local + 14);
    const a = await importOk(badSignature);
    assert.deepEqual(a.rejected, [
      { entry: 'a.json', reason: 'unreadable (Invalid LOC header (bad signature))' },
    ]);
    const b = await importOk(otherCrc);
    assert.deepEqual(b.rejected, [
      {
        entry: 'a.json',
        reason: 'unreadable (The local and central headers declare different CRC-32 values)',
      },
    ]);
    // With a data descriptor (flag bit 3) the local CRC is not known up front and is not compared.
    const described = setFlags(otherCrc, 1, 0x0008);
    assert.deepEqual((await importOk(described)).rejected, []);
  });

  it('stops mid-entry when the import is cancelled, and leaves nothing behind', async () => {
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n') },
      { name: 'big.bin', data: noise(8 * 1024 * 1024) },
    ]);
    const controller = new AbortController();
    const out = join(dir, 'cancelled');
    const importing = importResultZip(file(zip), {
      outputDir: out,
      documentName: 'doc',
      signal: controller.signal,
    });
    setImmediate(() => controller.abort());
    await assert.rejects(importing, { name: 'AbortError' });
    assert.deepEqual(existsSync(out) ? readdirSync(out) : [], []);
  });
});
