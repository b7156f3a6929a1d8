// Local files through the real engine, client and importer against the fake service: cancelling the
// upload phase, and the URL fallback (download here, then upload) with its size cap.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
  downloadForUpload,
  fileNameFromUrl,
  isFetchFailure,
  removeLocalCopy,
} from '../../src/core/files/localCopy';
import { MinerUError } from '../../src/core/errors';
import type { SubmitRequest } from '../../src/core/tasks/engine';
import { allFinished, startHarness, type Harness } from './helpers/engineHarness';
import { makePdf } from './helpers/pdf';

/** A tiny document server: GET /<anything> answers `body`; records whether credentials arrived. */
async function serveDocument(
  body: Buffer,
): Promise<{ origin: string; headers: http.IncomingHttpHeaders[]; close(): Promise<void> }> {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    if (req.url?.includes('missing')) {
      res.writeHead(404).end('not here');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    headers,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('local files: cancel and the URL fallback', function () {
  this.timeout(20_000);
  let h: Harness;
  const request = (): SubmitRequest => ({ outputDir: h.outputDir, options: {}, mode: 'precise' });

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('cancelling during an upload aborts it and forgets the files not uploaded; nothing fails', async () => {
    const a = path.join(h.workDir, 'a.pdf');
    const b = path.join(h.workDir, 'b.pdf');
    await fs.writeFile(a, makePdf({ pages: 2 }));
    await fs.writeFile(b, makePdf({ pages: 2 }));
    h.fake.faults.hangNext = { route: '^/upload/', count: 1 };
    const controller = new AbortController();
    const submitted = h.engine.submitFiles(
      [
        { path: a, size: (await fs.stat(a)).size },
        { path: b, size: (await fs.stat(b)).size },
      ],
      request(),
      controller.signal,
    );
    await h.waitFor((tasks) => tasks.some((t) => t.state === 'uploading'));
    const putsBefore = h.fake.requests.filter((r) => r.method === 'PUT').length;
    controller.abort();
    const tasks = await submitted;
    assert.deepEqual(tasks, [], 'the cancelled files are not returned');
    assert.equal(h.store.size, 0, 'the cancelled files are forgotten, not failed');
    assert.equal(
      h.fake.requests.filter((r) => r.method === 'PUT').length,
      putsBefore,
      'the second file was never uploaded',
    );
  });

  it('without a cancel, the same files upload and finish', async () => {
    const a = path.join(h.workDir, 'a.pdf');
    await fs.writeFile(a, makePdf({ pages: 2 }));
    const controller = new AbortController();
    const tasks = await h.engine.submitFiles(
      [{ path: a, size: (await fs.stat(a)).size }],
      request(),
      controller.signal,
    );
    assert.equal(tasks.length, 1);
    controller.abort(); // after the upload phase: does not touch the running task
    const [done] = await h.waitFor(allFinished);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
  });

  it('fallback: a URL the service cannot fetch is downloaded here and uploaded under its own name', async () => {
    const pdf = makePdf({ pages: 3 });
    const server = await serveDocument(pdf);
    try {
      const url = `${server.origin}/unfetchable/Annual%20Report%20年报.pdf?token=abc`;
      const [urlTask] = await h.engine.submitUrls([{ url }], request());
      const [failed] = await h.waitFor(allFinished);
      assert.equal(failed!.state, 'failed');
      assert.equal(isFetchFailure(failed!.error), true, JSON.stringify(failed!.error));
      assert.equal(urlTask!.id, failed!.id);

      const copy = await downloadForUpload(url, path.join(h.workDir, 'downloads'), { maxBytes: 1_048_576 });
      assert.equal(copy.name, 'Annual Report 年报.pdf');
      assert.equal(copy.size, pdf.length);
      assert.deepEqual(await fs.readFile(copy.path), pdf);
      assert.equal(server.headers.at(-1)?.authorization, undefined, 'no credentials on the download');

      await h.engine.remove([failed!.id]);
      await h.engine.submitFiles([{ path: copy.path, size: copy.size, name: copy.name }], request());
      const [done] = await h.waitFor(allFinished);
      assert.equal(done!.state, 'done', JSON.stringify(done!.error));
      const urls = h.fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/file-urls/batch'));
      assert.deepEqual(
        (urls?.body as { files: { name: string }[] }).files[0]?.name,
        'Annual Report 年报.pdf',
      );
      const put = h.fake.requests.find((r) => r.method === 'PUT');
      assert.equal(put?.bodyBytes, pdf.length);

      await removeLocalCopy(path.join(h.workDir, 'downloads'), copy.path);
      assert.equal(await fs.stat(path.dirname(copy.path)).catch(() => undefined), undefined);
    } finally {
      await server.close();
    }
  });

  it('fallback: a download above the cap is refused with a message about the document, and leaves nothing', async () => {
    const server = await serveDocument(Buffer.alloc(64 * 1024, 1));
    const dir = path.join(h.workDir, 'downloads');
    try {
      await assert.rejects(
        downloadForUpload(`${server.origin}/big.pdf`, dir, { maxBytes: 1024 }),
        (e: unknown) =>
          e instanceof MinerUError &&
          e.code === 'DOWNLOAD_TOO_LARGE' &&
          /document at 127\.0\.0\.1:\d+ is larger than/.test(e.message),
      );
      await assert.rejects(
        downloadForUpload(`${server.origin}/missing.pdf`, dir, { maxBytes: 1024 * 1024 }),
        (e: unknown) => e instanceof MinerUError && e.code === 'HTTP_404' && /refused/.test(e.message),
      );
      assert.deepEqual(await fs.readdir(dir).catch(() => []), [], 'no partial download is left');
    } finally {
      await server.close();
    }
  });

  it('tells fetch failures from other failures, and names files from URLs', () => {
    assert.equal(isFetchFailure({ phase: 'parse', code: '-60008', message: 'x', retryable: true }), true);
    assert.equal(isFetchFailure({ phase: 'parse', code: '-60003', message: 'x', retryable: true }), true);
    assert.equal(
      isFetchFailure({
        phase: 'parse',
        message: 'file read timeout, please check if the url is accessible',
        retryable: true,
      }),
      true,
    );
    assert.equal(
      isFetchFailure({ phase: 'parse', code: '-60010', message: 'parsing failed', retryable: true }),
      false,
    );
    assert.equal(isFetchFailure({ phase: 'submit', code: '-60008', message: 'x', retryable: true }), false);
    assert.equal(isFetchFailure(undefined), false);
    assert.equal(fileNameFromUrl('https://a.example/x/y/paper.PDF#p=2'), 'paper.pdf');
    assert.equal(fileNameFromUrl('https://a.example/dl/a%3Ab%2Fc.docx'), 'a_b_c.docx');
    assert.equal(fileNameFromUrl('https://a.example/'), 'document');
  });
});
