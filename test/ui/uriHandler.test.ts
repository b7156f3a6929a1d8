// The URI handler on the route a link from a browser takes: the workbench's own URL service.
// "Developer: Open URL" (workbench.action.url.openUrl) hands a typed URI to that service exactly as
// an OS-level vscode:// launch does on the desktop; code-server's product.json names its scheme
// "code-oss". The workbench's ExtensionUrlHandler may first ask "Allow '<extension>' extension to
// open this URI?" — the test accepts that (without "Do not ask me again", so no state is left), and
// then our own modal must name the link and the service before anything is sent.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { FakeMinerU } from '../fake-mineru/server';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  clickViewTitleAction,
  openViewContainer,
  runCommand,
  setTokenFromPalette,
  treeRows,
  typeInQuickInput,
  waitForNoTaskRow,
  waitForNotification,
  waitForTaskRow,
} from './workbench';

const VIEW = 'Tasks';
/** publisher.name of package.json; code-server's URL scheme (product.json urlProtocol). */
const HANDLER = 'code-oss://mineru-community.mineru-document-parser/parse';
const DIALOG = '.monaco-dialog-box';

function requestUri(query: string): string {
  return `${HANDLER}?${query}`;
}

/** "Developer: Open URL", then the URI typed into its input box and Enter. */
async function openUrl(uri: string): Promise<void> {
  const { page } = ui();
  await runCommand(page, 'Developer: Open URL');
  await typeInQuickInput(page, uri, { submit: true });
}

/** Whether the workbench asked "Allow … to open this URI?" during this run (answered "Open"). */
let allowQuestions = 0;

/**
 * The dialog that shows after the URI was opened (waiting up to `waitMs`). When it is the
 * workbench's own "Allow … extension to open this URI?" question, it is answered "Open" and the next
 * dialog is returned (ours, when one comes).
 */
async function dialogAfterOpen(waitMs = 10_000): Promise<Locator | undefined> {
  const { page } = ui();
  const dialog = page.locator(DIALOG);
  try {
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    return undefined;
  }
  const text = (await dialog.textContent()) ?? '';
  if (/Allow .* to open this URI\?/.test(text)) {
    allowQuestions++;
    await dialog
      .locator('.monaco-button')
      .filter({ hasText: /^Open$/ })
      .click();
    await dialog.filter({ hasText: /to open this URI\?/ }).waitFor({ state: 'detached', timeout: 10_000 });
    try {
      await dialog.waitFor({ state: 'visible', timeout: waitMs });
    } catch {
      return undefined;
    }
  }
  return dialog;
}

function submitsOf(fake: FakeMinerU, url: string) {
  return fake.requests.filter(
    (r) => r.method === 'POST' && (r.body as { url?: string } | undefined)?.url === url,
  );
}

describe('Links from outside VS Code through the URL service (UI)', function () {
  this.timeout(120_000);
  let fake: FakeMinerU;

  before(async () => {
    fake = useFakeMinerU();
    const { page } = ui();
    await setTokenFromPalette(page, fake.token);
    await openViewContainer(page, 'MinerU');
  });

  beforeEach(() => {
    fake.requests.length = 0;
  });

  afterEach(async () => {
    const { page } = ui();
    // A dialog left open by a failed test would block the next suite.
    if (await page.locator(DIALOG).isVisible()) await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
  });

  after(async () => {
    const { page } = ui();
    fake.reset();
    if ((await treeRows(page, VIEW).catch((): string[] => [])).length > 0)
      await clickViewTitleAction(page, 'Clear Finished Tasks').catch(() => undefined);
    await runCommand(page, 'Notifications: Clear All Notifications', 5_000).catch(() => undefined);
    // Later suites start without a token.
    await runCommand(page, 'MinerU: Clear API Token', 5_000).catch(() => undefined);
  });

  it('"Developer: Open URL" with a parse link: our modal names the link and the service, nothing is sent before "Parse", then the task finishes', async () => {
    const { page } = ui();
    const url = 'https://example.com/links/from-open-url.pdf';
    await openUrl(requestUri(`url=${encodeURIComponent(url)}`));
    const dialog = await dialogAfterOpen();
    assert.ok(dialog, 'a dialog was shown after the URI was opened');
    // code-server 4.100 asks "Allow 'MinerU Document Parser' extension to open this URI?" first
    // (ExtensionUrlHandler, for a URI not opened by a trusted caller); the route only counts when
    // our own question follows it.
    console.log(
      `      (the workbench asked "Allow … to open this URI?" ${allowQuestions} time(s); answered "Open")`,
    );
    const text = (await dialog.textContent()) ?? '';
    assert.match(text, /A link from outside VS Code asks MinerU to parse a document\. Parse it\?/);
    assert.ok(text.includes(url), `the dialog names the link: ${text}`);
    assert.ok(text.includes(new URL(fake.apiBaseUrl).host), `the dialog names the service: ${text}`);
    await page.waitForTimeout(500);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      [],
      'nothing reached the service before "Parse"',
    );
    await dialog
      .locator('.monaco-button')
      .filter({ hasText: /^Parse$/ })
      .click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    await waitForTaskRow(page, VIEW, 'from-open-url', 'done');
    const [submit] = submitsOf(fake, url);
    assert.ok(submit, 'the link was submitted after "Parse"');
    assert.equal(submit.headers.authorization, `Bearer ${fake.token}`);
  });

  for (const [param, value] of [
    ['token', 'abc'],
    ['apiBaseUrl', 'https://evil.example/api/v4'],
  ] as const) {
    it(`a link carrying "${param}" is refused with a message naming it; no question, nothing sent`, async () => {
      const { page } = ui();
      const url = `https://example.com/links/refused-${param}.pdf`;
      await openUrl(requestUri(`url=${encodeURIComponent(url)}&${param}=${encodeURIComponent(value)}`));
      // The refusal is a notification; a confirmation would show within a moment of "Open".
      const dialog = await dialogAfterOpen(2_000);
      assert.equal(dialog, undefined, 'no confirmation is asked for a refused link');
      const message = await waitForNotification(page, /MinerU refused a link from outside VS Code/);
      assert.ok(message.includes(`"${param}"`), `the message names the parameter: ${message}`);
      assert.ok(!message.includes(value), `the message does not repeat the value: ${message}`);
      await page.waitForTimeout(500);
      assert.equal(await page.locator(DIALOG).isVisible(), false, 'no confirmation after the refusal either');
      assert.deepEqual(fake.requests, [], 'nothing was sent');
      await runCommand(page, 'Notifications: Clear All Notifications');
    });
  }

  it('"Cancel" on the modal: no task, nothing sent', async () => {
    const { page } = ui();
    const url = 'https://example.com/links/cancelled.pdf';
    await openUrl(requestUri(`url=${encodeURIComponent(url)}`));
    const dialog = await dialogAfterOpen();
    assert.ok(dialog, 'our confirmation was shown');
    assert.ok(((await dialog.textContent()) ?? '').includes(url));
    await dialog
      .locator('.monaco-button')
      .filter({ hasText: /^Cancel$/ })
      .click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    await page.waitForTimeout(1_000);
    await waitForNoTaskRow(page, VIEW, 'cancelled');
    assert.deepEqual(fake.requests, [], 'nothing was sent');
  });
});
