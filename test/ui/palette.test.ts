// The palette flow as a person runs it in the workbench, against the fake MinerU service:
// without a token (auto mode parses in Quick mode), then with a token typed into the password box
// (precise mode with images), waiting for the Markdown in the workspace and the tree row "done".
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FakeMinerU } from '../fake-mineru/server';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  openViewContainer,
  runCommand,
  typeInQuickInput,
  waitForNotification,
  waitForTreeRow,
  waitForFile,
  setTokenFromPalette,
} from './workbench';

/** Runs "Parse Document from URL" and enters `url` in its input box. */
async function parseFromPalette(url: string): Promise<void> {
  const { page } = ui();
  await runCommand(page, 'MinerU: Parse Document from URL');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
  await page.keyboard.press('Control+A');
  await typeInQuickInput(page, url, { submit: true });
}

describe('Palette flow in the workbench (UI)', function () {
  this.timeout(120_000);
  let fake: FakeMinerU;

  before(() => {
    fake = useFakeMinerU();
  });

  it('with no token in auto mode: Quick mode, a notice, and the .md in the workspace', async () => {
    const { page, workspaceDir } = ui();
    await parseFromPalette('https://example.com/papers/ui-quick.pdf');
    await waitForNotification(page, /Quick mode/);
    const md = await waitForFile(path.join(workspaceDir, 'mineru', 'ui-quick', 'ui-quick.md'));
    assert.match(md, /\S/);
    await openViewContainer(page, 'MinerU');
    await waitForTreeRow(page, 'Tasks', /ui-quick.*done.*quick/);
    assert.ok(
      fake.requests.every((r) => r.headers.authorization === undefined),
      'no token was sent',
    );
  });

  it('with a token typed into the password box: precise result with images, tree row done', async () => {
    const { page, workspaceDir } = ui();
    await setTokenFromPalette(page, fake.token); // fails unless the prompt is a password box

    await parseFromPalette('https://example.com/papers/ui-precise-pages-4.pdf');
    const folder = path.join(workspaceDir, 'mineru', 'ui-precise-pages-4');
    const md = await waitForFile(path.join(folder, 'ui-precise-pages-4.md'));
    const images = [...md.matchAll(/!\[[^\]]*\]\((images\/[^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length > 0, 'the Markdown links its images');
    for (const image of images) await fs.access(path.join(folder, image));
    await openViewContainer(page, 'MinerU');
    const row = await waitForTreeRow(page, 'Tasks', /ui-precise-pages-4.*done/);
    const submit = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task'));
    assert.equal(submit?.headers.authorization, `Bearer ${fake.token}`);
    await ui().screenshot('readme-tree.png');

    // A click on a finished row opens the rendered Markdown.
    await row.click();
    const preview = page.locator('.tab').filter({ hasText: /Preview ui-precise-pages-4\.md/ });
    await preview.first().waitFor({ state: 'visible', timeout: 20_000 });
    // The preview renders inside nested webview frames; its images must actually load.
    const content = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const image = content.locator('img').first();
    await image.waitFor({ state: 'visible', timeout: 30_000 });
    const width = await image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
    assert.ok(width > 0, 'the first image of the preview loaded');
    await ui().screenshot('readme-preview.png');
  });
});
