/**
 * Tests written from the surviving mutants of src/core/results/naming.ts (npm run mutation): the
 * reserved-name anchor, the byte cap at its exact boundary, edge trimming, vertical tabs, partial
 * percent-decoding, names from strings that are not URLs, and uniqueFolder on an unreadable parent.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  documentNameFromUrl,
  MAX_NAME_BYTES,
  sanitizeName,
  uniqueFolder,
} from '../../src/core/results/naming';

describe('mutation: naming', () => {
  it('leaves names that only contain a device name alone (ICON.png, XCOM1, MYAUX.txt)', () => {
    assert.equal(sanitizeName('ICON.png'), 'ICON.png');
    assert.equal(sanitizeName('XCOM1'), 'XCOM1');
    assert.equal(sanitizeName('MYAUX.txt'), 'MYAUX.txt');
    assert.equal(sanitizeName('CON.png'), 'CON_.png');
  });

  it('fills the byte cap exactly: a long ASCII name keeps MAX_NAME_BYTES bytes, not one fewer', () => {
    const out = sanitizeName('a'.repeat(MAX_NAME_BYTES + 50), 1000);
    assert.equal(out, 'a'.repeat(MAX_NAME_BYTES));
  });

  it('a reserved name with a long remainder stays within the byte cap after its suffix', () => {
    const out = sanitizeName(`CON.${'b'.repeat(300)}`, 1000);
    assert.ok(out.startsWith('CON_.b'), out.slice(0, 10));
    assert.equal(Buffer.byteLength(out, 'utf8'), MAX_NAME_BYTES);
  });

  it('drops every leading dot, however many', () => {
    assert.equal(sanitizeName('.....hidden'), 'hidden');
    assert.equal(sanitizeName('. . . .x'), 'x');
  });

  it('turns a vertical tab into a space and leaves the letter V alone', () => {
    assert.equal(sanitizeName('a\vb'), 'a b');
    assert.equal(sanitizeName('VIEW V'), 'VIEW V');
  });

  it('decodes the valid escapes of a segment that also has a malformed one', () => {
    assert.equal(documentNameFromUrl('https://example.com/%E6%8A%A5%E5%91%8A%zz.pdf'), '报告%zz');
  });

  it('names a document from a string that is not a URL: last segment, no query, either separator', () => {
    assert.equal(documentNameFromUrl('  docs/sub/report.pdf?x=1#frag  '), 'report');
    assert.equal(documentNameFromUrl('docs\\sub\\summary.docx'), 'summary');
    assert.equal(documentNameFromUrl('notes#part?x'), 'notes');
    assert.equal(documentNameFromUrl('%E6%8A%A5%E5%91%8A.pdf'), '报告');
    assert.equal(documentNameFromUrl('folder/'), 'document');
    assert.equal(documentNameFromUrl('docs/report.pdf  '), 'report');
  });

  it('uniqueFolder fails instead of picking a name when the parent cannot be read (a file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mineru-mut-naming-'));
    try {
      const file = join(dir, 'plain.txt');
      writeFileSync(file, 'x');
      await assert.rejects(uniqueFolder(file, 'report'), (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, 'ENOTDIR');
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
