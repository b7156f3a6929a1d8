// Source beside Markdown in the real host: the command opens the viewer panel beside a result's
// Markdown, the cursor in the Markdown highlights the block under it, a second run reveals the same
// panel, and results without an origin PDF or a content list (Quick mode has neither) get a message
// that says so and what to do.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import { planSplit } from '../../src/core/split/splitPlan';
import { makeNumberedPdf } from '../unit/helpers/splitPdfs';
import {
  answerMessages,
  configure,
  EXTENSION_ID,
  finished,
  useFakeMinerU,
  waitFor,
  workspaceRoot,
} from './helpers';

function viewerTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) => t.input instanceof vscode.TabInputWebview && /mineru\.sourceViewer/.test(t.input.viewType),
    );
}

describe('Source beside Markdown in the real host', function () {
  this.timeout(60_000);
  let a: MinerUTestApi;
  const suite = useFakeMinerU({ mode: 'precise' });
  before(() => ({ api: a } = suite));
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('[cmd:mineru.openSourceBeside] opens a panel beside the Markdown of a result; the cursor on the table highlights its block; a second run reveals the same panel', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/viewer/host-viewer-pages-3.pdf',
    );
    const [done] = await waitFor('done', () => finished(a, [tasks[0]!.id]));
    assert.equal(done?.state, 'done');
    const markdown = done.result!.markdownPath;
    const opened = await vscode.commands.executeCommand<{ markdown: string } | undefined>(
      'mineru.openSourceBeside',
      done.id,
    );
    assert.equal(opened?.markdown, markdown);
    const [tab] = await waitFor('the viewer tab', () => viewerTabs().length === 1 && viewerTabs());
    assert.equal(tab?.label, `Source: ${path.basename(markdown)}`);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === markdown);
    assert.ok(editor, 'the Markdown is open too');
    assert.notEqual(editor.viewColumn, tab?.group.viewColumn, 'the viewer is beside the Markdown');

    // The page: a strict CSP with a nonce, no eval, and only the result folder and the bundle to read.
    const [info] = await a.viewers();
    const csp = info!.security.csp;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9]{16,}'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    // Other origins: only the webview's own resource origin (webview.cspSource).
    const origins = csp.match(/https?:\/\/\S+/g) ?? [];
    assert.ok(
      origins.every((o) => /^https:\/\/\*?\.?[\w.-]*vscode-(cdn|resource)[\w.-]*$/.test(o)),
      origins.join(' '),
    );
    assert.deepEqual(
      info!.security.roots.map((r) => path.relative(path.dirname(markdown), r)),
      [
        '',
        path.relative(
          path.dirname(markdown),
          path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'webview'),
        ),
      ],
    );

    // Markdown → source: the table's line (the last block of content_list) highlights that block.
    const lines = editor.document.getText().split('\n');
    const tableLine = lines.findIndex((l) => l.startsWith('<table>'));
    assert.ok(tableLine > 0);
    const list = (await fs.readdir(path.dirname(markdown))).find((n) => n.endsWith('_content_list.json'));
    const blocks = JSON.parse(await fs.readFile(path.join(path.dirname(markdown), list!), 'utf8')) as {
      type: string;
    }[];
    const tableIndex = blocks.findIndex((b) => b.type === 'table');
    editor.selection = new vscode.Selection(tableLine, 0, tableLine, 0);
    const end = Date.now() + 15_000;
    let highlighted: number[] = [];
    while (Date.now() < end) {
      highlighted = (await a.viewers())[0]?.highlighted ?? [];
      if (highlighted.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(highlighted, [tableIndex], 'the table block, and only it, is highlighted');

    // Again from the palette with the Markdown active: the same panel, not a second one.
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    await vscode.commands.executeCommand('mineru.openSourceBeside');
    assert.equal(viewerTabs().length, 1);
    assert.equal((await a.viewers()).length, 1);
  });
  it('says so when a result has no origin PDF, no content list, or neither (Quick mode), and opens nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const base = path.join(workspaceRoot(), 'viewer-cases');
    const cases = {
      quick: [],
      'no-pdf': ['doc_content_list.json'],
      'no-list': ['doc_origin.pdf'],
    } as const;
    for (const [name, files] of Object.entries(cases)) {
      const dir = path.join(base, name);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, `${name}.md`), `# ${name}\n\nText.\n`);
      for (const f of files) await fs.writeFile(path.join(dir, f), f.endsWith('.json') ? '[]' : '%PDF-1.4\n');
    }
    try {
      const shown = await answerMessages(
        () => undefined,
        async (shown) => {
          for (const name of Object.keys(cases))
            await vscode.commands.executeCommand(
              'mineru.openSourceBeside',
              vscode.Uri.file(path.join(base, name, `${name}.md`)),
            );
          return shown;
        },
      );
      assert.equal(shown.length, 3);
      assert.ok(shown.every((m) => m.kind === 'warning'));
      assert.match(shown[0]!.message, /no origin PDF and no content list.*Quick mode.*precise mode/);
      assert.match(
        shown[1]!.message,
        /no origin PDF \(\*_origin\.pdf\).*Parse the document again in precise mode/,
      );
      assert.match(shown[2]!.message, /no content list \(\*_content_list\.json\).*Parse the document again/);
      assert.equal(viewerTabs().length, 0, 'no panel opened');
    } finally {
      await fs.rm(base, { recursive: true, force: true });
    }
  });

  it('refuses a content list that is not one, naming the file and the cause', async () => {
    const dir = path.join(workspaceRoot(), 'viewer-bad');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'bad.md'), '# bad\n');
    await fs.writeFile(
      path.join(dir, 'x_content_list.json'),
      '[{"type":"text","page_idx":0,"bbox":[5,5,1,1]}]',
    );
    await fs.writeFile(path.join(dir, 'x_origin.pdf'), '%PDF-1.4\n');
    try {
      const shown = await answerMessages(
        () => undefined,
        async (shown) => {
          await vscode.commands.executeCommand(
            'mineru.openSourceBeside',
            vscode.Uri.file(path.join(dir, 'bad.md')),
          );
          return shown;
        },
      );
      assert.equal(shown.length, 1);
      assert.match(
        shown[0]!.message,
        /x_content_list\.json of "bad\.md" cannot be read: block 0 has an invalid bbox/,
      );
      assert.equal(viewerTabs().length, 0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a document parsed in parts: the merged result opens on the whole PDF, and a heading of a later part highlights its block on its page of the whole document', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const dir = path.join(workspaceRoot(), 'viewer-merged');
    const pdf = path.join(dir, 'book.pdf');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(pdf, makeNumberedPdf(13));
    await configure('maxPages', 5);
    await configure('splitLargeDocuments', 'always');
    let doc: TaskRecord | undefined;
    try {
      const tasks = await answerMessages(
        () => undefined,
        async () => vscode.commands.executeCommand<TaskRecord[]>('mineru.parseInParts', vscode.Uri.file(pdf)),
      );
      [doc] = await waitFor('the merged document', () => finished(a, [tasks[0]!.id]), 50_000);
      assert.equal(doc?.state, 'done', JSON.stringify(doc?.error));
      const planned = planSplit(13, (await fs.stat(pdf)).size, { maxPages: 5, maxBytes: 200 * 1_048_576 });
      assert.ok(planned.length >= 3, 'parts of at most 5 pages');
      assert.equal(doc.parts?.ids.length, planned.length, 'one task per planned part');
      const markdown = doc.result!.markdownPath;
      const folder = path.dirname(markdown);
      const origin = (await fs.readdir(folder)).find((n) => n.endsWith('_origin.pdf'));
      assert.ok(origin, 'the merged result has an origin PDF');
      assert.deepEqual(await fs.readFile(path.join(folder, origin)), await fs.readFile(pdf), 'the whole PDF');
      const list = (await fs.readdir(folder)).find((n) => n.endsWith('_content_list.json'));
      const blocks = JSON.parse(await fs.readFile(path.join(folder, list!), 'utf8')) as {
        text?: string;
        page_idx: number;
      }[];
      const heading = blocks.findIndex((b) => b.text === 'Page 12');
      assert.ok(heading >= 0, 'the heading of page 12 in the merged content list');
      assert.equal(blocks[heading]!.page_idx, 11, 'page_idx of the whole document (0-based)');

      await vscode.commands.executeCommand('mineru.openSourceBeside', doc.id);
      await waitFor('the viewer', () => viewerTabs().length === 1);
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === markdown);
      assert.ok(editor, 'the merged Markdown is open');
      const line = editor.document.getText().split('\n').indexOf('## Page 12');
      assert.ok(line > 0);
      editor.selection = new vscode.Selection(line, 0, line, 0);
      let highlighted: number[] = [];
      for (const end = Date.now() + 15_000; Date.now() < end && highlighted.length === 0;) {
        await new Promise((r) => setTimeout(r, 50));
        highlighted = (await a.viewers())[0]?.highlighted ?? [];
      }
      assert.deepEqual(highlighted, [heading], 'the heading of page 12, and only it');
      // (The host's browser does not paint webviews: the page scrolled to is for the UI suite.)
    } finally {
      await configure('maxPages', undefined);
      await configure('splitLargeDocuments', undefined);
      if (doc) await a.engine.remove([doc.id]);
      if (doc?.result) await fs.rm(path.dirname(doc.result.markdownPath), { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
