// The editor and Explorer menus as a person uses them: the editor's context menu on a selection of
// links and on an open document, the "More Actions..." menu of the editor title, the tab's context
// menu, and "Parse All Documents in Folder" on a folder of the Explorer. Each entry must reach the
// fake service and leave its Markdown in the workspace.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FakeMinerU } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  chooseMenuItem,
  closeAllEditors,
  editorTab,
  explorerRow,
  openViewContainer,
  runCommand,
  runContextMenuItem,
  setTokenFromPalette,
  until,
  waitForFile,
  waitForNotification,
  waitForTreeRow,
} from './workbench';

/** Names of the documents sent in file-upload batches since the suite started. */
function uploadedNames(fake: FakeMinerU): string[] {
  return fake.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/file-urls/batch'))
    .flatMap((r) => (r.body as { files: { name: string }[] }).files.map((f) => f.name));
}

/** Opens `name` (at the workspace root) from the Explorer in a pinned editor and returns its tab. */
async function openFromExplorer(name: string) {
  const { page } = ui();
  const row = await explorerRow(page, name);
  await row.dblclick();
  const tab = editorTab(page, name);
  await tab.waitFor({ state: 'visible', timeout: 15_000 });
  return tab;
}

describe('Editor and Explorer menus (UI)', function () {
  this.timeout(120_000);
  let fake: FakeMinerU;

  before(async () => {
    fake = useFakeMinerU();
    const { page, workspaceDir } = ui();
    await fs.writeFile(
      path.join(workspaceDir, 'menu-links.md'),
      '# Reading list\n\n- [Alpha](https://example.com/menus/menu-alpha.pdf)\n' +
        '- https://example.com/menus/menu-beta.pdf\n',
    );
    await fs.writeFile(
      path.join(workspaceDir, 'menu-page.html'),
      '<!doctype html>\n<html><body><h1>Menu page</h1><p>Parsed from the editor.</p></body></html>\n',
    );
    await fs.writeFile(path.join(workspaceDir, 'menu-title.pdf'), makePdf({ pages: 2 }));
    await fs.writeFile(path.join(workspaceDir, 'menu-tab.pdf'), makePdf({ pages: 2 }));
    await fs.mkdir(path.join(workspaceDir, 'menu-folder', 'sub'), { recursive: true });
    await fs.writeFile(path.join(workspaceDir, 'menu-folder', 'folder-one.pdf'), makePdf({ pages: 1 }));
    await fs.writeFile(
      path.join(workspaceDir, 'menu-folder', 'sub', 'folder-two.pdf'),
      makePdf({ pages: 2 }),
    );
    await fs.writeFile(path.join(workspaceDir, 'menu-folder', 'notes.txt'), 'not a document\n');
    // Precise mode throughout: an auto-mode parse without a token would use up the one-time
    // Quick-mode notice that the palette suite waits for.
    await setTokenFromPalette(page, fake.token);
  });

  after(async () => {
    const { page } = ui();
    await closeAllEditors(page).catch(() => undefined);
    // Later suites start without a token.
    await runCommand(page, 'MinerU: Clear API Token');
    await waitForNotification(page, /API token removed/);
  });

  it('[menu:editor/context:mineru.parseLinks] [cmd:mineru.parseLinks] selected links → editor context menu → one batch, both results', async () => {
    const { page, workspaceDir } = ui();
    await openFromExplorer('menu-links.md');
    const text = page.locator('.editor-instance .monaco-editor .view-lines').first();
    await text.click();
    await page.keyboard.press('Control+A');
    await runContextMenuItem(page, text, 'Parse Linked Documents');

    const batch = await until('the batch request', () =>
      fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task/batch')),
    );
    const urls = (batch.body as { files: { url: string }[] }).files.map((f) => f.url);
    assert.deepEqual(urls, [
      'https://example.com/menus/menu-alpha.pdf',
      'https://example.com/menus/menu-beta.pdf',
    ]);
    for (const name of ['menu-alpha', 'menu-beta'])
      assert.match(await waitForFile(path.join(workspaceDir, 'mineru', name, `${name}.md`)), /\S/);
    await openViewContainer(page, 'MinerU');
    await waitForTreeRow(page, 'Tasks', /Batch of 2 documents.*2\/2 done/);
  });

  it('[menu:editor/context:mineru.parseFile] [cmd:mineru.parseFile] an open document → editor context menu → uploaded and parsed', async () => {
    const { page, workspaceDir } = ui();
    await closeAllEditors(page);
    await openFromExplorer('menu-page.html');
    const text = page.locator('.editor-instance .monaco-editor .view-lines').first();
    await text.click();
    await runContextMenuItem(page, text, 'Parse File with MinerU');

    const md = await waitForFile(path.join(workspaceDir, 'mineru', 'menu-page', 'menu-page.md'));
    assert.match(md, /\S/);
    assert.deepEqual(uploadedNames(fake), ['menu-page.html']);
    await openViewContainer(page, 'MinerU');
    await waitForTreeRow(page, 'Tasks', /menu-page.*done/);
  });

  it('[menu:editor/title:mineru.parseFile] a PDF in an editor → "More Actions..." of the editor title → parsed', async () => {
    const { page, workspaceDir } = ui();
    await closeAllEditors(page);
    await openFromExplorer('menu-title.pdf');
    const before = uploadedNames(fake).length;
    // Not in the "navigation" group, so the entry sits in the editor title's overflow menu.
    const more = page
      .locator('.editor-group-container.active .editor-actions .action-label[aria-label^="More Actions"]')
      .first();
    await more.waitFor({ state: 'visible', timeout: 10_000 });
    await more.click();
    await chooseMenuItem(page, 'Parse File with MinerU');

    const md = await waitForFile(path.join(workspaceDir, 'mineru', 'menu-title', 'menu-title.md'));
    assert.match(md, /\S/);
    assert.deepEqual(uploadedNames(fake).slice(before), ['menu-title.pdf']);
  });

  it('[menu:editor/title/context:mineru.parseFile] right-click the tab of a PDF → parsed', async () => {
    const { page, workspaceDir } = ui();
    await closeAllEditors(page);
    const tab = await openFromExplorer('menu-tab.pdf');
    const before = uploadedNames(fake).length;
    await runContextMenuItem(page, tab, 'Parse File with MinerU');

    const md = await waitForFile(path.join(workspaceDir, 'mineru', 'menu-tab', 'menu-tab.md'));
    assert.match(md, /\S/);
    assert.deepEqual(uploadedNames(fake).slice(before), ['menu-tab.pdf']);
    await openViewContainer(page, 'MinerU');
    await waitForTreeRow(page, 'Tasks', /menu-tab.*done/);
  });

  it('[menu:explorer/context:mineru.parseFolder] [cmd:mineru.parseFolder] right-click a folder → confirm the count → every document in it parsed', async () => {
    const { page, workspaceDir } = ui();
    const before = uploadedNames(fake).length;
    const row = await explorerRow(page, 'menu-folder');
    await runContextMenuItem(page, row, 'Parse All Documents in Folder');

    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await dialog.textContent()) ?? '', /Parse 2 documents in "menu-folder"\?/);
    await dialog.locator('.monaco-button').filter({ hasText: 'Parse 2 Documents' }).click();

    for (const name of ['folder-one', 'folder-two'])
      assert.match(await waitForFile(path.join(workspaceDir, 'mineru', name, `${name}.md`)), /\S/);
    assert.deepEqual(uploadedNames(fake).slice(before).sort(), ['folder-one.pdf', 'folder-two.pdf']);
    await openViewContainer(page, 'MinerU');
    await waitForTreeRow(page, 'Tasks', /folder-one.*done/);
    await waitForTreeRow(page, 'Tasks', /folder-two.*done/);
  });
});
