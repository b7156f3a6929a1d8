/**
 * Safe import of result zips: layout, naming, collisions, hostile entries, limits, cleanup, and the
 * Markdown link checks. Zips are built here with adm-zip (and by hand where adm-zip would refuse).
 */
import * as assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { crc32 } from 'node:zlib';
import AdmZip from 'adm-zip';
import * as fc from 'fast-check';
import { MinerUError } from '../../src/core/errors';
import { checkEntryPath } from '../../src/core/results/entryPath';
import { importResultZip } from '../../src/core/results/extract';
import {
  BLOCKED_TARGET,
  checkImageLinks,
  isOutsideTarget,
  linkTargets,
  neutralizeOutsideLinks,
} from '../../src/core/results/markdownLinks';

const HASH = 'a'.repeat(64);
const FULL_MD = `# Title\n\n![](images/${HASH}.jpg)\nFigure 1\n\n<table><tr><td>1</td></tr></table>\n`;

function standardZip(extra?: (zip: AdmZip) => void): AdmZip {
  const zip = new AdmZip();
  zip.addFile('full.md', Buffer.from(FULL_MD));
  zip.addFile(`images/${HASH}.jpg`, Buffer.from('JPEGDATA'));
  zip.addFile('4c036e1e_content_list.json', Buffer.from('[]'));
  zip.addFile('layout.json', Buffer.from('{"pdf_info":[]}'));
  zip.addFile('4c036e1e_model.json', Buffer.from('[]'));
  zip.addFile('4c036e1e_origin.pdf', Buffer.from('%PDF-1.7'));
  extra?.(zip);
  return zip;
}

/** Lists every path under dir, relative, with "/" separators. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(sep).join('/')).sort();
}

/** Minimal stored-entry zip writer (zip64 end records when needed), for names and attributes adm-zip would not produce. */
function rawZip(entries: { name: string; data?: Buffer; attr?: number; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.data ?? Buffer.alloc(0);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.declaredSize ?? data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.attr ?? 0o100644 * 0x10000) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const zip64: Buffer[] = [];
  if (entries.length >= 0xffff) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(cd.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    zip64.push(record, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, ...zip64, eocd]);
}

async function rejectsWith(promise: Promise<unknown>, check: (e: MinerUError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MinerUError, String(error));
    check(error);
    return true;
  });
}

describe('results: importResultZip', () => {
  let root: string;
  let out: string;
  let zipPath: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mineru-extract-'));
    out = join(root, 'ws', 'mineru');
    zipPath = join(root, 'result.zip');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('imports the standard layout: <name>.md beside images/, artefacts kept, links resolve', async () => {
    standardZip().writeZip(zipPath);
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'report' });
    assert.equal(result.folder, join(out, 'report'));
    assert.equal(result.markdownPath, join(out, 'report', 'report.md'));
    assert.equal(readFileSync(result.markdownPath, 'utf8'), FULL_MD);
    assert.deepEqual(result.images, [join(out, 'report', 'images', `${HASH}.jpg`)]);
    assert.equal(readFileSync(result.images[0]!, 'utf8'), 'JPEGDATA');
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(result.brokenImageLinks, []);
    assert.deepEqual(tree(result.folder), [
      '4c036e1e_content_list.json',
      '4c036e1e_model.json',
      '4c036e1e_origin.pdf',
      'images',
      `images/${HASH}.jpg`,
      'layout.json',
      'report.md',
    ]);
    assert.deepEqual(result.extras.map((e) => [e.format, relative(result.folder, e.path)]).sort(), [
      ['json', '4c036e1e_content_list.json'],
      ['json', '4c036e1e_model.json'],
      ['json', 'layout.json'],
      ['pdf', '4c036e1e_origin.pdf'],
    ]);
    assert.deepEqual(
      tree(out),
      tree(out).filter((p) => !p.includes('.mineru-tmp')),
      'no temp folder left',
    );
  });

  it('renames single extra formats to <name>.docx/.html/.tex, keeps ambiguous ones', async () => {
    standardZip((z) => {
      z.addFile('full.docx', Buffer.from('DOCX'));
      z.addFile('main.html', Buffer.from('<p>hi</p>'));
      z.addFile('latex/a.tex', Buffer.from('A'));
      z.addFile('latex/b.tex', Buffer.from('B'));
    }).writeZip(zipPath);
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'paper' });
    const extras = result.extras
      .filter((e) => e.format !== 'json' && e.format !== 'pdf')
      .map((e) => [e.format, relative(result.folder, e.path).split(sep).join('/')])
      .sort();
    assert.deepEqual(extras, [
      ['docx', 'paper.docx'],
      ['html', 'paper.html'],
      ['latex', 'latex/a.tex'],
      ['latex', 'latex/b.tex'],
    ]);
    assert.equal(readFileSync(join(result.folder, 'paper.docx'), 'utf8'), 'DOCX');
    assert.ok(!existsSync(join(result.folder, 'full.docx')));
  });

  it('takes full.md among several Markdown files, else the first top-level one', async () => {
    standardZip((z) => z.addFile('notes.md', Buffer.from('other'))).writeZip(zipPath);
    const a = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.equal(readFileSync(a.markdownPath, 'utf8'), FULL_MD);
    assert.equal(readFileSync(join(a.folder, 'notes.md'), 'utf8'), 'other');

    const zip = new AdmZip();
    zip.addFile('sub/deep.md', Buffer.from('deep'));
    zip.addFile('first.md', Buffer.from('first'));
    zip.writeZip(zipPath);
    const b = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.equal(readFileSync(b.markdownPath, 'utf8'), 'first');
  });

  it('never overwrites: a second import goes to "name (2)" and the first stays untouched', async () => {
    standardZip().writeZip(zipPath);
    const first = await importResultZip(zipPath, { outputDir: out, documentName: 'report' });
    writeFileSync(first.markdownPath, 'my edits');
    const second = await importResultZip(zipPath, { outputDir: out, documentName: 'report' });
    assert.equal(second.folder, join(out, 'report (2)'));
    assert.equal(second.markdownPath, join(out, 'report (2)', 'report.md'));
    assert.equal(readFileSync(first.markdownPath, 'utf8'), 'my edits');
    mkdirSync(join(out, 'report (3)'));
    writeFileSync(join(out, 'report (3)', 'keep.txt'), 'keep');
    const third = await importResultZip(zipPath, { outputDir: out, documentName: 'report' });
    assert.equal(third.folder, join(out, 'report (4)'));
    assert.deepEqual(tree(join(out, 'report (3)')), ['keep.txt']);
  });

  it('[R-IN-5] keeps unicode (CJK, RTL, emoji) document names and sanitises unsafe ones', async () => {
    standardZip().writeZip(zipPath);
    for (const name of ['年度报告 2024', 'تقرير', '📄 notes']) {
      const result = await importResultZip(zipPath, { outputDir: out, documentName: name });
      assert.equal(result.folder, join(out, name));
      assert.equal(result.markdownPath, join(out, name, `${name}.md`));
      assert.ok(existsSync(result.markdownPath));
    }
    const evil = await importResultZip(zipPath, { outputDir: out, documentName: '../../etc/CON' });
    assert.equal(resolve(evil.folder, '..'), resolve(out));
    assert.ok(!existsSync(join(root, 'etc')));
  });

  it('[R-ZIP-1] rejects and reports zip-slip entries, writing nothing outside', async () => {
    const hostile = [
      '../evil.txt',
      '../../evil2.txt',
      'images/../../evil3.txt',
      '/abs/evil4.txt',
      'C:/evil5.txt',
      'C:evil6.txt',
      '..\\evil7.txt',
      'images\\..\\..\\evil8.txt',
      'nul\u0000byte.txt',
      'a/./b.txt',
      'a//b.txt',
      'CON',
      'stream.txt:ads',
      'trailing.',
    ];
    const zip = rawZip([
      { name: 'full.md', data: Buffer.from(FULL_MD) },
      { name: `images/${HASH}.jpg`, data: Buffer.from('IMG') },
      ...hostile.map((name) => ({ name, data: Buffer.from('PWNED') })),
    ]);
    writeFileSync(zipPath, zip);
    const before = tree(root);
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.deepEqual(
      result.rejected.map((r) => r.entry),
      hostile,
    );
    for (const r of result.rejected) assert.ok(r.reason.length > 0);
    const after = tree(root).filter((p) => !p.startsWith('ws/mineru/doc'));
    assert.deepEqual(
      after.filter((p) => !before.includes(p)),
      ['ws', 'ws/mineru'],
      'nothing written outside the result folder',
    );
    assert.deepEqual(tree(result.folder), ['doc.md', 'images', `images/${HASH}.jpg`]);
  });

  it('[R-ZIP-2] rejects symlink and special-file entries', async () => {
    writeFileSync(
      zipPath,
      rawZip([
        { name: 'full.md', data: Buffer.from('# x') },
        { name: 'link', data: Buffer.from('/etc/passwd'), attr: (0o120777 * 0x10000) >>> 0 },
        { name: 'images/link.jpg', data: Buffer.from('../../../..'), attr: (0o120777 * 0x10000) >>> 0 },
        { name: 'fifo', attr: (0o010644 * 0x10000) >>> 0 },
      ]),
    );
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.deepEqual(result.rejected, [
      { entry: 'link', reason: 'symbolic link' },
      { entry: 'images/link.jpg', reason: 'symbolic link' },
      { entry: 'fifo', reason: 'special file (device, FIFO or socket)' },
    ]);
    assert.deepEqual(tree(result.folder), ['doc.md']);
  });

  it('rejects duplicate names and names differing only in case', async () => {
    writeFileSync(
      zipPath,
      rawZip([
        { name: 'full.md', data: Buffer.from('# x') },
        { name: 'images/a.jpg', data: Buffer.from('first') },
        { name: 'images/a.jpg', data: Buffer.from('second') },
        { name: 'images/A.jpg', data: Buffer.from('third') },
      ]),
    );
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.deepEqual(
      result.rejected.map((r) => r.entry),
      ['images/a.jpg', 'images/A.jpg'],
    );
    assert.equal(readFileSync(join(result.folder, 'images', 'a.jpg'), 'utf8'), 'first');
  });

  it('[R-ZIP-3] refuses a zip bomb by compression ratio, leaving nothing behind', async () => {
    const zip = new AdmZip();
    zip.addFile('full.md', Buffer.from('# x'));
    zip.addFile('bomb.json', Buffer.alloc(20 * 1024 * 1024, 0x20));
    zip.writeZip(zipPath);
    await rejectsWith(importResultZip(zipPath, { outputDir: out, documentName: 'doc' }), (e) => {
      assert.equal(e.phase, 'extract');
      assert.equal(e.code, 'ZIP_BOMB');
      assert.match(e.message, /maxRatio/);
    });
    assert.deepEqual(tree(out), []);
  });

  it('[R-ZIP-4] refuses an archive whose total size exceeds the limit (declared sizes)', async () => {
    standardZip((z) =>
      z.addFile('big.pdf', Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251))),
    ).writeZip(zipPath);
    await rejectsWith(
      importResultZip(zipPath, { outputDir: out, documentName: 'doc', limits: { maxTotalBytes: 100_000 } }),
      (e) => {
        assert.equal(e.phase, 'extract');
        assert.equal(e.code, 'ZIP_LIMIT');
        assert.match(e.message, /maxTotalBytes/);
      },
    );
    assert.deepEqual(tree(out), []);
  });

  it('[R-ZIP-4] never writes more than an entry declares: an understated size is rejected, not trusted', async () => {
    writeFileSync(
      zipPath,
      rawZip([
        { name: 'full.md', data: Buffer.from('# x') },
        { name: 'liar.json', data: Buffer.alloc(4096, 0x41), declaredSize: 16 },
      ]),
    );
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.equal(result.rejected.length, 1);
    assert.equal(result.rejected[0]!.entry, 'liar.json');
    assert.match(result.rejected[0]!.reason, /unreadable/);
    assert.deepEqual(tree(result.folder), ['doc.md']);
  });

  it('an entry after a refused one in a new folder (removed with it) is still written there', async () => {
    writeFileSync(
      zipPath,
      rawZip([
        { name: 'full.md', data: Buffer.from('# x') },
        { name: 'extra/deep/liar.json', data: Buffer.alloc(4096, 0x41), declaredSize: 16 },
        { name: 'extra/deep/good.json', data: Buffer.from('{}') },
        { name: 'extra/other.json', data: Buffer.from('[]') },
      ]),
    );
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    assert.deepEqual(
      result.rejected.map((r) => r.entry),
      ['extra/deep/liar.json'],
    );
    assert.deepEqual(tree(result.folder), [
      'doc.md',
      'extra',
      'extra/deep',
      'extra/deep/good.json',
      'extra/other.json',
    ]);
  });

  it('[R-ZIP-4] refuses an entry larger than maxEntryBytes', async () => {
    standardZip().writeZip(zipPath);
    await rejectsWith(
      importResultZip(zipPath, { outputDir: out, documentName: 'doc', limits: { maxEntryBytes: 10 } }),
      (e) => assert.match(e.message, /maxEntryBytes/),
    );
  });

  it('[R-ZIP-5] refuses 100,000 entries by count before unpacking anything', async function () {
    this.timeout(20_000);
    const zip = rawZip(Array.from({ length: 100_000 }, (_, i) => ({ name: `images/${i}.jpg` })));
    // Damage the signature of the last central-directory record: an archive whose directory is
    // parsed (adm-zip reads every record) is then refused as damaged, not by count. Only the
    // count read from the end record refuses it as "100000 entries", so that is what this asserts.
    const cdStart = zip.readUInt32LE(zip.length - 22 - 20 - 56 + 48);
    const lastRecord = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), zip.length - 22 - 20 - 56);
    assert.ok(lastRecord > cdStart, 'found the last central-directory record');
    zip.writeUInt32LE(0xdeadbeef, lastRecord);
    writeFileSync(zipPath, zip);
    await rejectsWith(importResultZip(zipPath, { outputDir: out, documentName: 'doc' }), (e) => {
      assert.equal(e.phase, 'extract');
      assert.equal(e.code, 'ZIP_LIMIT');
      assert.equal(e.message, 'The result archive has 100000 entries, too many (limit maxEntries = 20000)');
    });
    assert.deepEqual(tree(out), []);
  });

  it('[R-INT-3] cleans the temp folder on failure (no Markdown) and on abort', async () => {
    const zip = new AdmZip();
    zip.addFile('images/x.jpg', Buffer.from('x'));
    zip.writeZip(zipPath);
    await rejectsWith(importResultZip(zipPath, { outputDir: out, documentName: 'doc' }), (e) =>
      assert.equal(e.code, 'NO_MARKDOWN'),
    );
    assert.deepEqual(tree(out), []);

    standardZip().writeZip(zipPath);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      importResultZip(zipPath, { outputDir: out, documentName: 'doc', signal: controller.signal }),
      {
        name: 'AbortError',
      },
    );
    assert.deepEqual(tree(out), []);
  });

  it('reports a damaged archive as a retryable extract error', async () => {
    writeFileSync(zipPath, 'this is not a zip');
    await rejectsWith(importResultZip(zipPath, { outputDir: out, documentName: 'doc' }), (e) => {
      assert.equal(e.code, 'ZIP_CORRUPT');
      assert.equal(e.retryable, true);
    });
    assert.deepEqual(tree(out), []);
  });

  it('[R-ZIP-7] makes outside image links inert and reports broken ones', async () => {
    const md = [
      '![ok](images/a.jpg)',
      '![missing](images/missing.jpg)',
      '![passwd](/etc/passwd)',
      '![up](../../secret.png)',
      '![file](file:///C:/Windows/win.ini "t")',
      '[remote](https://example.com/x.pdf)',
      '<img src="../outside.png">',
    ].join('\n');
    const zip = new AdmZip();
    zip.addFile('full.md', Buffer.from(md));
    zip.addFile('images/a.jpg', Buffer.from('a'));
    zip.writeZip(zipPath);
    const result = await importResultZip(zipPath, { outputDir: out, documentName: 'doc' });
    const written = readFileSync(result.markdownPath, 'utf8');
    assert.equal(
      written,
      [
        '![ok](images/a.jpg)',
        '![missing](images/missing.jpg)',
        `![passwd](${BLOCKED_TARGET})`,
        `![up](${BLOCKED_TARGET})`,
        `![file](${BLOCKED_TARGET} "t")`,
        '[remote](https://example.com/x.pdf)',
        `<img src="${BLOCKED_TARGET}">`,
      ].join('\n'),
    );
    assert.deepEqual(result.brokenImageLinks, ['images/missing.jpg']);
  });
});

describe('results: checkEntryPath', () => {
  const target = resolve(tmpdir(), 'mineru-target');
  it('accepts ordinary names', () => {
    for (const name of [
      'full.md',
      `images/${HASH}.jpg`,
      'images/',
      'a/b/c.json',
      '年度报告.md',
      'x..y.txt',
    ]) {
      const check = checkEntryPath(name, target);
      assert.ok(check.ok, name);
    }
  });

  it('[R-PROP-2] property: an accepted entry always resolves strictly inside the target', () => {
    const piece = fc.constantFrom(
      '..',
      '.',
      '/',
      '\\',
      'C:',
      'a',
      'b.txt',
      '\u0000',
      ' ',
      '%2e%2e',
      '~',
      '//',
      'CON',
      ':',
    );
    const nameArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(piece, { maxLength: 12 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(nameArb, (name) => {
        const check = checkEntryPath(name, target);
        if (!check.ok) return;
        const rel = relative(target, check.absolute);
        assert.ok(rel !== '' && rel.split(sep)[0] !== '..' && !isAbsolute(rel), `${name} → ${rel}`);
        assert.ok(check.absolute.startsWith(target + sep), `${name} → ${check.absolute}`);
        assert.ok(!name.split('/').includes('..'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('results: markdown link helpers', () => {
  const outside = [
    '/etc/passwd',
    '\\\\server\\share\\x.png',
    'C:/x.png',
    'c:\\x.png',
    'file:///etc/passwd',
    'FILE:x',
    '../x.png',
    'images/../../x.png',
    '%2e%2e/x.png',
    '..%2Fx.png',
    '//evil.example/x.png',
    'vscode://file/x',
    'javascript:alert(1)',
    '~/x.png',
    '<../x.png>',
  ];
  const inside = [
    'images/a.jpg',
    'images/../a.jpg',
    './a.jpg',
    'https://e.com/x.png',
    'http://e.com',
    '#frag',
    'data:image/png;base64,AA',
    'mailto:a@b.c',
    '',
  ];
  for (const t of outside) it(`outside: ${t}`, () => assert.equal(isOutsideTarget(t), true));
  for (const t of inside) it(`inside: ${JSON.stringify(t)}`, () => assert.equal(isOutsideTarget(t), false));

  it('neutralizeOutsideLinks keeps alt text, titles and http(s) links', () => {
    const md =
      '![alt text](/etc/x.png "Title") [link](../a.md) [ok](https://e.com/a.pdf) [w](https://en.wikipedia.org/wiki/A_(b))\n' +
      "[ref]: file:///etc/passwd\n<a href='C:\\x'>x</a> ![](images/a.jpg)";
    assert.equal(
      neutralizeOutsideLinks(md),
      `![alt text](${BLOCKED_TARGET} "Title") [link](${BLOCKED_TARGET}) [ok](https://e.com/a.pdf) [w](https://en.wikipedia.org/wiki/A_(b))\n` +
        `[ref]: ${BLOCKED_TARGET}\n<a href='${BLOCKED_TARGET}'>x</a> ![](images/a.jpg)`,
    );
  });

  it('[R-ZIP-7] property: neutralised Markdown has no outside targets left and is stable', () => {
    const targetArb = fc.constantFrom(...outside, ...inside, 'images/x y.jpg');
    const mdArb = fc
      .array(fc.tuple(fc.constantFrom('![a](', '[b](', '<img src="', 'href="'), targetArb), { maxLength: 10 })
      .map((parts) => parts.map(([p, t]) => `${p}${t}${p.endsWith('"') ? '"' : ')'}`).join(' '));
    fc.assert(
      fc.property(mdArb, (md) => {
        const once = neutralizeOutsideLinks(md);
        assert.equal(neutralizeOutsideLinks(once), once);
        for (const t of linkTargets(once)) assert.equal(isOutsideTarget(t), false, `${t} kept in ${once}`);
        if (linkTargets(md).some((t) => isOutsideTarget(t))) assert.ok(once.includes(BLOCKED_TARGET));
      }),
      { numRuns: 300 },
    );
  });

  it('checkImageLinks reports missing, outside and decodes percent escapes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mineru-links-'));
    try {
      mkdirSync(join(dir, 'images'));
      writeFileSync(join(dir, 'images', 'a b.jpg'), 'x');
      const md =
        '![](images/a%20b.jpg) ![](<images/a b.jpg>) ![](images/none.jpg) ![](../x.png) ![](https://e.com/r.png) <img src="images/gone.png"> ![](images)';
      assert.deepEqual(await checkImageLinks(md, dir), [
        'images/none.jpg',
        '../x.png',
        'images',
        'images/gone.png',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
