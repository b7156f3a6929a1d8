// Local files as a person parses them: right-click a PDF in the Explorer, choose "Parse File with
// MinerU", and the Markdown lands in the workspace while the Tasks view shows the row done. The
// upload goes to the fake's upload host with neither Content-Type nor Authorization.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FakeMinerU } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  openViewContainer,
  runCommand,
  waitForNotification,
  waitForTreeRow,
  waitForFile,
  setTokenFromPalette,
} from './workbench';

describe('Explorer: parse a local file (UI)', function () {
  this.timeout(120_000);
  let fake: FakeMinerU;

  before(() => {
    fake = useFakeMinerU();
  });

  it('[menu:explorer/context:mineru.parseFile] right-click a PDF → "Parse File with MinerU" → uploaded, parsed, row done', async () => {
    const { page, workspaceDir } = ui();
    await setTokenFromPalette(page, fake.token);
    try {
      await fs.writeFile(path.join(workspaceDir, 'explorer-report.pdf'), makePdf({ pages: 3 }));
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+E');
      const row = page
        .locator('.explorer-folders-view .monaco-list-row')
        .filter({ hasText: 'explorer-report.pdf' });
      const deadline = Date.now() + 30_000;
      while (!(await row.first().isVisible())) {
        if (Date.now() > deadline) throw new Error('explorer-report.pdf did not appear in the Explorer');
        await runCommand(page, 'File: Refresh Explorer').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
      }
      await row.first().click({ button: 'right' });
      const item = page
        .locator('.monaco-menu .action-item')
        .filter({ hasText: 'Parse File with MinerU' })
        .first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      // The web workbench's context menu acts on the focused item: hover focuses it, Enter runs it
      // (a synthetic click alone sometimes only highlights it).
      await item.hover();
      await page.keyboard.press('Enter');

      const md = await waitForFile(
        path.join(workspaceDir, 'mineru', 'explorer-report', 'explorer-report.md'),
      ).catch(async (error: unknown) => {
        // Say why: the notifications hold the task's error, if it failed.
        const toasts = await page
          .locator('.notifications-toasts .notification-list-item-message')
          .allTextContents();
        throw new Error(`${String(error)}; notifications: ${toasts.join(' | ') || '(none)'}`);
      });
      assert.match(md, /\S/);
      await openViewContainer(page, 'MinerU');
      await waitForTreeRow(page, 'Tasks', /explorer-report.*done/);
      const puts = fake.requests.filter((r) => r.method === 'PUT');
      assert.equal(puts.length, 1, 'one upload');
      assert.equal(puts[0]!.headers['content-type'], undefined);
      assert.equal(puts[0]!.headers.authorization, undefined);
      const names = fake.requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/file-urls/batch'))
        .flatMap((r) => (r.body as { files: { name: string }[] }).files.map((f) => f.name));
      assert.deepEqual(names, ['explorer-report.pdf']);
    } finally {
      // Later UI tests start without a token (auto mode → quick).
      await runCommand(page, 'MinerU: Clear API Token');
      await waitForNotification(page, /API token removed/);
    }
  });
});
