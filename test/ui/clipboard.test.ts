// The URL prefill from the clipboard in a browser-hosted VS Code. The browser lets the page read
// the clipboard once the permission is granted; the input box must then propose the copied link.
// This file sorts first on purpose: a read that times out (no permission, an unanswered prompt)
// leaves the clipboard out for the rest of the window's session.
import * as assert from 'node:assert/strict';
import { ui } from './context';
import { runCommand } from './workbench';

const INPUT = '.quick-input-widget .quick-input-box input';

describe('Clipboard prefill in the browser workbench (UI)', function () {
  this.timeout(60_000);

  after(async () => {
    const { page } = ui();
    await page.keyboard.press('Escape');
    await page.evaluate("navigator.clipboard.writeText('')").catch(() => undefined);
    await page.context().clearPermissions();
  });

  it('[cmd:mineru.parseUrl] a document link on the clipboard is proposed in the input box', async () => {
    const { page, serverUrl } = ui();
    await page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(serverUrl).origin });
    const url = `https://example.com/papers/from-clipboard-${Date.now()}.pdf`;
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(url)})`);
    // No editor is active, so nothing before the clipboard in the prefill order applies.
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'MinerU: Parse Document from URL');
    const input = page.locator(INPUT);
    await input.waitFor({ state: 'visible' });
    // The box opens at once and is filled when the clipboard answers (within half a second).
    const end = Date.now() + 10_000;
    while ((await input.inputValue()) !== url && Date.now() < end) await page.waitForTimeout(100);
    assert.equal(await input.inputValue(), url);
    await page.keyboard.press('Escape');
  });
});
