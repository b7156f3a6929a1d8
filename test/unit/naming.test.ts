/** Result naming: sanitizeName, document names from URLs and files, uniqueFolder. */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import {
  documentNameFromFile,
  documentNameFromUrl,
  MAX_NAME_BYTES,
  sanitizeName,
  uniqueFolder,
} from '../../src/core/results/naming';

const RESERVED = /^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])( *\..*)?$/i;

function assertSafe(out: string, maxLength = 120): void {
  assert.ok(out.length > 0, 'never empty');
  assert.ok(out !== '.' && out !== '..');
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(out, /[<>:"/\\|?*\u0000-\u001f\u007f]/);
  assert.doesNotMatch(out, /[. ]$/, `no trailing dot/space: ${JSON.stringify(out)}`);
  assert.doesNotMatch(out, /^[. ]/, 'no leading dot/space');
  assert.doesNotMatch(out, RESERVED, `not a reserved name: ${out}`);
  assert.ok(out.length <= Math.max(8, maxLength), `length ${out.length}`);
  assert.ok(Buffer.byteLength(out, 'utf8') <= MAX_NAME_BYTES);
  assert.doesNotMatch(
    out,
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
    'no lone surrogate',
  );
}

describe('naming: sanitizeName', () => {
  const table: [string, string][] = [
    ['report', 'report'],
    ['a/b\\c', 'a_b_c'],
    ['what? <yes> "no" a|b*c:d', 'what_ _yes_ _no_ a_b_c_d'],
    ['CON', 'CON_'],
    ['con', 'con_'],
    ['nul.txt', 'nul_.txt'],
    ['COM1', 'COM1_'],
    ['lpt9.tar.gz', 'lpt9_.tar.gz'],
    ['COM¹', 'COM¹_'],
    ['CONSOLE', 'CONSOLE'],
    ['name...', 'name'],
    ['name . . ', 'name'],
    ['.', 'document'],
    ['..', 'document'],
    ['', 'document'],
    ['   ', 'document'],
    ['\u0000\u0001', 'document'],
    ['.hidden', 'hidden'],
    ['tab\there\nnewline', 'tab here newline'],
    ['many     spaces', 'many spaces'],
    ['报告：2024年', '报告：2024年'], // full-width colon is a valid file name character,
    ['تقرير سنوي', 'تقرير سنوي'],
    ['📄 notes 🎉', '📄 notes 🎉'],
    ['evil\u202efdp.exe', 'evilfdp.exe'],
    ['e\u0301te\u0301', 'été'],
    ['lone\ud800surrogate', 'lonesurrogate'],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      const out = sanitizeName(input);
      assert.equal(out, expected);
      assertSafe(out);
    });
  }

  it('[R-IN-5] cuts long names by UTF-16 length without splitting surrogate pairs or emoji sequences', () => {
    assert.equal(sanitizeName('x'.repeat(300)).length, 120);
    assert.equal(sanitizeName('x'.repeat(300), 20), 'x'.repeat(20));
    const emoji = sanitizeName('😀'.repeat(100), 15);
    assert.equal(emoji, '😀'.repeat(7)); // 14 units; an 8th would need 16
    const family = '👨‍👩‍👧'; // 8 UTF-16 units, one grapheme
    assert.equal(sanitizeName(`ab${family}${family}`, 12), `ab${family}`);
  });

  it('[R-IN-5] caps UTF-8 bytes so that 120 CJK characters still fit a 255-byte file system', () => {
    const out = sanitizeName('报'.repeat(120));
    assert.ok(Buffer.byteLength(out) <= MAX_NAME_BYTES);
    assert.equal(out, '报'.repeat(Math.floor(MAX_NAME_BYTES / 3)));
  });

  it('a reserved name that is cut still gets its suffix within the limit', () => {
    const out = sanitizeName(`CON.${'y'.repeat(50)}`, 10);
    assert.equal(out, 'CON_.yyyyy');
  });

  it('[R-PROP-3] property: output is always safe and bounded', () => {
    const nasty = fc.constantFrom(
      ...'./\\:*?"<>| \t\u0000\u202eCONPRNAUXNULcom1lpt1😀报.'.split(''),
      '..',
      'CON',
      'nul',
      'COM1',
    );
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(nasty, { maxLength: 40 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 300 }), (s, max) => {
        assertSafe(sanitizeName(s, max), max);
      }),
      { numRuns: 500 },
    );
  });

  it('[R-PROP-3] property: idempotent', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 1, max: 200 }),
        (s, max) => {
          const once = sanitizeName(s, max);
          assert.equal(sanitizeName(once, max), once);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('naming: documentNameFromUrl / documentNameFromFile', () => {
  const urls: [string, string][] = [
    ['https://example.com/files/report.pdf', 'report'],
    ['https://example.com/files/report.PDF?download=1#page=2', 'report'],
    ['https://example.com/%E6%8A%A5%E5%91%8A%202024.pdf', '报告 2024'],
    ['https://arxiv.org/pdf/2401.12345', '2401.12345'],
    ['https://arxiv.org/pdf/2401.12345v2.pdf', '2401.12345v2'],
    ['https://example.com/', 'example.com'],
    ['https://example.com/a/b/', 'b'],
    ['https://example.com/CON.pdf', 'CON_'],
    ['https://example.com/..%2F..%2Fetc%2Fpasswd.pdf', '_.._etc_passwd'],
    ['https://example.com/bad%E0%A4%A.pdf', 'bad%E0%A4%A'],
    ['https://example.com/a%00b.docx', 'ab'],
    ['https://example.com/slides.final.pptx', 'slides.final'],
  ];
  for (const [url, expected] of urls) {
    it(`${url} → ${expected}`, () => assert.equal(documentNameFromUrl(url), expected));
  }

  const files: [string, string][] = [
    ['/home/u/docs/年度报告.pdf', '年度报告'],
    ['C:\\Users\\u\\My Report.v2.docx', 'My Report.v2'],
    ['/tmp/.hidden.pdf', 'hidden'],
    ['/tmp/noext', 'noext'],
    ['/tmp/aux.png', 'aux_'],
    ['relative/dir/', 'document'],
  ];
  for (const [file, expected] of files) {
    it(`${file} → ${expected}`, () => assert.equal(documentNameFromFile(file), expected));
  }
});

describe('naming: uniqueFolder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-naming-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the name, then "name (2)", "name (3)" …, skipping files and folders that exist', async () => {
    assert.equal(await uniqueFolder(dir, 'report'), join(dir, 'report'));
    mkdirSync(join(dir, 'report'));
    assert.equal(await uniqueFolder(dir, 'report'), join(dir, 'report (2)'));
    writeFileSync(join(dir, 'report (2)'), 'a file, not a folder');
    assert.equal(await uniqueFolder(dir, 'report'), join(dir, 'report (3)'));
  });

  it('sanitises the base name', async () => {
    assert.equal(await uniqueFolder(dir, '../../escape'), join(dir, '_.._escape'));
    assert.equal(await uniqueFolder(dir, 'CON'), join(dir, 'CON_'));
  });
});
