// Fault matrix, interrupted work (RELIABILITY.md, rows R-INT-*): restarts of the extension host
// modelled by a new engine over the same persisted storage (the harness's reload), and an output
// folder that is deleted, read-only or full. Read-only and full are simulated at the fs boundary
// (the process runs as root, where permissions do not stop writes): the extractor under test is real.
import * as assert from 'node:assert/strict';
import * as fsModule from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { TaskRecord } from '../../src/core/tasks/task';
import { allFinished, startHarness, type Harness } from './helpers/engineHarness';
import { snapshot } from './helpers/reliability';

const PRECISE = { options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };

type Promises = typeof fsModule.promises;
type Stubbable = 'mkdtemp' | 'mkdir' | 'writeFile';

/**
 * Makes one fs.promises function fail with `code` for paths under `dir` until the returned restore
 * function is called: a disk that is full or read-only, seen from the code that writes to it.
 */
function failWrites(name: Stubbable, dir: string, code: string): () => void {
  const target = fsModule.promises as unknown as Record<Stubbable, (...args: unknown[]) => Promise<unknown>>;
  const original = target[name];
  target[name] = function (this: Promises, ...args: unknown[]): Promise<unknown> {
    const p = args[0];
    if (typeof p === 'string' && path.resolve(p).startsWith(dir)) {
      const error = new Error(`${code}: simulated, ${name} '${p}'`) as NodeJS.ErrnoException;
      error.code = code;
      return Promise.reject(error);
    }
    return original.apply(this, args);
  };
  return () => {
    target[name] = original;
  };
}

describe('reliability: interrupted work', function () {
  this.timeout(20_000);
  let h: Harness;
  afterEach(async () => h?.dispose());
  const request = () => ({ ...PRECISE, outputDir: h.outputDir });

  /** Submits one URL and waits until its result download has started (and hangs). */
  async function startHungDownload(url: string): Promise<TaskRecord> {
    h.fake.faults.hangNext = { route: '\\.zip$', count: 1 };
    const [task] = await h.engine.submitUrls([{ url }], request());
    await h.waitFor(() => h.fake.requests.some((r) => r.path.endsWith('.zip')));
    assert.equal(h.store.get(task!.id)!.state, 'importing');
    await h.store.flush();
    return task!;
  }

  it('[R-INT-2] the host restarts mid-download, part of the archive on disk: after re-activation the import is retried, once, with nothing half-written', async () => {
    h = await startHarness();
    // The first bytes of the archive arrive and are written, then the transfer stalls.
    const sentBytes = 1537;
    h.fake.faults.stallNext = { route: '\\.zip$', count: 1, afterBytes: sentBytes };
    const [task] = await h.engine.submitUrls(
      [{ url: 'https://example.com/restart-download.pdf' }],
      request(),
    );
    const partSize = (): number | undefined => {
      const part = snapshot(h.workDir).find((p) => p.endsWith('.part'));
      return part === undefined ? undefined : fsModule.statSync(path.join(h.workDir, part)).size;
    };
    await h.waitFor(() => partSize() === sentBytes);
    assert.equal(h.store.get(task!.id)!.state, 'importing');
    await h.store.flush();

    h.reload();
    assert.equal(h.store.get(task!.id)!.state, 'importing', 'restored as importing');
    h.engine.resume();
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.equal(h.fake.requests.filter((r) => r.path.endsWith('.zip')).length, 2, 'downloaded again, once');
    assert.deepEqual(
      snapshot(h.outputDir),
      [
        'restart-download/',
        'restart-download/images/',
        ...snapshot(h.outputDir).filter((p) => /^restart-download\/images\/.+\.jpg$/.test(p)),
        ...snapshot(h.outputDir).filter((p) => /^restart-download\/[^/]+\.(json|pdf)$/.test(p)),
        'restart-download/restart-download.md',
      ].sort(),
    );
    // The aborted transfer removes its partial file (asynchronously): a bounded wait, then the check.
    await h.waitFor(() => partSize() === undefined, 2000).catch(() => undefined);
    assert.deepEqual(
      snapshot(h.workDir).filter((p) => /\.(zip|part)$/.test(p)),
      [],
      'no partial or temporary archive is left behind',
    );
  });

  it('[R-INT-3] the host dies mid-extract: the stale temporary folder is removed on re-activation and the result imported once', async () => {
    h = await startHarness();
    const task = await startHungDownload('https://example.com/restart-extract.pdf');
    // What a killed host leaves behind mid-extract: a half-filled temporary folder in the output.
    const stale = path.join(h.outputDir, '.mineru-tmp-Ab12Cd');
    await fs.mkdir(path.join(stale, 'images'), { recursive: true });
    await fs.writeFile(path.join(stale, 'full.md'), '# half');
    await fs.writeFile(path.join(stale, 'images', 'x.jpg'), 'half');
    h.reload();
    h.engine.resume();
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.equal(done!.id, task.id);
    assert.deepEqual(await fs.readdir(h.outputDir), ['restart-extract'], 'no half-written folder is left');
  });

  it('[R-INT-4] the output folder is deleted while the document is parsed: it is created again and the result lands there', async () => {
    h = await startHarness();
    await fs.mkdir(h.outputDir, { recursive: true });
    await h.engine.submitUrls([{ url: 'https://example.com/deleted-output-pages-4.pdf' }], request());
    await fs.rm(path.dirname(h.outputDir), { recursive: true, force: true });
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await fs.readdir(h.outputDir), ['deleted-output-pages-4']);
  });

  it('[R-INT-5] a read-only output folder: the error names the folder and the cause, the task stays retryable, Retry works once writable', async () => {
    h = await startHarness();
    await fs.mkdir(h.outputDir, { recursive: true });
    const restore = [
      failWrites('mkdtemp', h.outputDir, 'EROFS'),
      failWrites('mkdir', h.outputDir + path.sep, 'EROFS'),
    ];
    let failed: TaskRecord | undefined;
    try {
      await h.engine.submitUrls([{ url: 'https://example.com/readonly.pdf' }], request());
      [failed] = await h.waitFor(allFinished);
    } finally {
      for (const r of restore) r();
    }
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error!.phase, 'extract');
    assert.equal(failed!.error!.code, 'EROFS');
    assert.ok(failed!.error!.message.includes(h.outputDir), failed!.error!.message);
    assert.match(failed!.error!.message, /read-only/);
    assert.match(failed!.error!.hint ?? '', /Retry/);
    assert.equal(failed!.error!.retryable, true);
    assert.deepEqual(await fs.readdir(h.outputDir), []);
    await h.engine.retry(failed!.id);
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await fs.readdir(h.outputDir), ['readonly']);
  });

  it('[R-INT-6] a full disk (ENOSPC) while extracting: clear error, no partial folder, retryable, Retry works once there is space', async () => {
    h = await startHarness();
    const restore = failWrites('writeFile', path.dirname(h.outputDir), 'ENOSPC');
    let failed: TaskRecord | undefined;
    try {
      await h.engine.submitUrls([{ url: 'https://example.com/disk-full.pdf' }], request());
      [failed] = await h.waitFor(allFinished);
    } finally {
      restore();
    }
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error!.phase, 'extract');
    assert.equal(failed!.error!.code, 'ENOSPC');
    assert.match(failed!.error!.message, /disk is full/);
    assert.equal(failed!.error!.retryable, true);
    assert.deepEqual(await fs.readdir(h.outputDir), [], 'no partial or temporary folder');
    await h.engine.retry(failed!.id);
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await fs.readdir(h.outputDir), ['disk-full']);
  });
});
