import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MinerUError } from '../../src/core/errors';
import type { ResultImporter } from '../../src/core/tasks/engine';
import type { TaskRecord } from '../../src/core/tasks/task';
import { startHarness, type Harness } from './helpers/engineHarness';
import { checkImageLinks } from '../../src/core/results/markdownLinks';
import { makeEncryptedPdf, makeSplitPdf } from './helpers/splitPdfs';

const PRECISE = { outputDir: '', options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };
/** 25 pages at 10 a part (no margin): parts 1–9, 10–17, 18–25. */
const LIMITS = { maxPages: 10, maxBytes: 200 * 1_048_576, margin: 1 };

/**
 * The real importer, except that importing part `index` fails once with `message` (a dropped
 * download, retryable); `imports()` counts that part's imports, the failed one included.
 */
function failPartOnce(
  index: number,
  message: string,
): {
  importer: (real: ResultImporter) => ResultImporter;
  imports: () => number;
} {
  let imports = 0;
  return {
    importer: (real) => ({
      ...real,
      importZip: (task, url, signal, onProgress) => {
        if (task.part?.index === index && imports++ === 0)
          return Promise.reject(new MinerUError({ phase: 'download', message, retryable: true }));
        return real.importZip(task, url, signal, onProgress);
      },
    }),
    imports: () => imports,
  };
}

const exists = (p: string): Promise<boolean> =>
  fs.access(p).then(
    () => true,
    () => false,
  );

describe('Documents in parts (engine)', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => h?.dispose());

  const request = () => ({ ...PRECISE, outputDir: h.outputDir });
  const pdf = async (name: string, pages = 25): Promise<{ path: string; size: number }> => {
    const file = path.join(h.workDir, name);
    const bytes = await makeSplitPdf(pages);
    await fs.writeFile(file, bytes);
    return { path: file, size: bytes.length };
  };
  const parentOf = (tasks: TaskRecord[]): TaskRecord => tasks.find((t) => t.parts)!;
  const partsOf = (tasks: TaskRecord[]): TaskRecord[] =>
    tasks.filter((t) => t.part).sort((a, b) => a.part!.index - b.part!.index);
  const parentIs = (state: TaskRecord['state']) => (tasks: TaskRecord[]) => parentOf(tasks)?.state === state;

  it('splits a document into 3 parts sent in one batch and merges their results in page order', async () => {
    h = await startHarness();
    const item = await pdf('book.pdf');
    const submitted = await h.engine.submitFileInParts(item, LIMITS, request());
    assert.ok(submitted.parts);
    const tasks = await h.waitFor(parentIs('done'));
    await h.engine.idle();
    const parent = parentOf(h.store.all());
    const parts = partsOf(tasks);
    assert.deepEqual(
      parts.map((p) => [p.part!.index, p.part!.count, p.part!.firstPage, p.part!.lastPage, p.state]),
      [
        [1, 3, 1, 9, 'done'],
        [2, 3, 10, 17, 'done'],
        [3, 3, 18, 25, 'done'],
      ],
    );
    assert.deepEqual(
      parent.parts!.ids,
      parts.map((p) => p.id),
    );
    assert.equal(parent.parts!.totalPages, 25);
    assert.deepEqual(parent.progress, { extractedPages: 25, totalPages: 25 });
    // One batch request for the three parts, and three uploads.
    const batches = h.fake.requests.filter((r) => r.path.endsWith('/file-urls/batch'));
    assert.equal(batches.length, 1);
    assert.equal((batches[0]!.body as { files: unknown[] }).files.length, 3);
    // One merged result in the workspace; the parts' markdown in order.
    assert.equal(path.dirname(parent.result!.folder), h.outputDir);
    assert.deepEqual(await fs.readdir(h.outputDir), ['book']);
    const md = await fs.readFile(parent.result!.markdownPath, 'utf8');
    // Every page of the document exactly once, in order (the fake reads each page's own number).
    const pages = [...md.matchAll(/^## Page (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      pages,
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    assert.deepEqual(await checkImageLinks(md, path.dirname(parent.result!.markdownPath)), []);
    // The work folder (part files and part results, outside the workspace) is gone.
    assert.equal(await exists(parent.parts!.workDir), false);
    assert.ok(!parent.parts!.workDir.startsWith(h.outputDir));
  });

  it('fails the document naming the failed part; Retry of that part alone finishes it', async () => {
    const failing = failPartOnce(2, 'the link broke');
    h = await startHarness({}, {}, undefined, failing.importer);
    await h.engine.submitFileInParts(await pdf('long.pdf'), LIMITS, request());
    let tasks = await h.waitFor(
      (all) =>
        parentIs('failed')(all) && partsOf(all).every((p) => p.state === 'done' || p.state === 'failed'),
    );
    const failed = parentOf(tasks);
    assert.equal(failed.error!.message, 'Part 2 of 3 (pages 10–17) failed: the link broke');
    assert.equal(failed.error!.phase, 'download');
    assert.equal(failed.error!.hint, 'Retry the part');
    const [p1, p2, p3] = partsOf(tasks);
    assert.equal(p2!.state, 'failed');
    await h.engine.retry(p2!.id);
    tasks = await h.waitFor(parentIs('done'));
    await h.engine.idle();
    // The other parts were not touched: same records, one upload each.
    const after = partsOf(h.store.all());
    assert.equal(after[0]!.updatedAt, p1!.updatedAt);
    assert.equal(after[2]!.updatedAt, p3!.updatedAt);
    assert.equal(h.fake.requests.filter((r) => r.method === 'PUT').length, 3);
    assert.ok(await exists(parentOf(h.store.all()).result!.markdownPath));
  });

  it("tells the engine's listeners of one finish per document, never of its parts' own", async () => {
    const failing = failPartOnce(2, 'reset');
    h = await startHarness({}, {}, undefined, failing.importer);
    const finished: string[] = [];
    h.engine.onEvent((e) => {
      if (e.kind === 'finished') finished.push(`${e.task.part ? 'part' : e.task.name} ${e.task.state}`);
    });
    await h.engine.submitFileInParts(await pdf('news.pdf'), LIMITS, request());
    const tasks = await h.waitFor(
      (all) =>
        parentIs('failed')(all) && partsOf(all).every((p) => p.state === 'done' || p.state === 'failed'),
    );
    assert.deepEqual(finished, ['news failed'], 'the failed part is told as its document');
    await h.engine.retry(partsOf(tasks)[1]!.id);
    await h.waitFor(parentIs('done'));
    await h.engine.idle();
    assert.deepEqual(finished, ['news failed', 'news done'], 'one "ready" for the 3 parts');
  });

  it('Retry of the document retries only its failed parts', async () => {
    const failing = failPartOnce(3, 'reset');
    h = await startHarness({}, {}, undefined, failing.importer);
    const parent = await h.engine.submitFileInParts(await pdf('report.pdf'), LIMITS, request());
    const tasks = await h.waitFor(
      (all) =>
        parentIs('failed')(all) && partsOf(all).every((p) => p.state === 'done' || p.state === 'failed'),
    );
    const [p1] = partsOf(tasks);
    await h.engine.retry(parent.id);
    await h.waitFor(parentIs('done'));
    await h.engine.idle();
    assert.equal(partsOf(h.store.all())[0]!.updatedAt, p1!.updatedAt);
    assert.equal(failing.imports(), 2);
  });

  it('goes on after a reload mid-way (a new engine over the same store) and merges', async () => {
    h = await startHarness({ stepMs: 60 });
    await h.engine.submitFileInParts(await pdf('reload.pdf'), LIMITS, request());
    await h.waitFor((all) => partsOf(all).length === 3 && parentIs('running')(all));
    await h.store.flush();
    h.reload().resume();
    await h.waitFor(parentIs('done'), 20_000);
    await h.engine.idle();
    const parent = parentOf(h.store.all());
    assert.ok(await exists(parent.result!.markdownPath));
    assert.equal(await exists(parent.parts!.workDir), false);
  });

  it('fails a document that was being split when VS Code closed; Retry splits it again', async () => {
    h = await startHarness();
    const item = await pdf('closed.pdf');
    const now = Date.now();
    await h.store.add([
      {
        id: 'doc-1',
        name: 'closed',
        source: { kind: 'file', ...item },
        mode: 'precise',
        options: PRECISE.options,
        outputDir: h.outputDir,
        state: 'submitting',
        parts: { ids: [], totalPages: 0, workDir: path.join(h.workRoot, 'doc-1'), limits: LIMITS },
        createdAt: now,
        updatedAt: now,
      },
    ]);
    await h.store.flush();
    h.reload().resume();
    const [interrupted] = await h.waitFor(parentIs('failed'));
    assert.equal(interrupted!.error!.reason, 'task.interrupted');
    await h.engine.retry('doc-1');
    const tasks = await h.waitFor(parentIs('done'));
    assert.equal(partsOf(tasks).length, 3);
  });

  it('remove(document) removes its parts, stops them and deletes its work folder; a part stands for its document', async () => {
    h = await startHarness({ stepMs: 60 });
    const parent = await h.engine.submitFileInParts(await pdf('gone.pdf'), LIMITS, request());
    await h.waitFor((all) => partsOf(all).length === 3);
    const workDir = parent.parts!.workDir;
    assert.ok(await exists(workDir));
    await h.engine.remove([parent.id]);
    assert.equal(h.store.size, 0);
    assert.equal(await exists(workDir), false);

    const second = await h.engine.submitFileInParts(await pdf('gone2.pdf'), LIMITS, request());
    const parts = partsOf(await h.waitFor((all) => partsOf(all).length === 3));
    await h.engine.remove([parts[1]!.id]);
    assert.equal(h.store.size, 0);
    assert.equal(await exists(second.parts!.workDir), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await fs.readdir(h.outputDir).catch(() => []), []);
  });

  /** A document of 2 parts whose part results are imported (folders with one Markdown each). */
  const importedDocument = async (state: TaskRecord['state'], part2: TaskRecord['state']) => {
    const item = await pdf('two.pdf', 4);
    const workDir = path.join(h.workRoot, 'doc-2');
    const now = Date.now();
    const partRecord = (k: number, st: TaskRecord['state'], folder: string): TaskRecord => ({
      id: `doc-2-part-${k}`,
      name: `two.part-${k}`,
      source: { kind: 'file', path: path.join(workDir, `two.part-${k}.pdf`), size: 10 },
      mode: 'precise',
      options: PRECISE.options,
      outputDir: path.join(workDir, 'results'),
      state: st,
      part: { parentId: 'doc-2', index: k, count: 2, firstPage: 2 * k - 1, lastPage: 2 * k },
      ...(st === 'done'
        ? {
            result: {
              folder,
              markdownPath: path.join(folder, `two.part-${k}.md`),
              extras: [],
              rejectedEntries: 0,
              brokenImageLinks: 0,
            },
          }
        : {}),
      createdAt: now,
      updatedAt: now,
    });
    const folders = [1, 2].map((k) => path.join(workDir, 'results', `two.part-${k}`));
    for (const [i, folder] of folders.entries()) {
      await fs.mkdir(folder, { recursive: true });
      await fs.writeFile(path.join(folder, `two.part-${i + 1}.md`), `# Text of part ${i + 1}\n`);
    }
    await h.store.add([
      {
        id: 'doc-2',
        name: 'two',
        source: { kind: 'file', ...item },
        mode: 'precise',
        options: PRECISE.options,
        outputDir: h.outputDir,
        state,
        parts: { ids: ['doc-2-part-1', 'doc-2-part-2'], totalPages: 4, workDir },
        createdAt: now,
        updatedAt: now,
      },
      partRecord(1, 'done', folders[0]!),
      partRecord(2, part2, folders[1]!),
    ]);
    await h.store.flush();
    return workDir;
  };

  it('merges after a reload a document that was being merged when VS Code closed', async () => {
    h = await startHarness();
    const workDir = await importedDocument('importing', 'done');
    h.reload().resume();
    await h.waitFor(parentIs('done'));
    await h.engine.idle();
    const parent = h.store.get('doc-2')!;
    const md = await fs.readFile(parent.result!.markdownPath, 'utf8');
    assert.match(md, /# Text of part 1\n\n# Text of part 2/);
    assert.equal(await exists(workDir), false);
  });

  it('Clear Finished leaves the finished parts of a document still running', async () => {
    h = await startHarness();
    await importedDocument('running', 'running');
    await h.engine.clearFinished();
    assert.equal(h.store.size, 3);
  });

  it('sweeps work folders that belong to no document in the store', async () => {
    h = await startHarness();
    const now = Date.now();
    const kept = path.join(h.workRoot, 'doc-kept');
    await fs.mkdir(kept, { recursive: true });
    await fs.mkdir(path.join(h.workRoot, 'orphan', 'results'), { recursive: true });
    await fs.writeFile(path.join(h.workRoot, 'orphan', 'x.part-1.pdf'), 'x');
    await h.store.add([
      {
        id: 'doc-kept',
        name: 'kept',
        source: { kind: 'file', path: path.join(h.workDir, 'kept.pdf'), size: 1 },
        mode: 'precise',
        options: PRECISE.options,
        outputDir: h.outputDir,
        state: 'failed',
        parts: { ids: [], totalPages: 0, workDir: kept },
        createdAt: now,
        updatedAt: now,
      },
    ]);
    assert.equal(await h.engine.sweepWorkRoot(), 1);
    assert.deepEqual(await fs.readdir(h.workRoot), ['doc-kept']);
  });

  it('fails the document with the splitter’s error when the PDF cannot be split', async () => {
    h = await startHarness();
    const file = path.join(h.workDir, 'locked.pdf');
    const bytes = await makeEncryptedPdf();
    await fs.writeFile(file, bytes);
    const parent = await h.engine.submitFileInParts({ path: file, size: bytes.length }, LIMITS, request());
    assert.equal(parent.state, 'failed');
    assert.equal(parent.error!.phase, 'validate');
    assert.equal(parent.error!.code, 'encrypted');
    assert.match(parent.error!.message, /encrypted/);
    assert.ok(parent.error!.hint);
    assert.equal(h.store.size, 1);
  });
});
