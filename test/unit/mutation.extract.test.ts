/**
 * Tests written from the surviving mutants of src/core/results/extract.ts (npm run mutation): every
 * refusal reason of the zip-entry path guard, and each size, count and ratio limit at its exact
 * boundary (at the limit: imported; one past it: refused with the limit named, nothing written).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { MinerUError } from '../../src/core/errors';
import { checkEntryPath } from '../../src/core/results/entryPath';
import { importResultZip } from '../../src/core/results/extract';
import type { ExtractLimits } from '../../src/core/results/extractLimits';
import { forgedZip } from './helpers/forgedZip';

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
        assert.equal(error.retryable, false, 'a refused archive is not retried');
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

describe('mutation: extract: declared sizes, layout and naming', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-mut-extract2-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  let count = 0;
  function write(zip: Buffer | AdmZip): string {
    const file = join(dir, `z${count++}.zip`);
    if (Buffer.isBuffer(zip)) writeFileSync(file, zip);
    else zip.writeZip(file);
    return file;
  }
  const out = (): string => join(dir, `out${count}`);

  it('refuses an entry by its declared size before reading it', async () => {
    const zip = write(
      forgedZip([{ name: 'full.md', data: Buffer.from('# x'), utf8: true, claims: { centralSize: 5000 } }]),
    );
    await assert.rejects(
      importResultZip(zip, { outputDir: out(), documentName: 'doc', limits: { maxEntryBytes: 1000 } }),
      /An entry of the result archive is 5000 bytes, too large \(limit maxEntryBytes = 1000\)/,
    );
  });

  it('an incompressible 1 MiB entry is not a bomb; a stored one at exactly the ratio limit passes', async () => {
    const random = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('# x'));
    a.addFile('noise.json', random);
    assert.ok(
      existsSync((await importResultZip(write(a), { outputDir: out(), documentName: 'doc' })).folder),
    );
    const stored = write(
      forgedZip([
        { name: 'full.md', data: Buffer.from('# x'), utf8: true },
        { name: 'big.json', data: Buffer.alloc(1024 * 1024), utf8: true },
      ]),
    );
    const result = await importResultZip(stored, {
      outputDir: out(),
      documentName: 'doc',
      limits: { maxRatio: 1 },
    });
    assert.ok(existsSync(result.folder));
  });

  it('the whole-archive ratio applies from exactly 1 MiB in total', async () => {
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('# x\n'));
    a.addFile('pad.json', Buffer.alloc(1024 * 1024 - 4));
    await assert.rejects(
      importResultZip(write(a), { outputDir: out(), documentName: 'doc' }),
      /it is compressed too strongly/,
    );
  });

  it('a damaged archive is ZIP_CORRUPT, retryable, with a next step', async () => {
    const file = join(dir, 'bad.zip');
    writeFileSync(file, 'this is not a zip file at all, just text');
    await assert.rejects(
      importResultZip(file, { outputDir: out(), documentName: 'doc' }),
      (error: unknown) => {
        assert.ok(error instanceof MinerUError);
        assert.equal(error.code, 'ZIP_CORRUPT');
        assert.equal(error.phase, 'extract');
        assert.equal(error.message, 'The result archive is damaged or not a zip file');
        assert.equal(error.hint, 'Download the result again.');
        assert.equal(error.retryable, true);
        return true;
      },
    );
  });

  it('directory entries become folders that later files go into', async () => {
    const a = new AdmZip();
    a.addFile('images/', Buffer.alloc(0));
    a.addFile('images/a.png', Buffer.from('PNG'));
    a.addFile('full.md', Buffer.from('![](images/a.png)'));
    const result = await importResultZip(write(a), { outputDir: out(), documentName: 'doc' });
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(result.images, [join(result.folder, 'images', 'a.png')]);
    assert.deepEqual(result.brokenImageLinks, []);
  });

  it('names a duplicate that differs only in case', async () => {
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('# x'));
    a.addFile('Data.json', Buffer.from('1'));
    a.addFile('data.JSON', Buffer.from('2'));
    const result = await importResultZip(write(a), { outputDir: out(), documentName: 'doc' });
    assert.deepEqual(result.rejected, [
      { entry: 'data.JSON', reason: 'duplicate name (possibly differing only in case)' },
    ]);
  });

  it('picks full.md (any case), else a top-level .md, else the shallowest one', async () => {
    const pick = async (files: [string, string][]): Promise<[string, string]> => {
      const a = new AdmZip();
      for (const [n, t] of files) a.addFile(n, Buffer.from(t));
      const result = await importResultZip(write(a), { outputDir: out(), documentName: 'doc' });
      return [
        relative(result.folder, result.markdownPath).split('\\').join('/'),
        readFileSync(result.markdownPath, 'utf8'),
      ];
    };
    assert.deepEqual(
      await pick([
        ['a.md', 'A'],
        ['Full.MD', 'F'],
      ]),
      ['doc.md', 'F'],
    );
    assert.deepEqual(
      await pick([
        ['sub/x.md', 'S'],
        ['top.md', 'T'],
      ]),
      ['doc.md', 'T'],
    );
    assert.deepEqual(
      await pick([
        ['a/b/c.md', 'C'],
        ['a/d.md', 'D'],
      ]),
      ['a/doc.md', 'D'],
    );
  });

  it('the new Markdown never replaces a file of the same name from the archive', async () => {
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('F'));
    a.addFile('doc.md', Buffer.from('D'));
    const result = await importResultZip(write(a), { outputDir: out(), documentName: 'doc' });
    assert.equal(relative(result.folder, result.markdownPath), 'doc (2).md');
    assert.equal(readFileSync(result.markdownPath, 'utf8'), 'F');
  });

  it('drops only a leading byte-order mark', async () => {
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('\uFEFF# x \uFEFF'));
    const result = await importResultZip(write(a), { outputDir: out(), documentName: 'doc' });
    assert.equal(readFileSync(result.markdownPath, 'utf8'), '# x \uFEFF');
  });

  it('renames the single docx/html/htm/tex extra, keeps pdf and json names, and skips images/', async () => {
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('# x'));
    a.addFile('x.htm', Buffer.from('<p>'));
    a.addFile('y.tex', Buffer.from('\\x'));
    a.addFile('o_origin.pdf', Buffer.from('%PDF'));
    a.addFile('images/meta.json', Buffer.from('{}'));
    a.addFile('notes.txt', Buffer.from('t'));
    const result = await importResultZip(write(a), { outputDir: out(), documentName: 'doc' });
    const extras = result.extras
      .map((e) => ({ format: e.format, path: relative(result.folder, e.path) }))
      .sort((p, q) => p.path.localeCompare(q.path));
    assert.deepEqual(extras, [
      { format: 'html', path: 'doc.html' },
      { format: 'latex', path: 'doc.tex' },
      { format: 'pdf', path: 'o_origin.pdf' },
    ]);
  });

  it('the Markdown size limit does not apply to a name that only contains ".md"', async () => {
    const a = new AdmZip();
    a.addFile('full.md', Buffer.from('# x'));
    a.addFile('a.md.json', Buffer.alloc(100, 0x31));
    const result = await importResultZip(write(a), {
      outputDir: out(),
      documentName: 'doc',
      limits: { maxMarkdownBytes: 50 },
    });
    assert.ok(existsSync(result.folder));
  });
});
