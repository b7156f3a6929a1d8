// Watched folders (mineru.watch.folders) in the real host, against the fake MinerU: a PDF copied into
// a confirmed folder is parsed once (and not again after a reload, nor as a copy); an unconfirmed
// folder sends nothing; a file still being written is not sent until it is stable; an untrusted
// workspace watches nothing; a folder moved in is looked into.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import type { FakeMinerU } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import {
  answerMessages,
  configure,
  useFakeMinerU,
  waitFor,
  workspaceRoot,
  type ShownMessage,
} from './helpers';

/** Longer than the watcher's debounce and two looks (1.5 s + 1 s), with room for the file watcher. */
const SETTLE_MS = 5000;
/**
 * A PDF no other test parses: the result index (shared by every suite of this host) would otherwise
 * already hold one with the same content, and the watcher would rightly not send it.
 */
const uniquePdf = (pages: number): Buffer =>
  makePdf({ pages, padBytes: 2048 + Math.floor(Math.random() * 50_000) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('MinerU watched folders in the real host', function () {
  this.timeout(90_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;
  const suite = useFakeMinerU();
  before(() => ({ fake, api: a } = suite));
  beforeEach(() => fake.reset());
  afterEach(async () => {
    await configure('watch.folders', undefined);
    await a.watch.ready;
  });

  const tasksFor = (file: string): TaskRecord[] =>
    a.store.all().filter((t) => t.source.kind === 'file' && t.source.path === file);
  /** Waits until the file's one task is done or failed, so that no poll of it outlives the test. */
  const parsed = (file: string): Promise<TaskRecord> =>
    waitFor(
      `${path.basename(file)} to be parsed`,
      () => {
        const t = tasksFor(file);
        return t.length === 1 && (t[0]!.state === 'done' || t[0]!.state === 'failed') && t[0];
      },
      30_000,
    );
  const uploads = (): number => fake.requests.filter((r) => r.method === 'PUT').length;

  /** Sets the globs and answers the watcher's question with `answer`; returns what was shown. */
  async function watchGlobs(globs: string[], answer: string | undefined): Promise<ShownMessage[]> {
    return answerMessages(
      (m) => (m.message.startsWith('MinerU: watch') ? answer : undefined),
      async (shown) => {
        await configure('watch.folders', globs);
        if (vscode.workspace.isTrusted)
          await waitFor('the question', () => shown.some((m) => m.message.startsWith('MinerU: watch')));
        else await sleep(1000);
        await a.watch.ready;
        return shown;
      },
    );
  }

  async function write(rel: string, data: Buffer): Promise<string> {
    const file = path.join(workspaceRoot(), rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
    return file;
  }

  it('[setting:mineru.watch.folders] a PDF copied into a confirmed watched folder is parsed once, and not again as a copy or after a reload', async () => {
    const shown = await watchGlobs(['inbox-a/**/*.pdf'], 'Watch');
    const question = shown.find((m) => m.message.startsWith('MinerU: watch'));
    assert.ok(question, 'the folder is confirmed first');
    assert.match(question.message, /"inbox-a\/\*\*\/\*\.pdf"/);
    assert.ok(
      question.message.includes(new URL(fake.apiBaseUrl).host),
      `names the service: ${question.message}`,
    );
    assert.deepEqual(question.items, ['Watch', 'Not Now']);

    const pdf = uniquePdf(2);
    const file = await write('inbox-a/sub/paper.pdf', pdf);
    const [task] = await waitFor('the watched file to be parsed', () => {
      const t = tasksFor(file);
      return t.length > 0 && (t[0]!.state === 'done' || t[0]!.state === 'failed') && t;
    });
    assert.equal(task!.state, 'done', JSON.stringify(task!.error));
    assert.ok(
      task!.result?.markdownPath.startsWith(path.join(workspaceRoot(), 'mineru')),
      'results in the results folder',
    );
    assert.equal(uploads(), 1, 'uploaded once');
    await sleep(SETTLE_MS);
    assert.equal(tasksFor(file).length, 1, 'parsed once');
    assert.equal(uploads(), 1);

    // The same content under another name: already parsed with these options.
    const copy = await write('inbox-a/copy-of-paper.pdf', pdf);
    await sleep(SETTLE_MS);
    assert.equal(tasksFor(copy).length, 0, 'a copy is not sent');
    assert.equal(uploads(), 1);

    // A window reload: the confirmation and the index survive it.
    const shownAfter = await answerMessages(
      () => undefined,
      async (shownAfter) => {
        a.restart();
        await a.watch.ready;
        const again = await write('inbox-a/after-reload.pdf', pdf);
        await sleep(SETTLE_MS);
        assert.equal(tasksFor(again).length, 0, 'not sent again after a reload');
        // New content in the same folder still goes, without a second question.
        const other = await write('inbox-a/other.pdf', uniquePdf(3));
        await waitFor(
          'the new file to be parsed',
          () => tasksFor(other).length === 1 && ['done', 'failed'].includes(tasksFor(other)[0]!.state),
          20_000,
        );
        return shownAfter;
      },
    );
    assert.equal(
      shownAfter.filter((m) => m.message.startsWith('MinerU: watch')).length,
      0,
      'asked once per workspace',
    );
  });

  it('a folder moved into a watched folder is looked into: its PDFs are parsed, other files not', async () => {
    await fs.mkdir(path.join(workspaceRoot(), 'inbox-e'), { recursive: true });
    await watchGlobs(['inbox-e/**/*.pdf'], 'Watch');
    // Made elsewhere (a hidden folder nobody watches), then moved in: one event, for the folder.
    const staging = path.join(workspaceRoot(), '.staging-e', 'batch');
    await fs.mkdir(path.join(staging, 'deeper'), { recursive: true });
    await fs.writeFile(path.join(staging, 'one.pdf'), uniquePdf(2));
    await fs.writeFile(path.join(staging, 'deeper', 'two.pdf'), uniquePdf(3));
    await fs.writeFile(path.join(staging, 'notes.txt'), 'not a PDF');
    const moved = path.join(workspaceRoot(), 'inbox-e', 'batch');
    await fs.rename(staging, moved);
    const files = [path.join(moved, 'one.pdf'), path.join(moved, 'deeper', 'two.pdf')];
    for (const file of files) {
      const task = await parsed(file);
      assert.equal(task.state, 'done', JSON.stringify(task.error));
    }
    assert.equal(uploads(), 2, 'the two PDFs, nothing else');
    assert.equal(tasksFor(path.join(moved, 'notes.txt')).length, 0);
    await fs.rm(path.join(workspaceRoot(), '.staging-e'), { recursive: true, force: true });
  });

  it('an unconfirmed watched folder sends nothing', async () => {
    const shown = await watchGlobs(['inbox-b/*.pdf'], 'Not Now');
    assert.equal(
      shown.filter((m) => m.message.startsWith('MinerU: watch')).length,
      vscode.workspace.isTrusted ? 1 : 0,
    );
    const file = await write('inbox-b/paper.pdf', uniquePdf(1));
    await sleep(SETTLE_MS);
    assert.equal(tasksFor(file).length, 0);
    assert.equal(fake.requests.length, 0, 'no request at all');
    assert.deepEqual(a.watch.pending, [], 'not even tracked');
  });

  it('a file still being written is not sent until it is stable', async () => {
    await watchGlobs(['inbox-c/*.pdf'], 'Watch');
    const pdf = makePdf({ pages: 2, padBytes: 400_000 });
    const file = path.join(workspaceRoot(), 'inbox-c', 'slow.pdf');
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(file, 'w');
    const chunks = 10;
    const step = Math.ceil(pdf.length / chunks);
    try {
      for (let i = 0; i < chunks; i++) {
        await handle.write(pdf.subarray(i * step, (i + 1) * step));
        await handle.sync();
        await sleep(600);
        assert.equal(tasksFor(file).length, 0, `not sent while written (chunk ${i + 1}/${chunks})`);
        assert.equal(uploads(), 0);
      }
    } finally {
      await handle.close();
    }
    const [task] = await waitFor(
      'the finished file to be sent',
      () => tasksFor(file).length === 1 && tasksFor(file),
      20_000,
    );
    assert.equal((await parsed(file)).state, 'done');
    // Read once the task is done: the fake records the PUT when it arrives and counts its body after.
    const puts = fake.requests.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 1, 'one upload');
    assert.equal(puts[0]!.bodyBytes, pdf.length, 'the whole file went');
    assert.equal(task!.source.kind === 'file' && task!.source.size, pdf.length);
  });

  it('watched folders are off in an untrusted workspace (control: a trusted one asks)', async () => {
    const shown = await watchGlobs(['inbox-d/*.pdf'], 'Watch');
    const asked = shown.filter((m) => m.message.startsWith('MinerU: watch')).length;
    const file = await write('inbox-d/paper.pdf', uniquePdf(1));
    if (process.env.MINERU_EXPECT_UNTRUSTED === '1') assert.equal(vscode.workspace.isTrusted, false);
    if (vscode.workspace.isTrusted) {
      assert.equal(asked, 1);
      assert.equal((await parsed(file)).state, 'done');
    } else {
      assert.equal(asked, 0, 'no question in restricted mode');
      await sleep(SETTLE_MS);
      assert.equal(tasksFor(file).length, 0);
      assert.equal(fake.requests.length, 0);
    }
  });
});
