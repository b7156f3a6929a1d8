// Local files in the real extension host against the fake MinerU: a PDF, a DOCX and an image
// uploaded through /file-urls/batch + PUT (no Content-Type, no Authorization on the PUT), an
// Explorer multi-selection as one batch, pre-flight refusals that let the good files go, and the
// fallback for a URL the service cannot fetch (downloaded here from a local server, then uploaded).
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { FakeMinerU, RecordedRequest } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import { configure, finished, useFakeMinerU, waitFor, workspaceRoot } from './helpers';

async function writeDoc(rel: string, content: Buffer | string): Promise<vscode.Uri> {
  const p = path.join(workspaceRoot(), 'docs', rel);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, content);
  return vscode.Uri.file(p);
}

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('Local files in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;

  const suite = useFakeMinerU({ uploadUrlsLocally: undefined });
  before(() => ({ fake, api: a } = suite));

  beforeEach(async () => {
    await a.engine.clearFinished();
    fake.reset();
  });

  const puts = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'PUT');
  const fileUrlRequests = (): RecordedRequest[] =>
    fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/file-urls/batch'));

  function assertCleanPuts(expected: number): void {
    const all = puts();
    assert.equal(all.length, expected, `${expected} PUT(s)`);
    for (const put of all) {
      assert.equal(put.server, 'cdn', 'the bytes go to the upload host');
      assert.equal(put.headers['content-type'], undefined, 'no Content-Type on the PUT');
      assert.equal(put.headers.authorization, undefined, 'no Authorization on the PUT');
      assert.ok(put.bodyBytes > 0, 'the bytes were sent');
    }
  }

  for (const [label, name, content] of [
    ['a PDF', '研究 report.pdf', makePdf({ pages: 3 })],
    ['a DOCX', 'minutes.docx', Buffer.from('PK\u0003\u0004 fake docx bytes')],
    ['an image', 'scan.png', PNG],
  ] as const) {
    it(`parses ${label} from the Explorer: upload, waiting-file, result in the workspace [cmd:mineru.parseFile]`, async () => {
      const uri = await writeDoc(name, content);
      const states: string[] = [];
      const recorder = a.store.onDidChange((e) => {
        for (const t of e.changed)
          if (t.source.kind === 'file' && t.source.path === uri.fsPath) states.push(t.state);
      });
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]).then(
        (r) => r,
        (e: unknown) => {
          recorder.dispose();
          throw e;
        },
      );
      assert.equal(tasks?.length, 1, 'one task');
      assert.deepEqual(tasks[0]!.source, { kind: 'file', path: uri.fsPath, size: content.length });
      const [done] = await waitFor('the task to finish', () => finished(a, [tasks[0]!.id]));
      assert.equal(done!.state, 'done', JSON.stringify(done!.error));
      recorder.dispose();
      const order = ['submitting', 'uploading', 'waiting-file', 'importing', 'done'].map((s) =>
        states.indexOf(s),
      );
      assert.ok(
        order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)),
        `states in order: ${states.join(' → ')}`,
      );
      const stem = name.replace(/\.[^.]+$/, '');
      assert.equal(done!.result?.markdownPath, path.join(workspaceRoot(), 'mineru', stem, `${stem}.md`));
      assert.ok((await fs.stat(done!.result.markdownPath)).size > 0);
      const [request] = fileUrlRequests();
      assert.deepEqual(
        (request?.body as { files: { name: string }[] }).files.map((f) => f.name),
        [name],
        'the real name, CJK and spaces included',
      );
      assertCleanPuts(1);
      assert.equal(puts()[0]!.bodyBytes, content.length);
    });
  }

  it('a multi-selection in the Explorer is one batch; each file gets its own result [cmd:mineru.parseFile]', async () => {
    const uris = [
      await writeDoc('batch/one.pdf', makePdf({ pages: 2 })),
      await writeDoc('batch/two.pdf', makePdf({ pages: 4 })),
      await writeDoc('batch/three.png', PNG),
    ];
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uris[1], uris);
    assert.equal(tasks?.length, 3);
    assert.equal(fileUrlRequests().length, 1, 'one /file-urls/batch request');
    const done = await waitFor('the batch', () =>
      finished(
        a,
        tasks.map((t) => t.id),
      ),
    );
    assert.ok(
      done.every((t) => t.state === 'done'),
      JSON.stringify(done.map((t) => t.error)),
    );
    assert.deepEqual(
      done.map((t) => path.basename(t.result!.markdownPath)),
      ['one.md', 'two.md', 'three.md'],
      'results matched by request order',
    );
    assertCleanPuts(3);
    const batchNode = a.tree.getChildren().find((n) => n.kind === 'batch');
    assert.ok(batchNode, 'the batch has its own node in the tree');
  });

  it('pre-flight: an empty file and an unsupported type are refused before any request; the good file goes', async () => {
    const good = await writeDoc('mixed/good.pdf', makePdf({ pages: 1 }));
    const empty = await writeDoc('mixed/empty.pdf', '');
    const text = await writeDoc('mixed/notes.txt', 'hello');
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', good, [
      good,
      empty,
      text,
    ]);
    assert.equal(tasks?.length, 1);
    assert.equal(tasks[0]!.source.kind === 'file' && tasks[0]!.source.path, good.fsPath);
    assert.deepEqual(
      (fileUrlRequests()[0]?.body as { files: { name: string }[] }).files.map((f) => f.name),
      ['good.pdf'],
    );
    await waitFor('done', () => finished(a, [tasks[0]!.id]));
  });

  it('pre-flight: nothing is sent when every file is refused (size and page limits from the settings) [setting:mineru.maxPages]', async () => {
    await configure('maxPages', 5);
    try {
      const long = await writeDoc('long.pdf', makePdf({ pages: 9, fanout: 3 }));
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', long, [long]);
      assert.deepEqual(tasks, []);
      assert.equal(fake.requests.length, 0, 'no request at all');
    } finally {
      await configure('maxPages', undefined);
    }
  });

  it('fallback: a URL the service cannot fetch is downloaded here and uploaded under its name [cmd:mineru.uploadFromUrl]', async () => {
    const pdf = makePdf({ pages: 2 });
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length }).end(pdf);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/unfetchable/report.pdf`;
      const submitted = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseUrl', url);
      const [failed] = await waitFor('the service to give up on the URL', () =>
        finished(a, [submitted[0]!.id]),
      );
      assert.equal(failed!.state, 'failed');
      assert.match(failed!.error?.message ?? '', /file read timeout/, 'the service could not fetch it');
      const item = a.tree.getTreeItem(a.tree.nodeFor(failed!.id)!);
      assert.match(
        item.contextValue ?? '',
        /\bcanUploadLocally\b/,
        'the tree offers Download Here and Upload',
      );

      const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.uploadFromUrl', failed!.id);
      assert.equal(tasks?.length, 1);
      assert.equal(seen.length, 1, 'downloaded once, here');
      assert.equal(seen[0]!.authorization, undefined, 'no credentials on the download');
      assert.equal(a.store.get(failed!.id), undefined, 'the upload replaces the failed URL task');
      assert.deepEqual(
        (fileUrlRequests()[0]?.body as { files: { name: string }[] }).files.map((f) => f.name),
        ['report.pdf'],
      );
      assertCleanPuts(1);
      assert.equal(puts()[0]!.bodyBytes, pdf.length);
      const [done] = await waitFor('done', () => finished(a, [tasks[0]!.id]));
      assert.equal(done!.state, 'done', JSON.stringify(done!.error));
      assert.equal(path.basename(done!.result!.markdownPath), 'report.md');
      const copy = done!.source.kind === 'file' ? done!.source.path : '';
      await waitFor('the copy to go', () => !existsSync(copy), 5000);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('setting "always": URL commands download here and upload instead of submitting the URL [setting:mineru.uploadUrlsLocally]', async () => {
    const pdf = makePdf({ pages: 1 });
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': pdf.length }).end(pdf);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await configure('uploadUrlsLocally', 'always');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/papers/always.pdf`;
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseUrl', url);
      assert.equal(tasks?.length, 1);
      assert.equal(tasks[0]!.source.kind, 'file');
      assert.ok(!fake.requests.some((r) => r.path.endsWith('/extract/task')), 'the URL was not submitted');
      assertCleanPuts(1);
      const [done] = await waitFor('done', () => finished(a, [tasks[0]!.id]));
      assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    } finally {
      await configure('uploadUrlsLocally', undefined);
      await new Promise((r) => server.close(r));
    }
  });
});
