/**
 * Tests written from the surviving mutants of src/core/files/preflight.ts (npm run mutation): the
 * size formatting at its unit boundaries and the exact text of every refusal.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile, formatBytes } from '../../src/core/files/preflight';

const MB = 1_048_576;

describe('mutation: preflight', () => {
  it('formatBytes: KB below 1 MiB (at least 1), one decimal from 1 MiB, none from 100 MiB', () => {
    assert.equal(formatBytes(0), '1 KB');
    assert.equal(formatBytes(1), '1 KB');
    assert.equal(formatBytes(2048), '2 KB');
    assert.equal(formatBytes(MB - 1), '1024 KB');
    assert.equal(formatBytes(MB), '1.0 MB');
    assert.equal(formatBytes(100 * MB - 1), '100.0 MB');
    assert.equal(formatBytes(100 * MB), '100 MB');
  });

  describe('checkFile messages', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mineru-mut-preflight-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a missing file, a folder, an empty file and a too-large one, each with its hint', async () => {
      const missing = await checkFile(join(dir, 'gone.pdf'), { maxBytes: 10 });
      assert.deepEqual(missing.problems, [
        {
          code: 'not-found',
          message: '"gone.pdf" could not be read',
          hint: 'Check that the file still exists and that you may read it',
        },
      ]);
      mkdirSync(join(dir, 'folder.pdf'));
      const folder = await checkFile(join(dir, 'folder.pdf'), { maxBytes: 10 });
      assert.deepEqual(folder.problems, [
        { code: 'not-a-file', message: '"folder.pdf" is not a file', hint: 'Choose a document file' },
      ]);
      writeFileSync(join(dir, 'empty.docx'), '');
      const empty = await checkFile(join(dir, 'empty.docx'), { maxBytes: 10 });
      assert.deepEqual(empty.problems, [
        {
          code: 'empty',
          message: '"empty.docx" is empty (0 bytes)',
          hint: 'Save the document again, then parse it',
        },
      ]);
      writeFileSync(join(dir, 'big.docx'), Buffer.alloc(20));
      const big = await checkFile(join(dir, 'big.docx'), { maxBytes: 10 });
      assert.deepEqual(big.problems, [
        {
          code: 'too-large',
          message: '"big.docx" is 1 KB, more than the 1 KB limit',
          hint: 'Split the document or compress its images, or parse a shorter excerpt',
          actual: 20,
          limit: 10,
        },
      ]);
      assert.deepEqual(big, { ok: false, path: join(dir, 'big.docx'), size: 20, problems: big.problems });
    });

    it('lists the supported types separated by spaces', async () => {
      writeFileSync(join(dir, 'a.xyz'), 'x');
      const result = await checkFile(join(dir, 'a.xyz'), { maxBytes: 10, extensions: ['.pdf', '.docx'] });
      assert.equal(result.problems[0]?.hint, 'Supported types: .pdf .docx');
    });
  });
});
