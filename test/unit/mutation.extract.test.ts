/**
 * Tests written from the surviving mutants of src/core/results/extract.ts (npm run mutation): every
 * refusal reason of the zip-entry path guard, and each size, count and ratio limit at its exact
 * boundary (at the limit: imported; one past it: refused with the limit named, nothing written).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { MinerUError } from '../../src/core/errors';
import { checkEntryPath, importResultZip, type ExtractLimits } from '../../src/core/results/extract';

const TARGET = resolve(tmpdir(), 'mineru-mut-target');

function reason(name: string): string {
  const check = checkEntryPath(name, TARGET);
  assert.equal(check.ok, false, `expected ${JSON.stringify(name)} refused`);
  return check.ok ? '' : check.reason;
}

describe('mutation: extract: checkEntryPath', () => {
  it('names the reason for each refused form', () => {
    const cases: [string, string][] = [
      ['', 'empty name'],
      [`${'a/'.repeat(2048)}b`, 'name too long'],
      ['a\u0000b', 'control character (e.g. NUL) in name'],
      ['a\u001fb', 'control character (e.g. NUL) in name'],
      ['a\u007fb', 'control character (e.g. NUL) in name'],
      ['a\\b', 'backslash in name'],
      ['/etc/passwd', 'absolute path'],
      ['c:x', 'drive letter'],
      ['Z:/x', 'drive letter'],
      ['images/a:b', 'colon in name'],
      ['12:b', 'colon in name'],
      ['a/../../b', "'..' segment (path traversal)"],
      ['a//b', 'empty or "." segment'],
      ['a/./b', 'empty or "." segment'],
      ['.', 'empty or "." segment'],
      ['a<b', 'character not allowed on Windows'],
      ['a>b', 'character not allowed on Windows'],
      ['a"b', 'character not allowed on Windows'],
      ['a|b', 'character not allowed on Windows'],
      ['a?b', 'character not allowed on Windows'],
      ['a*b', 'character not allowed on Windows'],
      ['dir./x', 'segment ends with a dot or space'],
      ['dir /x', 'segment ends with a dot or space'],
      ['CON', 'reserved Windows device name'],
      ['images/con.txt', 'reserved Windows device name'],
      ['nul .md', 'reserved Windows device name'],
      ['COM¹', 'reserved Windows device name'],
      ['lpt9.png', 'reserved Windows device name'],
      [`${'é'.repeat(128)}`, 'segment longer than 255 bytes'],
    ];
    for (const [name, expected] of cases) assert.equal(reason(name), expected, JSON.stringify(name));
  });

  it('accepts names at the limits and names that only contain a device name', () => {
    for (const name of [
      `${'a/'.repeat(2047)}bc`, // 4096 characters
      'a'.repeat(255),
      `${'é'.repeat(127)}a`, // 255 bytes
      'ICON.png',
      'CONSOLE.md',
      'COM10',
      'images/x.jpg',
      'dir/',
    ]) {
      const check = checkEntryPath(name, TARGET);
      assert.equal(check.ok, true, `${JSON.stringify(name.slice(0, 40))}: ${check.ok ? '' : check.reason}`);
    }
    assert.equal(`${'a/'.repeat(2047)}bc`.length, 4096);
  });

  it('returns the relative name without a trailing slash and the absolute path inside the target', () => {
    assert.deepEqual(checkEntryPath('images/sub/', TARGET), {
      ok: true,
      relative: 'images/sub',
      absolute: join(TARGET, 'images', 'sub'),
    });
  });
});

describe('mutation: extract: limits at their boundaries', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-mut-extract-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function zipOf(files: [string, Buffer][]): string {
    const zip = new AdmZip();
    for (const [name, data] of files) zip.addFile(name, data);
    const file = join(dir, `r${readdirSync(dir).length}.zip`);
    zip.writeZip(file);
    return file;
  }

  async function run(files: [string, Buffer][], limits: Partial<ExtractLimits>): Promise<string> {
    const out = join(dir, 'out');
    const zip = zipOf(files);
    const result = await importResultZip(zip, { outputDir: out, documentName: 'doc', limits });
    return result.folder;
  }

  async function refused(
    files: [string, Buffer][],
    limits: Partial<ExtractLimits>,
    pattern: RegExp,
    code: string,
  ): Promise<void> {
    const out = join(dir, `refused-${readdirSync(dir).length}`);
    const zip = zipOf(files);
    await assert.rejects(
      importResultZip(zip, { outputDir: out, documentName: 'doc', limits }),
      (error: unknown) => {
        assert.ok(error instanceof MinerUError, String(error));
        assert.equal(error.code, code);
        assert.match(error.message, pattern);
        return true;
      },
    );
    assert.deepEqual(existsSync(out) ? readdirSync(out) : [], [], 'nothing is left behind');
  }

  const md = (text = '# x\n'): [string, Buffer] => ['full.md', Buffer.from(text)];

  it('maxEntries: as many entries as the limit are imported, one more is refused', async () => {
    const three: [string, Buffer][] = [md(), ['a.json', Buffer.from('1')], ['b.json', Buffer.from('2')]];
    assert.ok(existsSync(await run(three, { maxEntries: 3 })));
    await refused(
      three,
      { maxEntries: 2 },
      /^The result archive has 3 entries, too many \(limit maxEntries = 2\)$/,
      'ZIP_LIMIT',
    );
  });

  it('maxEntryBytes: an entry of exactly the limit is imported, one byte more is refused', async () => {
    const files: [string, Buffer][] = [md(), ['a.json', Buffer.alloc(100, 0x31)]];
    assert.ok(existsSync(await run(files, { maxEntryBytes: 100 })));
    await refused(
      files,
      { maxEntryBytes: 99 },
      /^An entry of the result archive is 100 bytes, too large \(limit maxEntryBytes = 99\)$/,
      'ZIP_LIMIT',
    );
  });

  it('maxMarkdownBytes: applies to .md entries only, at exactly the limit', async () => {
    const files: [string, Buffer][] = [md('#'.repeat(50)), ['big.json', Buffer.alloc(80, 0x31)]];
    assert.ok(existsSync(await run(files, { maxMarkdownBytes: 50 })));
    await refused(
      files,
      { maxMarkdownBytes: 49 },
      /^The Markdown of the result is 50 bytes, too large to open safely \(limit maxMarkdownBytes = 49\)$/,
      'ZIP_LIMIT',
    );
  });

  it('maxTotalBytes: a total of exactly the limit is imported, one byte more is refused', async () => {
    const files: [string, Buffer][] = [md('#'.repeat(10)), ['a.json', Buffer.alloc(30, 0x31)]];
    assert.ok(existsSync(await run(files, { maxTotalBytes: 40 })));
    await refused(
      files,
      { maxTotalBytes: 39 },
      /^The result archive unpacks to 40 bytes, too many \(limit maxTotalBytes = 39\)$/,
      'ZIP_LIMIT',
    );
  });

  it('maxRatio: checked from 1 MiB up, per entry and for the whole archive', async () => {
    const justBelow: [string, Buffer][] = [md(), ['pad.json', Buffer.alloc(1024 * 1024 - 1 - 4)]];
    assert.ok(existsSync(await run(justBelow, {})), 'under 1 MiB in total, any ratio is fine');
    const oneMiB: [string, Buffer][] = [md(), ['pad.json', Buffer.alloc(1024 * 1024)]];
    await refused(
      oneMiB,
      {},
      /^The result archive looks like a zip bomb: an entry is compressed too strongly \(limit maxRatio = 200\)$/,
      'ZIP_BOMB',
    );
  });

  it('maxRatio of the whole archive: many small, strongly compressed entries', async () => {
    const files: [string, Buffer][] = [md()];
    for (let i = 0; i < 8; i++) files.push([`p${i}.json`, Buffer.alloc(200 * 1024)]);
    await refused(
      files,
      {},
      /^The result archive looks like a zip bomb: it is compressed too strongly \(limit maxRatio = 200\)$/,
      'ZIP_BOMB',
    );
    assert.ok(existsSync(await run(files, { maxRatio: 100_000 })));
  });
});
