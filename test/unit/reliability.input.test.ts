// Fault matrix, bad input and hostile results (RELIABILITY.md, rows R-IN-*, R-ZIP-*), plus the
// property tests that complete those of links/naming/pageRanges/results (rows R-PROP-*).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import * as fc from 'fast-check';
import { MinerUClient } from '../../src/core/api/client';
import { MinerUError } from '../../src/core/errors';
import { findDocumentLinks } from '../../src/core/links/findLinks';
import { validateDocumentUrl } from '../../src/core/links/validateUrl';
import { parsePageRanges } from '../../src/core/options/pageRanges';
import { checkEntryPath } from '../../src/core/results/entryPath';
import { importResultZip } from '../../src/core/results/extract';
import { MAX_NAME_BYTES, sanitizeName } from '../../src/core/results/naming';
import { startFakeMinerU } from '../fake-mineru/server';
import { allFinished, startHarness, type Harness } from './helpers/engineHarness';
import { forgedZip } from './helpers/forgedZip';
import { added, snapshot } from './helpers/reliability';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const PRECISE = { options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };

describe('reliability: bad input', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  it('[R-IN-1] non-URLs and javascript:, file:, data: URLs are never found, are refused with a reason, and never reach the service', async () => {
    const hostile = [
      'not a url',
      'javascript:alert(document.cookie)',
      'file:///etc/passwd',
      'file:///C:/Windows/win.ini',
      'data:application/pdf;base64,JVBERi0=',
      'ftp://example.com/a.pdf',
      'vscode://file/etc/passwd',
      '//example.com/a.pdf',
    ];
    const text = hostile.map((u) => `- [x](${u}) <a href="${u}">y</a> ${u}`).join('\n');
    assert.deepEqual(findDocumentLinks(text), []);
    for (const u of hostile) {
      const v = validateDocumentUrl(u);
      if (u.startsWith('//')) continue; // protocol-relative: taken as https, harmless
      assert.equal(v.ok, false, u);
      if (!v.ok) assert.ok(v.message.length > 10, u);
    }
    const fake = await startFakeMinerU();
    try {
      const client = new MinerUClient({
        baseUrl: fake.apiBaseUrl,
        getToken: () => Promise.resolve(fake.token),
      });
      for (const u of hostile.filter((x) => !x.startsWith('//'))) {
        await assert.rejects(client.submitTask({ url: u }, {}), (e: unknown) => {
          assert.ok(e instanceof MinerUError, String(e));
          assert.equal(e.phase, 'validate', u);
          return true;
        });
      }
      assert.equal(fake.requests.length, 0, 'nothing was sent');
    } finally {
      await fake.close();
    }
  });

  it('[R-IN-2] a URL with user:password is never logged with them, in success or failure', async () => {
    h = await startHarness();
    const secret = 'pa55-w0rd-xyz';
    await h.engine.submitUrls([{ url: `https://alice:${secret}@example.com/private/cred.pdf` }], {
      ...PRECISE,
      outputDir: h.outputDir,
    });
    await h.engine.submitUrls([{ url: `https://bob:${secret}@example.com/private/fail-cred.pdf` }], {
      ...PRECISE,
      outputDir: h.outputDir,
    });
    const tasks = await h.waitFor((t) => t.length === 2 && allFinished(t));
    assert.deepEqual(tasks.map((t) => t.state).sort(), ['done', 'failed']);
    const log = h.logger.lines.join('\n');
    assert.ok(log.includes('example.com/private/cred.pdf'), 'the URL itself is logged');
    assert.ok(!log.includes(secret), 'the password is not');
    assert.ok(!/alice|bob/.test(log), 'nor the user name');
    for (const t of tasks) assert.ok(!JSON.stringify(t.error ?? {}).includes(secret));
  });

  it('[R-IN-3] a selection of 10,000 links is submitted in batches at the limit, none lost or duplicated', async function () {
    this.timeout(30_000);
    h = await startHarness({}, { batchLimit: 200 });
    const text = Array.from({ length: 10_000 }, (_, i) => `[d${i}](https://example.com/sel/${i}.pdf)`).join(
      ' ',
    );
    const links = findDocumentLinks(text);
    assert.equal(links.length, 10_000);
    const tasks = await h.engine.submitUrls(
      links.map((l) => ({ url: l.url })),
      { ...PRECISE, outputDir: h.outputDir },
    );
    h.engine.dispose();
    assert.equal(tasks.length, 10_000);
    assert.ok(tasks.every((t) => t.state === 'pending'));
    const batches = h.fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/extract/task/batch'),
    );
    assert.equal(batches.length, 50);
    const sent = batches.flatMap((r) => (r.body as { files: { url: string }[] }).files.map((f) => f.url));
    assert.equal(new Set(sent).size, 10_000);
    assert.deepEqual(
      sent,
      links.map((l) => l.url),
    );
  });

  it('[R-IN-5] hostile document names become safe, readable folders directly inside the output folder', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-names-'));
    try {
      const out = path.join(root, 'ws', 'mineru');
      const zipPath = path.join(root, 'r.zip');
      const zip = new AdmZip();
      zip.addFile('full.md', Buffer.from('# t\n'));
      zip.writeZip(zipPath);
      const cases: [string, (folder: string) => boolean][] = [
        ['../../escape', (f) => f === '_.._escape'],
        ['a/b\\c', (f) => f === 'a_b_c'],
        ['CON', (f) => f === 'CON_'],
        ['nul.txt', (f) => f === 'nul_.txt'],
        ['trailing dots...', (f) => f === 'trailing dots'],
        ['x'.repeat(300), (f) => f === 'x'.repeat(120)],
        ['تقرير سنوي', (f) => f === 'تقرير سنوي'],
        ['年度报告 2024', (f) => f === '年度报告 2024'],
        ['C:\\Windows\\System32', (f) => f === 'C__Windows_System32'],
      ];
      const before = snapshot(root);
      for (const [name, expected] of cases) {
        const result = await importResultZip(zipPath, { outputDir: out, documentName: name });
        assert.equal(path.dirname(result.folder), out, name);
        const folder = path.basename(result.folder);
        assert.ok(expected(folder), `${JSON.stringify(name)} → ${JSON.stringify(folder)}`);
        assert.equal(result.markdownPath, path.join(result.folder, `${folder}.md`));
      }
      const outside = added(before, snapshot(root)).filter((p) => !p.startsWith('ws/mineru/'));
      assert.deepEqual(outside, ['ws/'], 'nothing outside the output folder');
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('reliability: hostile results', function () {
  this.timeout(20_000);
  let h: Harness;
  afterEach(async () => h?.dispose());
  const request = () => ({ ...PRECISE, outputDir: h.outputDir });

  it('[R-ZIP-1] zip-slip entries (../, absolute, drive letter) are refused and nothing is written outside the result folder', async () => {
    h = await startHarness();
    h.fake.faults.zipSlip = true;
    await fs.mkdir(h.outputDir, { recursive: true });
    const parent = path.dirname(h.workDir);
    const before = snapshot(h.workDir);
    const siblings = await fs.readdir(parent);
    await h.engine.submitUrls([{ url: 'https://example.com/slip.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal(task!.result!.rejectedEntries, 4);
    // Each entry with the check that refused it: C:\win.txt is caught by its backslash first.
    assert.deepEqual(
      h.logger.lines.filter((l) => /refused archive entry/.test(l)).sort(),
      [
        `"slip": refused archive entry "../evil.txt": '..' segment (path traversal)`,
        `"slip": refused archive entry "/abs.txt": absolute path`,
        `"slip": refused archive entry "C:\\\\win.txt": backslash in name`,
        `"slip": refused archive entry "images/../../x": '..' segment (path traversal)`,
      ].sort(),
    );
    const now = snapshot(h.workDir);
    assert.ok(now.includes('workspace/mineru/slip/'));
    const outside = added(before, now).filter((p) => !p.startsWith('workspace/mineru/slip/'));
    assert.deepEqual(outside, [], 'only the result folder is new');
    assert.ok(!snapshot(path.join(h.outputDir, 'slip')).some((p) => /evil|abs|win|^x$/.test(p)));
    const nowSiblings = await fs.readdir(parent);
    assert.deepEqual(
      nowSiblings.filter((n) => !siblings.includes(n) && /evil|abs|win/.test(n)),
      [],
      'nothing beside the workspace either',
    );
  });

  it('[R-ZIP-2] a symlink entry is refused: no link is created, nothing outside is read or written', async () => {
    h = await startHarness();
    h.fake.faults.zipSymlink = true;
    const before = snapshot(h.workDir);
    await h.engine.submitUrls([{ url: 'https://example.com/symlink.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.equal(task!.result!.rejectedEntries, 1);
    assert.ok(h.logger.lines.some((l) => /images\/link\.jpg.*symbolic link/.test(l)));
    const folder = path.join(h.outputDir, 'symlink');
    await assert.rejects(fs.lstat(path.join(folder, 'images', 'link.jpg')));
    for (const p of added(before, snapshot(h.workDir))) {
      assert.ok(p.startsWith('workspace/mineru/symlink/') || /^workspace\/(mineru\/)?$/.test(p), p);
      const stat = await fs.lstat(path.join(h.workDir, p));
      assert.ok(!stat.isSymbolicLink(), p);
    }
  });

  it('[R-ZIP-3] a zip bomb from the service is refused with a clear message and nothing is written', async () => {
    h = await startHarness();
    h.fake.faults.zipBomb = 300 * 1024 * 1024;
    await h.engine.submitUrls([{ url: 'https://example.com/bomb.pdf' }], request());
    const [task] = await h.waitFor(allFinished);
    assert.equal(task!.state, 'failed');
    assert.equal(task!.error!.phase, 'extract');
    assert.equal(task!.error!.code, 'ZIP_BOMB');
    assert.match(task!.error!.message, /zip bomb/);
    assert.match(task!.error!.hint ?? '', /nothing was written/);
    assert.deepEqual(await fs.readdir(h.outputDir).catch(() => []), []);
  });

  describe('a 500 MB full.md', () => {
    let root: string;
    beforeEach(async () => (root = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-bigmd-'))));
    afterEach(async () => fs.rm(root, { recursive: true, force: true }));

    it('[R-ZIP-6] a full.md declared at 500 MB is refused before anything is inflated or written', async () => {
      const zipPath = path.join(root, 'r.zip');
      await fs.writeFile(
        zipPath,
        forgedZip([
          {
            name: 'full.md',
            data: Buffer.from('# small really\n'),
            claims: { centralSize: 500 * 1024 ** 2, centralCompressed: 500 * 1024 ** 2 },
          },
        ]),
      );
      const out = path.join(root, 'ws', 'mineru');
      const before = snapshot(root);
      await assert.rejects(
        importResultZip(zipPath, { outputDir: out, documentName: 'big' }),
        (e: unknown) => {
          assert.ok(e instanceof MinerUError, String(e));
          assert.equal(e.phase, 'extract');
          assert.match(e.message, /Markdown of the result is 524288000 bytes, too large/);
          assert.match(e.message, /maxMarkdownBytes/);
          return true;
        },
      );
      assert.deepEqual(added(before, snapshot(root)), [], 'nothing written');
    });

    it('[R-ZIP-6] a Markdown entry that inflates past the limit is refused too (actual bytes, not only the header)', async () => {
      // The headers say 100 bytes, under the 4096-byte limit, so the declared-size check passes;
      // the entry really inflates to 5000. Inflation stops at the declared size: the entry is
      // refused with that cause and never written, whole or cut.
      const big = Buffer.from('# '.padEnd(5000, 'x'));
      const zipPath = path.join(root, 'r.zip');
      const out = path.join(root, 'ws', 'mineru');
      const limits = { maxMarkdownBytes: 4096 };
      await fs.writeFile(
        zipPath,
        forgedZip([
          { name: 'full.md', data: big, deflate: true, claims: { localSize: 100, centralSize: 100 } },
          { name: 'other.md', data: Buffer.from('# other\n'), deflate: true },
        ]),
      );
      const result = await importResultZip(zipPath, { outputDir: out, documentName: 'big', limits });
      assert.deepEqual(result.rejected, [
        { entry: 'full.md', reason: 'unreadable (Cannot create a Buffer larger than 100 bytes)' },
      ]);
      assert.deepEqual(
        snapshot(result.folder),
        ['big.md'],
        'other.md became the Markdown; nothing of full.md',
      );
      assert.equal(await fs.readFile(result.markdownPath, 'utf8'), '# other\n');
      await fs.rm(path.join(root, 'ws'), { recursive: true });

      // Alone in the archive, it leaves no Markdown: the import fails and nothing is written.
      await fs.writeFile(
        zipPath,
        forgedZip([
          { name: 'full.md', data: big, deflate: true, claims: { localSize: 100, centralSize: 100 } },
        ]),
      );
      const before = snapshot(root);
      await assert.rejects(
        importResultZip(zipPath, { outputDir: out, documentName: 'big', limits }),
        (e: unknown) => {
          assert.ok(e instanceof MinerUError, String(e));
          assert.equal(e.phase, 'extract');
          assert.equal(e.code, 'NO_MARKDOWN');
          return true;
        },
      );
      assert.deepEqual(added(before, snapshot(root)), ['ws/', 'ws/mineru/'], 'nothing but the output folder');
    });
  });
});

describe('reliability: properties', () => {
  const target = path.resolve(os.tmpdir(), 'mineru-prop-target');
  const safeSegment = fc
    .array(fc.constantFrom(...'abcXYZ019_-'.split(''), '年', '报', 'ت', 'é'), { minLength: 1, maxLength: 12 })
    .map((a) => a.join(''));

  it('[R-PROP-1] link finder: a document link planted in arbitrary prose is found exactly, whatever surrounds it', () => {
    const word = fc
      .array(fc.constantFrom(...'abc xyz 123 年报 ,.;'.split('')), { maxLength: 20 })
      .map((a) => a.join(''));
    const wrap = fc.constantFrom(
      (u: string) => ` ${u} `,
      (u: string) => ` [t](${u}) `,
      (u: string) => ` <${u}> `,
      (u: string) => ` <a href="${u}">x</a> `,
      (u: string) => `\n${u}.\n`,
      (u: string) => `（${u}）`,
    );
    const urlArb = fc
      .tuple(
        fc.constantFrom('http', 'https'),
        fc
          .array(fc.constantFrom(...'abcdefghij'.split('')), { minLength: 1, maxLength: 8 })
          .map((a) => a.join('')),
        fc.array(safeSegment, { maxLength: 3 }),
        fc.constantFrom('pdf', 'docx', 'pptx', 'png', 'jpg', 'html'),
      )
      .map(
        ([s, host, segs, ext]) =>
          new URL(`${s}://${host}.example.com/${[...segs, `doc.${ext}`].join('/')}`).href,
      );
    fc.assert(
      fc.property(word, wrap, urlArb, word, (pre, w, url, post) => {
        const text = `${pre}${w(url)}${post}`;
        const found = findDocumentLinks(text);
        assert.deepEqual(
          found.map((f) => f.url),
          [url],
          text,
        );
        assert.equal(found[0]!.supported, true);
      }),
      { numRuns: 400 },
    );
  });

  it('[R-PROP-2] zip-entry guard: names made of safe segments are accepted and stay where they say', () => {
    fc.assert(
      fc.property(fc.array(safeSegment, { minLength: 1, maxLength: 6 }), fc.boolean(), (segs, dir) => {
        const name = segs.join('/') + (dir ? '/' : '');
        const check = checkEntryPath(name, target);
        assert.ok(check.ok, name);
        if (check.ok) {
          assert.equal(check.relative, segs.join('/'));
          assert.equal(check.absolute, path.join(target, ...segs));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('[R-PROP-2] zip-entry guard: any traversal, absolute or drive-letter form is refused', () => {
    const hostileStart = fc.constantFrom('/', '../', 'C:/', 'c:', 'Z:\\', '\\\\server\\share\\', '..\\');
    fc.assert(
      fc.property(
        fc.array(safeSegment, { maxLength: 4 }),
        fc.array(safeSegment, { maxLength: 4 }),
        hostileStart,
        fc.boolean(),
        (a, b, start, prefix) => {
          const name = prefix ? `${start}${[...a, ...b].join('/')}` : [...a, '..', ...b].join('/');
          assert.equal(checkEntryPath(name, target).ok, false, name);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('[R-PROP-3] name sanitiser: every sanitised name is one safe entry directly inside the folder; plain readable names are kept', () => {
    // Arbitrary strings almost never contain the characters under test, so most runs are biased
    // towards them: separators and Windows-invalid characters, controls, bidi overrides, dots and
    // spaces at the edges, device names (with extensions and trailing spaces), and names long
    // enough to need cutting (CJK is 3 bytes a character in UTF-8).
    const special = fc.constantFrom(
      ...'/\\:*?"<>|'.split(''),
      '.',
      '..',
      ' ',
      '\t',
      '\n',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0085',
      '\u202e',
      '\u2066',
      '\ud800',
    );
    const plain = fc.constantFrom('a', 'Z', '7', '_', '-', '年', 'é', 'ت', '😀');
    const reserved = fc
      .tuple(
        fc.constantFrom('CON', 'prn', 'Aux', 'NUL', 'COM1', 'com9', 'LPT1', 'COM¹', 'CONIN$'),
        fc.constantFrom('', '.txt', ' .md', '  ', '.', '. ', '.tar.gz'),
      )
      .map(([n, tail]) => n + tail);
    const mixed = fc
      .array(fc.oneof(special, plain, reserved), { maxLength: 60 })
      .map((parts) => parts.join(''));
    const long = fc
      .tuple(fc.array(plain, { minLength: 90, maxLength: 300 }), fc.array(special, { maxLength: 3 }))
      .map(([a, b]) => a.join('') + b.join(''));
    const hostile = fc.oneof(
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
      { weight: 4, arbitrary: mixed },
      { weight: 2, arbitrary: reserved },
      { weight: 2, arbitrary: long },
    );
    fc.assert(
      fc.property(hostile, (s) => {
        const name = sanitizeName(s);
        const shown = `${JSON.stringify(s)} → ${JSON.stringify(name)}`;
        const check = checkEntryPath(name, target);
        assert.ok(check.ok, `${shown}: ${check.ok ? '' : check.reason}`);
        if (check.ok) assert.equal(path.dirname(check.absolute), target, shown);
        assert.ok(Buffer.byteLength(name, 'utf8') <= MAX_NAME_BYTES, shown);
        assert.ok(
          !/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.test(name),
          `bidi control kept: ${shown}`,
        );
        assert.ok(!LONE_SURROGATE.test(name), `lone surrogate kept: ${shown}`);
        assert.equal(sanitizeName(name), name, `not idempotent: ${shown}`);
      }),
      { numRuns: 1000 },
    );
    const readable = fc
      .array(
        fc.array(fc.constantFrom(...'abcXYZ019'.split(''), '年', '报', 'ت', 'ق', 'й'), {
          minLength: 1,
          maxLength: 8,
        }),
        {
          minLength: 1,
          maxLength: 4,
        },
      )
      .map((words) => words.map((w) => w.join('')).join(' '));
    fc.assert(
      fc.property(readable, (s) => {
        if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(s)) return;
        assert.equal(sanitizeName(s), s);
      }),
      { numRuns: 300 },
    );
  });

  it('[R-PROP-4] page ranges: one malformed part anywhere makes the whole input rejected, with an example', () => {
    const good = fc.constantFrom('1', '2-5', '-1', '3--2', ' 7 ', '10-10');
    const bad = fc.constantFrom(
      '',
      ' ',
      'abc',
      '0',
      '1.5',
      '+3',
      '3-',
      '5-2',
      '1-2-3',
      '--1',
      '1 2',
      '１x',
      '999999999',
    );
    fc.assert(
      fc.property(fc.array(good, { maxLength: 5 }), bad, fc.nat(), (parts, wrong, at) => {
        const list: string[] = [...parts];
        list.splice(at % (list.length + 1), 0, wrong);
        const input = list.join(',');
        const result = parsePageRanges(input);
        assert.equal(result.ok, false, input);
        if (!result.ok) assert.match(result.message, /2,4-6/);
      }),
      { numRuns: 300 },
    );
  });

  it('[R-PROP-4] page ranges: full-width digits, commas and dashes parse like their ASCII forms', () => {
    const toWide = (s: string): string =>
      s
        .replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0x30 + 0xff10))
        .replace(/,/g, '，')
        .replace(/-/g, '－');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789-, '.split('')), maxLength: 20 }), (s) => {
        assert.deepEqual(parsePageRanges(toWide(s)), parsePageRanges(s));
      }),
      { numRuns: 300 },
    );
  });
});
