// Source beside Markdown as a person uses it: opened from a result's row, the origin PDF's first
// page painted in the webview, a click on a heading's box selects that heading in the Markdown, and
// the cursor on the table's line highlights the table's box; then from the editor title of the .md.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  answerInputBox,
  clickViewTitleAction,
  closeAllEditors,
  editorTab,
  openViewContainer,
  runCommand,
  runContextMenuItem,
  setTokenFromPalette,
  until,
  waitForFile,
  waitForTaskRow,
} from './workbench';

const NAME = 'ui-viewer-pages-3';

/** The viewer's page: the panel's webview iframe, then the frame VS Code renders it in. */
function viewerFrame(): FrameLocator {
  return ui()
    .page.frameLocator('iframe.webview[src*="mineru.sourceViewer"], iframe.webview')
    .last()
    .frameLocator('iframe#active-frame');
}

/** Pixels of the canvas of page `n` that are not white (the page is drawn). */
async function inkOf(frame: FrameLocator, n: number): Promise<number> {
  const canvas = frame.locator(`canvas[data-page="${n}"]`);
  await canvas.waitFor({ state: 'attached', timeout: 30_000 });
  return canvas.evaluate((el) => {
    const c = el as unknown as {
      width: number;
      height: number;
      getContext(k: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4)
      if ((data[i + 3] as number) > 0 && ((data[i] as number) < 200 || (data[i + 1] as number) < 200)) ink++;
    return ink;
  });
}

/** The line of the Markdown editor's cursor, as its status bar item shows it ("Ln 7, Col 13"). */
async function cursorLine(): Promise<number> {
  const item = ui().page.locator(
    '.statusbar-item[id*="selection"] .statusbar-item-label, .statusbar-item.editor-status-selection',
  );
  // Absent while the webview has the focus: read as "no line yet", so that `until` asks again.
  const text =
    (await item
      .first()
      .textContent({ timeout: 1_000 })
      .catch(() => null)) ?? '';
  const m = /Ln (\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

describe('Source beside Markdown (UI)', function () {
  this.timeout(150_000);
  let markdown = '';

  before(async () => {
    const fake = useFakeMinerU();
    const { page, workspaceDir } = ui();
    await setTokenFromPalette(page, fake.token);
    await openViewContainer(page, 'MinerU');
    await clickViewTitleAction(page, 'Parse Document from URL');
    await answerInputBox(page, `https://example.com/papers/${NAME}.pdf`);
    markdown = await waitForFile(path.join(workspaceDir, 'mineru', NAME, `${NAME}.md`));
    await waitForTaskRow(page, 'Tasks', NAME, 'done');
  });

  after(async () => {
    const { page } = ui();
    await closeAllEditors(page).catch(() => undefined);
    await runCommand(page, 'MinerU: Clear API Token', 5_000).catch(() => undefined);
  });

  it('[menu:view/item/context:mineru.openSourceBeside] [cmd:mineru.openSourceBeside] opened from the row, page 1 is painted; a click on "Section 2" selects its heading; the cursor on the table highlights its box', async () => {
    const { page } = ui();
    await closeAllEditors(page);
    const row = await waitForTaskRow(page, 'Tasks', NAME, 'done');
    const started = Date.now();
    await runContextMenuItem(page, row, 'Open Source Beside Markdown');
    await editorTab(page, `Source: ${NAME}.md`).waitFor({ state: 'visible', timeout: 20_000 });
    await editorTab(page, `${NAME}.md`).waitFor({ state: 'visible', timeout: 20_000 });
    const frame = viewerFrame();
    const ink = await until(
      'page 1 to be painted',
      async () => {
        const n = await inkOf(frame, 1).catch(() => 0);
        return n > 200 && n;
      },
      30_000,
    );
    console.log(
      `      first page painted ${Date.now() - started} ms after the menu click (${ink} inked pixels)`,
    );
    assert.ok(ink > 200, 'the canvas of page 1 has text on it');

    // Source → Markdown: the heading box of "Section 2" (page 2) selects `## Section 2`.
    const lines = markdown.split('\n');
    const headingLine = lines.indexOf('## Section 2') + 1;
    assert.ok(headingLine > 0, 'the fixture has the heading');
    const box = frame.locator('.box.kind-heading[title$=": Section 2"]');
    await box.waitFor({ state: 'attached', timeout: 20_000 });
    await box.scrollIntoViewIfNeeded();
    await box.click();
    await until('the cursor on the heading line', async () => (await cursorLine()) === headingLine, 15_000);

    // Markdown → source: the cursor on the table's line highlights the table's box. The line may be
    // below the editor's fold (an earlier suite can leave the panel open, and Monaco renders only
    // the lines in view), so focus the Markdown on the heading just revealed, then Go to Line.
    const tableLineNumber = lines.findIndex((l) => l.includes('<table>')) + 1;
    assert.ok(tableLineNumber > 0, 'the fixture has a table');
    await page.locator('.monaco-editor .view-line').filter({ hasText: '## Section 2' }).first().click();
    await runCommand(page, 'Go to Line/Column...');
    await page.keyboard.type(String(tableLineNumber));
    await page.keyboard.press('Enter');
    await until('the cursor on the table line', async () => (await cursorLine()) === tableLineNumber, 15_000);
    const highlighted = frame.locator('.box.kind-table.highlight');
    await highlighted.waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await frame.locator('.box.highlight').count(), 1, 'only the table is highlighted');
    // For the README's screenshot: no notifications over the panel, the table in view.
    await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
    await highlighted.scrollIntoViewIfNeeded();
    const shot = await ui().screenshot('readme-source-beside.png');
    if (shot && process.env.MINERU_README_SCREENSHOTS)
      await fs.copyFile(shot, path.join(__dirname, '..', '..', '..', 'docs', 'images', 'source-beside.png'));
  });

  it("[menu:view/item/context:mineru.openSourceBeside#inline] [menu:editor/title:mineru.openSourceBeside] the row's inline button and the result's editor title open the viewer", async () => {
    const { page } = ui();
    await closeAllEditors(page);
    const row = await waitForTaskRow(page, 'Tasks', NAME, 'done');
    await row.hover();
    await row.locator('.actions .action-label[aria-label^="Open Source Beside Markdown"]').first().click();
    await editorTab(page, `Source: ${NAME}.md`).waitFor({ state: 'visible', timeout: 20_000 });
    await closeAllEditors(page);

    // The .md alone: its title bar has the button.
    await runCommand(page, 'Go to File...').catch(() => undefined);
    await page.keyboard.type(`${NAME}.md`);
    await page.keyboard.press('Enter');
    await editorTab(page, `${NAME}.md`).waitFor({ state: 'visible', timeout: 20_000 });
    const action = page
      .locator('.editor-actions .action-label[aria-label^="Open Source Beside Markdown"]')
      .first();
    await action.waitFor({ state: 'visible', timeout: 15_000 });
    await action.click();
    await editorTab(page, `Source: ${NAME}.md`).waitFor({ state: 'visible', timeout: 20_000 });
    const ink = await until(
      'page 1 to be painted',
      async () => {
        const n = await inkOf(viewerFrame(), 1).catch(() => 0);
        return n > 200 && n;
      },
      30_000,
    );
    assert.ok(ink > 200);
  });

  it('pages by button, keyboard and the page box, and zooms in and back to fit width', async () => {
    const { page } = ui();
    await closeAllEditors(page);
    const row = await waitForTaskRow(page, 'Tasks', NAME, 'done');
    await runContextMenuItem(page, row, 'Open Source Beside Markdown');
    const frame = viewerFrame();
    const number = frame.locator('#page-number');
    await frame.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });
    await frame.locator('#next-page').click();
    await until('page 2', async () => (await number.inputValue()) === '2', 10_000);
    await frame.locator('#pages').focus();
    await page.keyboard.press('PageDown');
    await until('page 3', async () => (await number.inputValue()) === '3', 10_000);
    await page.keyboard.press('Home');
    await until('page 1', async () => (await number.inputValue()) === '1', 10_000);
    await number.fill('3');
    await number.press('Enter');
    await until('page 3 again', async () => (await number.inputValue()) === '3', 10_000);
    const zoom = frame.locator('#zoom-label');
    const fit = await zoom.textContent();
    await frame.locator('#zoom-in').click();
    await until('zoomed in', async () => (await zoom.textContent()) !== fit, 10_000);
    assert.ok(parseInt((await zoom.textContent()) ?? '0', 10) > parseInt(fit ?? '0', 10));
    await frame.locator('#pages').focus();
    await page.keyboard.press('0');
    await until('fit width again', async () => (await zoom.textContent()) === fit, 10_000);
    await until('still on page 3', async () => (await number.inputValue()) === '3', 10_000);
  });

  it('after a window reload the viewer reopens on the page it showed', async () => {
    const { page } = ui();
    const frame = viewerFrame();
    const number = frame.locator('#page-number');
    await until('page 3', async () => (await number.inputValue()) === '3', 10_000);
    // The state is saved a moment after the last scroll.
    await page.waitForTimeout(1_000);

    // Developer: Reload Window, as a person reloads: the workbench saves its state (with the
    // webview's) before it goes.
    await Promise.all([
      page.waitForEvent('load', { timeout: 60_000 }),
      runCommand(page, 'Developer: Reload Window'),
    ]);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await editorTab(page, `Source: ${NAME}.md`).waitFor({ state: 'visible', timeout: 60_000 });
    const after = viewerFrame();
    await after.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: 60_000 });
    assert.equal(await after.locator('#page-number').inputValue(), '3', 'reopened on page 3');
    const ink = await until(
      'page 3 to be painted',
      async () => {
        const n = await inkOf(after, 3).catch(() => 0);
        return n > 200 && n;
      },
      30_000,
    );
    assert.ok(ink > 200);
  });
});
