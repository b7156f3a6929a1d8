/**
 * Small archives and small entries, read whole (zipReader.ts `inMemoryBytes`, zipEntryData.ts
 * `entryBytes`) instead of streamed: the same bytes, the same refusals, memory capped at the
 * declared size, and a file is only ever created new (writeNewFile.ts).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importResultZip } from '../../src/core/results/extract';
import { writeNewFile } from '../../src/core/results/writeNewFile';
import { openZip, SMALL_ENTRY_BYTES, ZipEntryError, type ZipArchive } from '../../src/core/results/zipReader';
import { forgedZip } from './helpers/forgedZip';

async function streamed(archive: ZipArchive, name: string): Promise<Buffer | ZipEntryError> {
  const entry = archive.entries.find((e) => e.name === name)!;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of archive.openEntry(entry)) chunks.push(chunk as Buffer);
  } catch (error) {
    assert.ok(error instanceof ZipEntryError, String(error));
    return error;
  }
  return Buffer.concat(chunks);
}

async function whole(archive: ZipArchive, name: string): Promise<Buffer | ZipEntryError> {
  const entry = archive.entries.find((e) => e.name === name)!;
  try {
    return await archive.readEntry(entry);
  } catch (error) {
    assert.ok(error instanceof ZipEntryError, String(error));
    return error;
  }
}

const text = (value: Buffer | ZipEntryError): string =>
  value instanceof ZipEntryError ? `error: ${value.message}` : value.toString('latin1');

/** The fs module itself (an `import *` is a copy of getters): what writeNewFile calls through. */
const fsModule = createRequire(__filename)('node:fs') as { write: unknown };

describe('results: small archives and entries read whole', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-small-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const intact = Buffer.from('{"intact":true}'.repeat(50));
  function mixedZip(): Buffer {
    const zip = forgedZip([
      { name: 'full.md', data: Buffer.from('# x\n'), deflate: true },
      { name: 'stored.json', data: intact },
      { name: 'deflated.json', data: intact, deflate: true },
      { name: 'empty.json', data: Buffer.alloc(0), deflate: true },
      {
        name: 'bomb.json',
        data: Buffer.alloc(50_000, 0x78),
        deflate: true,
        claims: { localSize: 1000, centralSize: 1000 },
      },
      { name: 'short.json', data: Buffer.from('[1,2,3]'), deflate: true, claims: { centralSize: 50 } },
      { name: 'crc.json', data: Buffer.from('{"crc":"damaged"}') },
    ]);
    const at = zip.indexOf('{"crc":"damaged"}');
    zip.writeUInt8(zip.readUInt8(at + 3) ^ 0xff, at + 3);
    return zip;
  }
  const names = ['stored.json', 'deflated.json', 'empty.json', 'bomb.json', 'short.json', 'crc.json'];
  const expected = [
    intact.toString('latin1'),
    intact.toString('latin1'),
    '',
    'error: Cannot create a Buffer larger than 1000 bytes',
    'error: The entry holds 7 bytes, not the 50 it declares',
    'error: CRC32 checksum failed',
  ];

  it('an entry read whole equals it streamed, refusals included, from memory and from the file', async () => {
    const file = join(dir, 'mixed.zip');
    writeFileSync(file, mixedZip());
    for (const inMemoryBytes of [undefined, 0]) {
      const archive = await openZip(file, inMemoryBytes === undefined ? {} : { inMemoryBytes });
      try {
        for (const read of [whole, streamed]) {
          const got: string[] = [];
          for (const name of names) got.push(text(await read(archive, name)));
          assert.deepEqual(got, expected, `${read.name}, inMemoryBytes ${inMemoryBytes ?? 'default'}`);
        }
      } finally {
        await archive.close();
        await archive.close(); // closing twice is harmless (a small archive's file is closed at once)
      }
    }
  });

  it('refuses to read an entry whole when it declares more than SMALL_ENTRY_BYTES', async () => {
    const file = join(dir, 'large.zip');
    writeFileSync(file, forgedZip([{ name: 'a.bin', data: Buffer.alloc(SMALL_ENTRY_BYTES + 1) }]));
    const archive = await openZip(file);
    try {
      await assert.rejects(archive.readEntry(archive.entries[0]!), RangeError);
      assert.equal(((await streamed(archive, 'a.bin')) as Buffer).length, SMALL_ENTRY_BYTES + 1);
    } finally {
      await archive.close();
    }
  });

  it('a bomb declared small is stopped at its declared size: memory does not grow with what it would inflate to', function () {
    this.timeout(60_000);
    const file = join(dir, 'bomb.zip');
    writeFileSync(
      file,
      forgedZip([
        {
          name: 'bomb.bin',
          data: Buffer.alloc(300 * 1_048_576),
          deflate: true,
          claims: { localSize: 1000, centralSize: 1000 },
        },
      ]),
    );
    // A fresh process, so that its peak memory is this read's alone.
    const script = `
      const { openZip } = require(${JSON.stringify(join(__dirname, '../../src/core/results/zipReader.js'))});
      (async () => {
        const before = process.resourceUsage().maxRSS;
        const archive = await openZip(${JSON.stringify(file)});
        let message = 'read whole';
        try { await archive.readEntry(archive.entries[0]); } catch (error) { message = error.message; }
        await archive.close();
        console.log(JSON.stringify({ grewKb: process.resourceUsage().maxRSS - before, message }));
      })();`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      grewKb: number;
      message: string;
    };
    assert.equal(out.message, 'Cannot create a Buffer larger than 1000 bytes');
    assert.ok(out.grewKb < 100 * 1024, `peak memory grew by ${Math.round(out.grewKb / 1024)} MB`);
  });

  it('imports small entries (a file and a folder clashing with entries before them are refused, nothing else touched)', async () => {
    const zipPath = join(dir, 'clash.zip');
    writeFileSync(
      zipPath,
      forgedZip([
        { name: 'full.md', data: Buffer.from('# x\n') },
        { name: 'a/b.json', data: Buffer.from('{"b":1}') },
        { name: 'a', data: Buffer.from('file over a folder') },
        { name: 'c', data: Buffer.from('{"c":1}'), deflate: true },
        { name: 'c/d.json', data: Buffer.from('folder over a file') },
      ]),
    );
    const result = await importResultZip(zipPath, { outputDir: join(dir, 'out'), documentName: 'doc' });
    assert.deepEqual(
      result.rejected.map((r) => r.entry),
      ['a', 'c/d.json'],
    );
    assert.match(result.rejected[0]!.reason, /^cannot write \(EEXIST\)$/);
    assert.equal(readFileSync(join(result.folder, 'a', 'b.json'), 'utf8'), '{"b":1}');
    assert.equal(readFileSync(join(result.folder, 'c'), 'utf8'), '{"c":1}');
  });

  it('writeNewFile never writes over an existing file, and removes its own file when a write fails', async () => {
    const existing = join(dir, 'existing.json');
    writeFileSync(existing, 'the user’s');
    await assert.rejects(writeNewFile(existing, Buffer.from('ours')), { code: 'EEXIST' });
    assert.equal(readFileSync(existing, 'utf8'), 'the user’s');

    const target = join(dir, 'new.json');
    const original = fsModule.write;
    fsModule.write = (...args: unknown[]): void => {
      const callback = args[args.length - 1] as (error: NodeJS.ErrnoException) => void;
      const error = new Error('ENOSPC: simulated') as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      process.nextTick(() => callback(error));
    };
    try {
      await assert.rejects(writeNewFile(target, Buffer.from('x'.repeat(100))), { code: 'ENOSPC' });
    } finally {
      fsModule.write = original;
    }
    assert.equal(existsSync(target), false, 'the partial file is removed');
    await writeNewFile(target, Buffer.from('written'));
    assert.equal(readFileSync(target, 'utf8'), 'written');
  });
});
