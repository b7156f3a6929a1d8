// The product's flows inside a real VS Code extension host, against the fake MinerU service:
// palette with and without a token, link under the cursor, a selection as one batch, the tree's
// states and actions, resume after re-activation, a bad token, and results whose images resolve.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/tasks/task';
import { checkImageLinks } from '../../src/core/results/markdownLinks';
import type { FakeMinerU } from '../fake-mineru/server';
import { answerInputBoxes, configure, finished, useFakeMinerU, waitFor, workspaceRoot } from './helpers';

describe('MinerU flows in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;

  const suite = useFakeMinerU();
  before(() => ({ fake, api: a } = suite));

  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.engine.clearFinished();
    fake.reset();
  });

  it('palette: the input box is prefilled (link under the cursor; clipboard on desktop), Enter parses [cmd:mineru.parseUrl]', async () => {
    const url = 'https://example.com/papers/palette-paper.pdf';
    if (vscode.env.uiKind === vscode.UIKind.Desktop) {
      await vscode.env.clipboard.writeText(url);
    } else {
      // A browser-hosted VS Code never reads the clipboard for this (it would prompt); use the cursor.
      const doc = await vscode.workspace.openTextDocument({
        language: 'markdown',
        content: `Read ${url} today`,
      });
      const editor = await vscode.window.showTextDocument(doc);
      const at = doc.positionAt(doc.getText().indexOf('palette-paper'));
      editor.selection = new vscode.Selection(at, at);
    }
    const running = vscode.commands.executeCommand<TaskRecord[] | undefined>('mineru.parseUrl');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const tasks = await running;
    assert.ok(tasks && tasks.length === 1, 'one task was created');
    const [done] = await waitFor('the task to finish', () => finished(a, [tasks[0]!.id]));
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    const md = path.join(workspaceRoot(), 'mineru', 'palette-paper', 'palette-paper.md');
    assert.equal(done!.result?.markdownPath, md);
    const text = await fs.readFile(md, 'utf8');
    assert.deepEqual(await checkImageLinks(text, path.dirname(md)), [], 'every image link resolves');
    const submit = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task'));
    assert.ok(submit, 'submitted through POST /extract/task');
    assert.equal((submit.body as { url: string }).url, url);
    assert.equal(submit.headers.authorization, `Bearer ${fake.token}`);
  });

  it('palette in precise mode without a token asks for one first; cancelling creates nothing [setting:mineru.mode] [cmd:mineru.clearToken]', async () => {
    await vscode.commands.executeCommand('mineru.clearToken');
    await configure('mode', 'precise');
    try {
      const before = a.store.size;
      // The user presses Escape at the token prompt.
      const { result, asked } = await answerInputBoxes(
        () => undefined,
        async (asked) => ({
          result: await vscode.commands.executeCommand<TaskRecord[] | undefined>(
            'mineru.parseUrl',
            'https://example.com/no-token.pdf',
          ),
          asked,
        }),
      );
      assert.equal(asked.length, 1, 'exactly one prompt: the token');
      assert.equal(asked[0]!.options?.password, true, 'the token is asked for in a password box');
      assert.match(String(asked[0]!.options?.title), /API Token/);
      assert.equal(result, undefined);
      assert.equal(a.store.size, before);
      assert.equal(fake.requests.length, 0, 'nothing was sent without a token');
    } finally {
      await configure('mode', undefined);
      await a.setToken(fake.token);
    }
  });

  it('auto mode without a token parses in quick mode through the agent API [setting:mineru.agentBaseUrl] [cmd:mineru.clearToken]', async () => {
    await vscode.commands.executeCommand('mineru.clearToken');
    try {
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
        'mineru.parseUrl',
        'https://example.com/quick-start.pdf',
      );
      assert.equal(tasks?.[0]?.mode, 'quick');
      const [t] = await waitFor('quick task', () => finished(a, [tasks[0]!.id]));
      assert.equal(t!.state, 'done', JSON.stringify(t!.error));
      assert.equal(path.basename(t!.result!.markdownPath), 'quick-start.md');
      assert.ok(fake.requests.some((r) => r.path.endsWith('/agent/parse/url')));
      assert.ok(
        fake.requests.every((r) => r.headers.authorization === undefined),
        'no token anywhere',
      );
      const item = a.tree.getTreeItem(a.tree.nodeFor(t!.id)!);
      assert.match(String(item.description), /quick/);
    } finally {
      await a.setToken(fake.token);
    }
  });

  it('quick mode uploads a local file with no token set', async () => {
    await vscode.commands.executeCommand('mineru.clearToken');
    try {
      const file = path.join(workspaceRoot(), 'quick-local.pdf');
      await fs.writeFile(file, Buffer.alloc(2048, 1));
      const tasks = await a.engine.submitFiles([{ path: file, size: 2048 }], {
        outputDir: path.join(workspaceRoot(), 'mineru'),
        options: {},
        mode: 'quick',
      });
      const [t] = await waitFor('quick file', () => finished(a, [tasks[0]!.id]));
      assert.equal(t!.state, 'done', JSON.stringify(t!.error));
      const put = fake.requests.find((r) => r.method === 'PUT');
      assert.ok(put && put.headers['content-type'] === undefined && put.headers.authorization === undefined);
    } finally {
      await a.setToken(fake.token);
    }
  });

  it('editor: the link under the cursor is parsed [cmd:mineru.parseLinks]', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: '# Reading list\n\nSee [the paper](https://example.com/cursor-paper.pdf) tonight.\n',
    });
    const editor = await vscode.window.showTextDocument(doc);
    const offset = doc.getText().indexOf('cursor-paper');
    editor.selection = new vscode.Selection(doc.positionAt(offset), doc.positionAt(offset));
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
    assert.equal(tasks?.length, 1);
    assert.equal((tasks[0]!.source as { url: string }).url, 'https://example.com/cursor-paper.pdf');
    const [t] = await waitFor('done', () => finished(a, [tasks[0]!.id]));
    assert.equal(t!.state, 'done');
  });

  it('editor: a selection of links is parsed as one batch request, grouped in the tree [cmd:mineru.parseLinks]', async () => {
    const content = [
      '- https://example.com/sel/a.pdf',
      '- [b](https://example.com/sel/b.docx)',
      '- <https://example.com/sel/c.pptx>',
      '- https://example.com/not-a-document',
    ].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
    assert.equal(tasks?.length, 3);
    const batches = fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/extract/task/batch'),
    );
    assert.equal(batches.length, 1, 'one batch request');
    const done = await waitFor('the batch', () =>
      finished(
        a,
        tasks.map((t) => t.id),
      ),
    );
    assert.ok(done.every((t) => t.state === 'done'));
    const roots = a.tree.getChildren();
    const batchNode = roots.find((n) => n.kind === 'batch');
    assert.ok(batchNode, 'the batch has its own node');
    assert.equal(a.tree.getChildren(batchNode).length, 3);
    const label = a.tree.getTreeItem(batchNode).description;
    assert.equal(label, '3/3 done');
  });

  it('tree: a failed document shows its state and error; Retry submits again; Remove forgets it [cmd:mineru.retryTask] [cmd:mineru.removeTask]', async () => {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/fail-doc.pdf',
    );
    const [failed] = await waitFor('failure', () => finished(a, [tasks[0]!.id]));
    assert.equal(failed!.state, 'failed');
    const node = a.tree.nodeFor(failed!.id)!;
    const item = a.tree.getTreeItem(node);
    assert.match(String(item.description), /^failed/);
    assert.match(item.contextValue ?? '', /\bcanRetry\b/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /parsing failed/);
    const submitsBefore = fake.requests.filter((r) => r.method === 'POST').length;
    await vscode.commands.executeCommand('mineru.retryTask', node);
    assert.equal(
      fake.requests.filter((r) => r.method === 'POST').length,
      submitsBefore + 1,
      'Retry submitted again',
    );
    await waitFor('failure again', () => finished(a, [failed!.id]));
    await vscode.commands.executeCommand('mineru.removeTask', node);
    assert.equal(a.store.get(failed!.id), undefined);
  });

  it('tree: a row asked for again is the same item until its record changes', async () => {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/fail-doc.pdf',
    );
    const [failed] = await waitFor('failure', () => finished(a, [tasks[0]!.id]));
    const node = a.tree.nodeFor(failed!.id)!;
    const first = a.tree.getTreeItem(node);
    assert.equal(a.tree.getTreeItem(node), first, 'an unchanged record reuses its item');
    a.store.update(failed!.id, { name: 'renamed-doc' });
    const second = a.tree.getTreeItem(node);
    assert.notEqual(second, first, 'a changed record gets a new item');
    assert.equal(second.label, 'renamed-doc');
    await vscode.commands.executeCommand('mineru.removeTask', node);
  });

  it('Open Result shows the Markdown preview of the imported document [cmd:mineru.openResult]', async () => {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/open-me.pdf',
    );
    const [done] = await waitFor('done', () => finished(a, [tasks[0]!.id]));
    assert.equal(done!.state, 'done');
    await vscode.commands.executeCommand('mineru.openResult', done!.id);
    const preview = await waitFor('a preview tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType)),
    );
    assert.match(preview.label, /open-me/);
  });

  it('[R-INT-1] resumes after re-activation: persisted tasks keep polling and finish', async () => {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/slow-resume-pages-150.pdf',
    );
    const state = a.store.get(tasks[0]!.id)?.state;
    assert.ok(state === 'pending' || state === 'running', `submitted and followed (${state})`);
    await a.store.flush();
    a = a.restart();
    const restored = a.store.get(tasks[0]!.id);
    assert.ok(restored?.remote?.taskId, 'the task and its remote id were restored from workspace state');
    const [done] = await waitFor('done after resume', () => finished(a, [tasks[0]!.id]));
    assert.equal(done!.state, 'done');
    const folders = await fs.readdir(path.join(workspaceRoot(), 'mineru'));
    assert.equal(folders.filter((f) => f.startsWith('slow-resume-pages-150')).length, 1, 'imported once');
  });

  it('[R-SEC-5] a rejected token fails with the code A0202, and the token stays out of state', async () => {
    await a.setToken('sk-not-a-valid-token-123');
    try {
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
        'mineru.parseUrl',
        'https://example.com/t.pdf',
      );
      const [t] = await waitFor('failure', () => finished(a, [tasks[0]!.id]));
      assert.equal(t!.state, 'failed');
      assert.equal(t!.error?.code, 'A0202');
      assert.equal(t!.error?.phase, 'submit');
      assert.ok(!JSON.stringify(a.store.all()).includes('sk-not-a-valid-token-123'));
    } finally {
      await a.setToken(fake.token);
    }
  });

  it('the status bar counts active work', async () => {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/status-pages-20.pdf',
    );
    const text = await waitFor('status text', () => a.statusBar.text);
    assert.match(text, /MinerU: 1 running/);
    await waitFor('done', () => finished(a, [tasks[0]!.id]));
    assert.equal(a.statusBar.text, undefined, 'hidden when nothing is active');
  });
});
