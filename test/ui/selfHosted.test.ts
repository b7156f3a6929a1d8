// The user's own MinerU server as a person sets it up and uses it: the service set to self-hosted
// in the user settings, Test Connection names the server, a PDF right-clicked in the Explorer goes
// to the server (the self-hosted fake, mineru-api 3.4.4), the row says "your server" and done, and
// a click opens the Markdown preview with its images loaded.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startFakeSelfHosted, type FakeSelfHosted } from '../fake-mineru/selfHosted/server';
import { makePdf } from '../unit/helpers/pdf';
import { ui } from './context';
import {
  closeAllEditors,
  editorTab,
  explorerRow,
  openViewContainer,
  runCommand,
  runContextMenuItem,
  waitForFile,
  waitForNotification,
  waitForTaskRow,
} from './workbench';

/** Runs Test Connection until its notification matches: a settings change reaches the extension. */
async function untilNotification(page: Page, text: RegExp): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await runCommand(page, 'MinerU: Test Connection');
    try {
      await waitForNotification(page, text, 8_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('Your own MinerU server (UI)', function () {
  this.timeout(180_000);
  let server: FakeSelfHosted;

  before(async () => {
    server = await startFakeSelfHosted({ stepMs: 60 });
    ui().onCleanup(() => server.close());
  });

  after(async () => {
    // Back to the cloud for the suites after this one: the line added below is removed the same way.
    const { page } = ui();
    await closeAllEditors(page).catch(() => undefined);
    await runCommand(page, 'Preferences: Open User Settings (JSON)');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Control+Shift+K');
    await page.keyboard.press('Control+S');
    await closeAllEditors(page);
    await untilNotification(page, /connection checks (passed|failed)/);
  });

  it('service set to self-hosted: a PDF from the Explorer is parsed by your server, and the .md opens in the preview with its images', async () => {
    const { page, workspaceDir } = ui();
    // As a person does: one line added at the top of the user settings.json, saved.
    await closeAllEditors(page);
    await runCommand(page, 'Preferences: Open User Settings (JSON)');
    await editorTab(page, 'settings.json').waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.insertText(
      `\n"mineru.service": "selfHosted", "mineru.selfHosted.url": "${server.baseUrl}",`,
    );
    await page.keyboard.press('Control+S');
    await closeAllEditors(page);
    // Test Connection says when the extension sees the server.
    await untilNotification(page, /your server at .* answers: MinerU 3\.4\.4/);

    await fs.writeFile(path.join(workspaceDir, 'ui-own-server.pdf'), makePdf({ pages: 2 }));
    const row = await explorerRow(page, 'ui-own-server.pdf');
    await runContextMenuItem(page, row, 'Parse File with MinerU');

    const folder = path.join(workspaceDir, 'mineru', 'ui-own-server');
    const md = await waitForFile(path.join(folder, 'ui-own-server.md'));
    const images = [...md.matchAll(/!\[[^\]]*\]\((images\/[^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length > 0, 'the Markdown links its images');
    for (const image of images) await fs.access(path.join(folder, image));
    const posts = server.requests.filter((q) => q.method === 'POST' && q.path === '/tasks');
    assert.deepEqual(
      posts.map((q) => q.files.map((f) => f.fileName)),
      [['ui-own-server.pdf']],
      'one upload to your server',
    );
    assert.ok(
      ui().fake.requests.every((q) => !/ui-own-server/.test(JSON.stringify(q.body ?? ''))),
      'nothing of it went to the cloud',
    );

    await closeAllEditors(page);
    await openViewContainer(page, 'MinerU');
    const task = await waitForTaskRow(page, 'Tasks', 'ui-own-server', 'done');
    assert.match((await task.getAttribute('aria-label')) ?? '', /your server/);
    await task.click();
    await editorTab(page, /Preview ui-own-server\.md/).waitFor({ state: 'visible', timeout: 20_000 });
    // The preview renders inside nested webview frames; its images must actually load.
    const content = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const image = content.locator('img').first();
    await image.waitFor({ state: 'visible', timeout: 30_000 });
    const width = await image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
    assert.ok(width > 0, 'the first image of the preview loaded');
    await closeAllEditors(page);
  });
});
