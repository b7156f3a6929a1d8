/** The index of finished results: keys, content hashes, lookups that check the folder, reloads. */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalOptions,
  fileSha256,
  keyOfTask,
  normaliseSourceUrl,
  RESULT_INDEX_KEY,
  RESULT_INDEX_LIMIT,
  ResultIndex,
  resultKey,
  type IndexedResult,
} from '../../src/core/results/resultIndex';
import type { TaskRecord } from '../../src/core/tasks/task';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';

describe('results: result index', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-index-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A result folder with its Markdown file, as the importer leaves it. */
  function resultFolder(name: string, date = 1): IndexedResult {
    const folder = join(dir, name);
    mkdirSync(folder);
    const markdownPath = join(folder, `${name}.md`);
    writeFileSync(markdownPath, `# ${name}\n`);
    return { folder, markdownPath, sourceLabel: `https://example.com/${name}.pdf`, mode: 'precise', date };
  }

  describe('keys', () => {
    it('normalises the URL: host case, default port and fragment do not matter; path and query do', () => {
      assert.equal(
        normaliseSourceUrl(' HTTPS://Example.COM:443/a/Paper.pdf#page=2 '),
        'https://example.com/a/Paper.pdf',
      );
      assert.notEqual(
        normaliseSourceUrl('https://example.com/a.pdf?v=1'),
        normaliseSourceUrl('https://example.com/a.pdf?v=2'),
      );
      assert.notEqual(
        normaliseSourceUrl('https://example.com/A.pdf'),
        normaliseSourceUrl('https://example.com/a.pdf'),
      );
    });

    it('options that change the output change the key; the others do not', () => {
      const base = canonicalOptions('precise', { modelVersion: 'vlm', language: 'en' });
      assert.equal(base, 'mode=precise;model=vlm;lang=en');
      for (const changed of [
        canonicalOptions('quick', { modelVersion: 'vlm', language: 'en' }),
        canonicalOptions('precise', { modelVersion: 'pipeline', language: 'en' }),
        canonicalOptions('precise', { modelVersion: 'vlm', language: 'ch' }),
        canonicalOptions('precise', { modelVersion: 'vlm', language: 'en', pageRanges: '1-3' }),
        canonicalOptions('precise', { modelVersion: 'vlm', language: 'en', isOcr: true }),
        canonicalOptions('precise', { modelVersion: 'vlm', language: 'en', enableFormula: false }),
        canonicalOptions('precise', { modelVersion: 'vlm', language: 'en', enableTable: false }),
        canonicalOptions('precise', { modelVersion: 'vlm', language: 'en', extraFormats: ['docx'] }),
      ])
        assert.notEqual(changed, base);
      assert.equal(
        canonicalOptions('precise', {
          modelVersion: 'vlm',
          language: 'en',
          callback: 'https://cb.example',
          seed: 'abc',
          noCache: true,
          cacheTolerance: 10,
        }),
        base,
      );
      // Order of extra formats and spaces in page ranges are not differences.
      assert.equal(
        canonicalOptions('precise', { extraFormats: ['html', 'docx'], pageRanges: '1-3, 5' }),
        canonicalOptions('precise', { extraFormats: ['docx', 'html'], pageRanges: '1-3,5' }),
      );
      // The self-hosted server's options count only in self-hosted mode.
      assert.notEqual(
        canonicalOptions('selfHosted', { selfHosted: { backend: 'pipeline' } }),
        canonicalOptions('selfHosted', { selfHosted: { backend: 'hybrid-engine' } }),
      );
    });

    it('a URL and a file never share a key', () => {
      assert.notEqual(
        resultKey({ kind: 'url', url: 'https://e.com/x' }, 'precise', {}),
        resultKey({ kind: 'file', sha256: 'https://e.com/x' }, 'precise', {}),
      );
    });

    it('fileSha256 streams the content hash of a file (larger than one read chunk)', async () => {
      const file = join(dir, 'big.pdf');
      const content = Buffer.alloc(3 * 65_536 + 17, 7);
      content.write('%PDF-1.7');
      writeFileSync(file, content);
      assert.equal(await fileSha256(file), createHash('sha256').update(content).digest('hex'));
      await assert.rejects(fileSha256(join(dir, 'missing.pdf')), /ENOENT/);
    });

    it('keyOfTask keys a file task by content, not by path', async () => {
      const a = join(dir, 'a.pdf');
      const b = join(dir, 'b.pdf');
      writeFileSync(a, '%PDF same');
      writeFileSync(b, '%PDF same');
      const task = (path: string): TaskRecord => ({
        id: path,
        name: 'x',
        source: { kind: 'file', path, size: 9 },
        mode: 'precise',
        options: {},
        outputDir: dir,
        state: 'done',
        createdAt: 0,
        updatedAt: 0,
      });
      assert.equal(await keyOfTask(task(a)), await keyOfTask(task(b)));
      writeFileSync(b, '%PDF changed');
      assert.notEqual(await keyOfTask(task(a)), await keyOfTask(task(b)));
    });
  });

  describe('lookup, record, list', () => {
    it('records and finds a result; a new index over the same store (a reload) finds it too', async () => {
      const store = new MemoryKeyValueStore();
      const result = resultFolder('paper');
      await new ResultIndex(store).record('k1', result);
      assert.deepEqual(await new ResultIndex(store).lookup('k1'), result);
      assert.equal(await new ResultIndex(store).lookup('k2'), undefined);
    });

    it('a result whose folder or Markdown file was deleted is not returned, and is dropped', async () => {
      const store = new MemoryKeyValueStore();
      const index = new ResultIndex(store);
      const gone = resultFolder('gone');
      const noMd = resultFolder('nomd');
      await index.record('gone', gone);
      await index.record('nomd', noMd);
      rmSync(gone.folder, { recursive: true });
      rmSync(noMd.markdownPath);
      assert.equal(await index.lookup('gone'), undefined);
      assert.deepEqual(
        (store.get<{ key: string }[]>(RESULT_INDEX_KEY) ?? []).map((e) => e.key),
        ['nomd'],
        'the missing folder dropped by its lookup',
      );
      assert.equal(await index.lookup('nomd'), undefined);
      assert.deepEqual(await index.list(), []);
    });

    it('recording the same key again replaces it; list is newest first', async () => {
      const index = new ResultIndex(new MemoryKeyValueStore());
      const old = resultFolder('old', 1);
      const other = resultFolder('other', 2);
      const fresh = resultFolder('fresh', 3);
      // Not awaited one by one: the writes are serialised, none is lost.
      await Promise.all([index.record('k', old), index.record('o', other), index.record('k', fresh)]);
      assert.deepEqual(await index.lookup('k'), fresh);
      assert.deepEqual(
        (await index.list()).map((e) => [e.key, e.folder]),
        [
          ['k', fresh.folder],
          ['o', other.folder],
        ],
      );
    });

    it(`keeps at most ${RESULT_INDEX_LIMIT} entries, dropping the oldest recorded`, async () => {
      const store = new MemoryKeyValueStore();
      const index = new ResultIndex(store);
      const r = resultFolder('r');
      for (let i = 0; i <= RESULT_INDEX_LIMIT; i++) await index.record(`k${i}`, r);
      const keys = (store.get<{ key: string }[]>(RESULT_INDEX_KEY) ?? []).map((e) => e.key);
      assert.equal(keys.length, RESULT_INDEX_LIMIT);
      assert.ok(!keys.includes('k0'));
      assert.ok(keys.includes(`k${RESULT_INDEX_LIMIT}`));
    });

    it('ignores malformed stored entries instead of failing', async () => {
      const store = new MemoryKeyValueStore();
      await store.update(RESULT_INDEX_KEY, [{ key: 'x' }, 42, null]);
      const index = new ResultIndex(store);
      assert.equal(await index.lookup('x'), undefined);
      assert.deepEqual(await index.list(), []);
      await store.update(RESULT_INDEX_KEY, 'not a list');
      assert.deepEqual(await index.list(), []);
    });

    it('recordTask records a finished task under its key, and skips a failed one', async () => {
      const index = new ResultIndex(new MemoryKeyValueStore());
      const r = resultFolder('doc');
      const task: TaskRecord = {
        id: '1',
        name: 'doc',
        source: { kind: 'url', url: 'https://example.com/doc.pdf#x' },
        mode: 'quick',
        options: { pageRanges: '1-2', language: 'en' },
        outputDir: dir,
        state: 'done',
        progress: { extractedPages: 2, totalPages: 2 },
        result: {
          folder: r.folder,
          markdownPath: r.markdownPath,
          extras: [],
          rejectedEntries: 0,
          brokenImageLinks: 0,
        },
        createdAt: 0,
        updatedAt: 5,
        finishedAt: 9,
      };
      assert.equal(await index.recordTask({ ...task, id: '2', state: 'failed' }), false);
      assert.deepEqual(await index.list(), []);
      assert.equal(await index.recordTask(task), true);
      const key = resultKey({ kind: 'url', url: 'https://example.com/doc.pdf' }, 'quick', {
        language: 'en',
        pageRanges: '1-2',
      });
      assert.deepEqual(await index.lookup(key), {
        folder: r.folder,
        markdownPath: r.markdownPath,
        sourceLabel: 'https://example.com/doc.pdf#x',
        mode: 'quick',
        pageRanges: '1-2',
        pages: 2,
        date: 9,
      });
    });
  });
});
