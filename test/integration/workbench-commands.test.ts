// Every contributed command that no other host test runs, against the fake MinerU in the real
// extension host, each with its effect asserted: the options flow (answers on the wire), the log
// shown, Clear Finished, Reveal Result and Open Source (the Explorer's own selection, read back
// through the workbench), Copy Task ID (the clipboard), Parse All Documents in Folder (the modal
// answered, the folder's documents in one batch, the output folder left out) and Re-run with Page
// Ranges (page_ranges on the wire).
// (The file name sorts after extension.test.ts on purpose: its activation test must run first,
// before any suite activates the extension or points the endpoints at a fake.)
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import type { FakeMinerU, RecordedRequest } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import {
  answerInputBoxes,
  answerMessages,
  answerQuickPicks,
  configure,
  explorerSelectionPath,
  finished,
  interceptOpenExternal,
  useFakeMinerU,
  waitFor,
  workspaceRoot,
} from './helpers';

/** The `value` a quick pick item of the extension carries (its options flow picks by value). */
function valueOf(item: vscode.QuickPickItem): unknown {
  return (item as vscode.QuickPickItem & { value?: unknown }).value;
}

function pickByValue(items: readonly vscode.QuickPickItem[], ...values: unknown[]): vscode.QuickPickItem[] {
  const chosen = items.filter((i) => values.includes(valueOf(i)));
  assert.equal(chosen.length, values.length, `items ${values.join(', ')} offered`);
  return chosen;
}

describe('Commands in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;

  const suite = useFakeMinerU({ mode: 'precise' });
  before(() => ({ fake, api: a } = suite));

  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.engine.clearFinished();
    fake.reset();
  });

  const posts = (route: RegExp): RecordedRequest[] =>
    fake.requests.filter((r) => r.method === 'POST' && route.test(r.path));

  async function parsed(url: string): Promise<TaskRecord> {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseUrl', url);
    assert.equal(tasks?.length, 1, `one task for ${url}`);
    const [t] = await waitFor(`${url} to finish`, () => finished(a, [tasks[0]!.id]));
    return t!;
  }

  it('[cmd:mineru.parseUrlWithOptions] every answer of the options flow reaches the wire', async () => {
    const url = 'https://example.com/cmd/with-options-pages-5.pdf';
    const tasks = await answerInputBoxes(
      () => '2-3',
      (boxes) =>
        answerQuickPicks(
          (items, options) => {
            const step = /\((\d)\/6\)/.exec(options?.placeHolder ?? '')?.[1];
            switch (step) {
              case '1':
                return pickByValue(items, 'precise')[0];
              case '2':
                return pickByValue(items, 'pipeline')[0];
              case '3':
                assert.equal(options?.canPickMany, true, 'features are a multi-select');
                return pickByValue(items, 'ocr', 'table');
              case '4':
                return pickByValue(items, 'en')[0];
              case '6':
                return pickByValue(items, 'html');
              default:
                assert.fail(`unexpected quick pick ${options?.placeHolder}`);
            }
          },
          async (picks) => {
            const result = await vscode.commands.executeCommand<TaskRecord[]>(
              'mineru.parseUrlWithOptions',
              url,
            );
            assert.equal(picks.length, 5, 'mode, model, features, language, extra formats');
            assert.equal(boxes.length, 1, 'one input box: the page ranges');
            assert.match(String(boxes[0]!.options?.prompt), /5\/6/);
            return result;
          },
        ),
    );
    assert.equal(tasks?.length, 1);
    const submits = posts(/\/extract\/task$/);
    assert.equal(submits.length, 1);
    const body = submits[0]!.body as Record<string, unknown>;
    assert.deepEqual(
      {
        url: body.url,
        model_version: body.model_version,
        is_ocr: body.is_ocr,
        enable_formula: body.enable_formula,
        enable_table: body.enable_table,
        language: body.language,
        page_ranges: body.page_ranges,
        extra_formats: body.extra_formats,
      },
      {
        url,
        model_version: 'pipeline',
        is_ocr: true,
        enable_formula: false,
        enable_table: true,
        language: 'en',
        page_ranges: '2-3',
        extra_formats: ['html'],
      },
    );
    const [done] = await waitFor('done', () => finished(a, [tasks[0]!.id]));
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
  });

  it('[cmd:mineru.parseUrlWithOptions] Escape at any step submits nothing', async () => {
    const result = await answerQuickPicks(
      (items, options) =>
        /\(1\/6\)/.test(options?.placeHolder ?? '') ? pickByValue(items, 'precise')[0] : undefined,
      async () =>
        await vscode.commands.executeCommand<TaskRecord[] | undefined>(
          'mineru.parseUrlWithOptions',
          'https://example.com/cmd/escaped.pdf',
        ),
    );
    assert.equal(result, undefined);
    assert.equal(fake.requests.length, 0);
  });

  it('[cmd:mineru.showLog] shows the MinerU output channel', async () => {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const isLog = (e: vscode.TextEditor): boolean =>
      e.document.uri.scheme === 'output' && /MinerU$/.test(e.document.uri.path);
    await waitFor('the panel to close', () => !vscode.window.visibleTextEditors.some(isLog), 5000);
    await vscode.commands.executeCommand('mineru.showLog');
    const editor = await waitFor('the MinerU log in the Output panel', () =>
      vscode.window.visibleTextEditors.find(isLog),
    );
    assert.match(editor.document.uri.path, /mineru-community\.mineru-document-parser/);
  });

  it('[cmd:mineru.clearFinished] removes done and failed rows, keeps the active one', async () => {
    const done = await parsed('https://example.com/cmd/clear-done.pdf');
    const failed = await parsed('https://example.com/cmd/clear-fail.pdf');
    assert.equal(done.state, 'done');
    assert.equal(failed.state, 'failed');
    // The submission of the third hangs: it stays active for as long as the test needs.
    fake.faults.hangNext = { route: 'extract/task$', count: 1 };
    const running = vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/cmd/clear-active.pdf',
    );
    const active = await waitFor('the active task', () =>
      a.store.all().find((t) => t.name === 'clear-active' && t.state === 'submitting'),
    );
    await vscode.commands.executeCommand('mineru.clearFinished');
    assert.equal(a.store.get(done.id), undefined, 'the done row is gone');
    assert.equal(a.store.get(failed.id), undefined, 'the failed row is gone');
    assert.ok(a.store.get(active.id), 'the active row is kept');
    assert.ok(a.tree.nodeFor(active.id), 'and still in the tree');
    assert.equal(a.tree.nodeFor(done.id), undefined);
    await a.engine.remove([active.id]);
    await running;
  });

  it('[cmd:mineru.revealResult] selects the result .md in the Explorer', async () => {
    const t = await parsed('https://example.com/cmd/reveal-me.pdf');
    assert.equal(t.state, 'done');
    // An open editor of another file: without the reveal, copyFilePath would name that one.
    const other = path.join(workspaceRoot(), 'README.md');
    await vscode.window.showTextDocument(vscode.Uri.file(other));
    assert.equal(await explorerSelectionPath(), other, 'the probe reads the active editor before');
    await vscode.commands.executeCommand('mineru.revealResult', a.tree.nodeFor(t.id));
    assert.equal(await explorerSelectionPath(), t.result!.markdownPath);
  });

  it('[cmd:mineru.copyTaskId] puts the service task id (or batch id) on the clipboard', async () => {
    const t = await parsed('https://example.com/cmd/copy-id.pdf');
    const id = t.remote?.taskId;
    assert.ok(id && fake.tasks().some((f) => f.id === id), 'a task id the service handed out');
    await vscode.env.clipboard.writeText('before');
    await vscode.commands.executeCommand('mineru.copyTaskId', a.tree.nodeFor(t.id));
    assert.equal(await vscode.env.clipboard.readText(), id);

    const content = '- https://example.com/cmd/copy-a.pdf\n- https://example.com/cmd/copy-b.pdf\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    const batch = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
    const batchId = a.store.get(batch[0]!.id)?.remote?.batchId;
    assert.ok(batchId, 'a batch id');
    await vscode.commands.executeCommand('mineru.copyTaskId', batch[0]!.id);
    assert.equal(await vscode.env.clipboard.readText(), batchId);
    await waitFor('the batch', () =>
      finished(
        a,
        batch.map((b) => b.id),
      ),
    );
  });

  it('[cmd:mineru.openSource] opens a URL task in the browser, and reveals a file task in the Explorer', async () => {
    const url = 'https://example.com/cmd/source.pdf?x=1';
    const t = await parsed(url);
    const opened = await interceptOpenExternal(async (opened) => {
      await vscode.commands.executeCommand('mineru.openSource', a.tree.nodeFor(t.id));
      return opened;
    });
    assert.deepEqual(
      opened.map((u) => u.toString(true)),
      [url],
    );

    const file = path.join(workspaceRoot(), 'cmd-src', 'source-file.pdf');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, makePdf({ pages: 1 }));
    const uri = vscode.Uri.file(file);
    const [ft] = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]);
    await waitFor('the file task', () => finished(a, [ft!.id]));
    const other = path.join(workspaceRoot(), 'README.md');
    await vscode.window.showTextDocument(vscode.Uri.file(other));
    const none = await interceptOpenExternal(async (opened) => {
      await vscode.commands.executeCommand('mineru.openSource', ft!.id);
      return opened;
    });
    assert.deepEqual(none, [], 'a file is not opened externally');
    assert.equal(await explorerSelectionPath(), file);
  });

  it('[cmd:mineru.parseFolder] asks once (modal), sends the folder’s documents as one batch, leaves the output folder out', async () => {
    const root = path.join(workspaceRoot(), 'scan');
    const write = async (rel: string, content: Buffer | string): Promise<void> => {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), content);
    };
    await write('a.pdf', makePdf({ pages: 1 }));
    await write('sub/b.docx', Buffer.from('PK\u0003\u0004 docx'));
    await write('notes.txt', 'not a document');
    // A document inside the output folder (a previous result) must not be parsed again.
    await write('out/old/old.pdf', makePdf({ pages: 1 }));
    await configure('outputDirectory', 'scan/out');
    try {
      // Cancel first: nothing is sent.
      const cancelled = await answerMessages(
        () => undefined,
        async () =>
          await vscode.commands.executeCommand<TaskRecord[] | undefined>(
            'mineru.parseFolder',
            vscode.Uri.file(root),
          ),
      );
      assert.equal(cancelled, undefined);
      assert.equal(fake.requests.length, 0, 'nothing sent when the dialog is cancelled');

      const { tasks, shown } = await answerMessages(
        (m) => (m.modal ? m.items[0] : undefined),
        async (shown) => ({
          tasks: await vscode.commands.executeCommand<TaskRecord[]>(
            'mineru.parseFolder',
            vscode.Uri.file(root),
          ),
          shown,
        }),
      );
      const modals = shown.filter((m) => m.modal);
      assert.equal(modals.length, 1, 'one confirmation');
      assert.match(modals[0]!.message, /2/, 'it names the count');
      assert.deepEqual(modals[0]!.detail?.split('\n').sort(), ['a.pdf', path.join('sub', 'b.docx')].sort());
      assert.equal(tasks?.length, 2);
      const batches = posts(/\/file-urls\/batch$/);
      assert.equal(batches.length, 1, 'one upload batch');
      assert.deepEqual((batches[0]!.body as { files: { name: string }[] }).files.map((f) => f.name).sort(), [
        'a.pdf',
        'b.docx',
      ]);
      const done = await waitFor('the folder', () =>
        finished(
          a,
          tasks.map((t) => t.id),
        ),
      );
      assert.ok(
        done.every((t) => t.state === 'done'),
        JSON.stringify(done.map((t) => t.error)),
      );
      assert.ok(
        done.every((t) => path.dirname(path.dirname(t.result!.markdownPath)) === path.join(root, 'out')),
      );
    } finally {
      await configure('outputDirectory', undefined);
    }
  });

  it('[cmd:mineru.retryWithPageRanges] asks for page ranges and submits again with page_ranges', async () => {
    const url = 'https://example.com/cmd/ranges-pages-9.pdf';
    const t = await parsed(url);
    assert.equal(t.state, 'done');
    // Escape: nothing is sent.
    await answerInputBoxes(
      () => undefined,
      async () => await vscode.commands.executeCommand('mineru.retryWithPageRanges', a.tree.nodeFor(t.id)),
    );
    assert.equal(posts(/\/extract\/task$/).length, 1, 'only the first submission');

    const boxes = await answerInputBoxes(
      () => '2-4',
      async (boxes) => {
        await vscode.commands.executeCommand('mineru.retryWithPageRanges', a.tree.nodeFor(t.id));
        return boxes;
      },
    );
    assert.equal(boxes.length, 1);
    assert.equal(boxes[0]!.options?.value, '1-200', 'a first part is proposed');
    const refusal = await boxes[0]!.options?.validateInput?.('pages please');
    assert.ok(refusal, 'a malformed range is refused in the box');
    const submits = posts(/\/extract\/task$/);
    assert.equal(submits.length, 2, 'submitted again');
    assert.deepEqual(
      [(submits[1]!.body as { url: string }).url, (submits[1]!.body as { page_ranges?: string }).page_ranges],
      [url, '2-4'],
    );
    const [again] = await waitFor('the re-run', () => finished(a, [t.id]));
    assert.equal(again!.state, 'done', JSON.stringify(again!.error));
    assert.equal(again!.options.pageRanges, '2-4');
  });
});
