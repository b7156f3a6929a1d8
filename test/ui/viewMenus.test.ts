// The Tasks view's menus as a person uses them: the title bar buttons and its "More Actions..."
// menu, and every inline and context-menu action of a task row. Each action's effect is checked
// where a person sees it (a preview tab, the Explorer, the status bar, the clipboard, a prompt, the
// row's state) and, where it talks to the service, in the fake's request log.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { FakeMinerU } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  answerInputBox,
  clickRowInlineAction,
  clickViewTitleAction,
  closeAllEditors,
  editorTab,
  openViewContainer,
  quickInputItems,
  quickInputState,
  runCommand,
  runContextMenuItem,
  runViewTitleMenuItem,
  setTokenFromPalette,
  treeRows,
  typeInQuickInput,
  until,
  viewTitleMenuItems,
  waitForFile,
  waitForNoTaskRow,
  waitForNotification,
  waitForTaskRow,
  welcomeView,
} from './workbench';

const VIEW = 'Tasks';

/** Submissions of single URL tasks (precise mode) for `url`. */
function submitsOf(fake: FakeMinerU, url: string) {
  return fake.requests.filter(
    (r) =>
      r.method === 'POST' && r.path.endsWith('/extract/task') && (r.body as { url?: string }).url === url,
  );
}

/**
 * Waits until the service has ended attempt `n` of `url` as failed and the row shows it. Waiting on
 * the fake first closes a race: right after a retry is submitted, the row can still show the last
 * attempt's "failed" until the tree refreshes, and its menus then lack the actions of a failed row.
 */
async function waitForFailedAttempt(fake: FakeMinerU, url: string, n: number) {
  await until(`attempt ${n} of ${url} to fail at the service`, () => {
    const attempts = fake.tasks().filter((t) => t.url === url);
    return attempts.length === n && attempts.every((t) => t.state === 'failed');
  });
  return waitForTaskRow(ui().page, VIEW, path.basename(url, '.pdf'), 'failed');
}

/** "Parse Document from URL" from the Tasks view's title bar, answering its input box with `url`. */
async function parseFromViewTitle(url: string): Promise<void> {
  const { page } = ui();
  await openViewContainer(page, 'MinerU');
  await clickViewTitleAction(page, 'Parse Document from URL');
  await answerInputBox(page, url);
}

/** Parses `url` from the view title and waits for its row to reach `state`. */
async function taskRow(url: string, name: string, state: 'done' | 'failed') {
  await parseFromViewTitle(url);
  return waitForTaskRow(ui().page, VIEW, name, state);
}

const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';

/** Waits until the open quick input shows the step whose placeholder or prompt matches `step`. */
async function atOptionsStep(step: RegExp): Promise<void> {
  const { page } = ui();
  await until(
    `the options step ${step}`,
    async () => {
      const { message } = await quickInputState(page);
      const placeholder = (await page.locator(QUICK_INPUT_BOX).getAttribute('placeholder')) ?? '';
      return step.test(`${placeholder} ${message}`);
    },
    15_000,
  );
}

async function clipboardText(): Promise<string> {
  return ui().page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
    ).navigator.clipboard.readText(),
  );
}

describe('Tasks view menus (UI)', function () {
  this.timeout(120_000);
  let fake: FakeMinerU;
  let files: http.Server;
  let filesUrl: string;
  let fetched = 0;

  before(async () => {
    fake = useFakeMinerU();
    const { page, serverUrl } = ui();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serverUrl });
    // A document host of our own: the URL holds "unfetchable", so the fake service refuses to fetch
    // it, and "Download Here and Upload" fetches it from here.
    const pdf = makePdf({ pages: 2 });
    files = http.createServer((_req, res) => {
      fetched++;
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length }).end(pdf);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    await setTokenFromPalette(page, fake.token);
    await openViewContainer(page, 'MinerU');
  });

  after(async () => {
    const { page } = ui();
    fake.reset();
    await new Promise((r) => files.close(r));
    await closeAllEditors(page).catch(() => undefined);
    // "Show Log" opened the panel: hide it, or the next suite's editors are too short to show the
    // lines it clicks (the viewer test's table line).
    await runCommand(page, 'View: Hide Panel', 5_000).catch(() => undefined);
    // Later suites start without a token (a no-op when the last test already cleared it).
    await runCommand(page, 'MinerU: Clear API Token', 5_000).catch(() => undefined);
  });

  afterEach(async () => {
    await ui().page.keyboard.press('Escape');
  });

  it('[menu:view/title:mineru.parseUrl] [cmd:mineru.parseUrl] the title button asks for a URL, which is parsed into the workspace', async () => {
    const { page, workspaceDir } = ui();
    await openViewContainer(page, 'MinerU');
    await clickViewTitleAction(page, 'Parse Document from URL');
    const prompt = await quickInputState(page);
    assert.match(prompt.title, /MinerU: Parse Document from URL/);
    assert.equal(prompt.password, false);
    await answerInputBox(page, 'https://example.com/menus/view-url.pdf');

    const md = await waitForFile(path.join(workspaceDir, 'mineru', 'view-url', 'view-url.md'));
    assert.match(md, /\S/);
    await waitForTaskRow(page, VIEW, 'view-url', 'done');
    const [submit] = submitsOf(fake, 'https://example.com/menus/view-url.pdf');
    assert.equal(submit?.headers.authorization, `Bearer ${fake.token}`);
  });

  it('[menu:view/item/context:mineru.openResult#inline] the row\'s inline "Open Result" opens the Markdown preview', async () => {
    const { page } = ui();
    await closeAllEditors(page);
    const row = await waitForTaskRow(page, VIEW, 'view-url', 'done');
    await clickRowInlineAction(row, 'Open Result');
    await editorTab(page, /Preview view-url\.md/).waitFor({ state: 'visible', timeout: 20_000 });
  });

  it('[menu:view/item/context:mineru.openResult] [cmd:mineru.openResult] the row\'s context menu "Open Result" opens the Markdown preview', async () => {
    const { page } = ui();
    await closeAllEditors(page);
    await openViewContainer(page, 'MinerU');
    const row = await waitForTaskRow(page, VIEW, 'view-url', 'done');
    await runContextMenuItem(page, row, 'Open Result');
    await editorTab(page, /Preview view-url\.md/).waitFor({ state: 'visible', timeout: 20_000 });
  });

  it('[menu:view/item/context:mineru.revealResult] [cmd:mineru.revealResult] "Reveal Result in Explorer" selects the .md in the Explorer', async () => {
    const { page } = ui();
    await closeAllEditors(page);
    await openViewContainer(page, 'MinerU');
    const row = await waitForTaskRow(page, VIEW, 'view-url', 'done');
    await runContextMenuItem(page, row, 'Reveal Result in Explorer');
    const selected = page
      .locator('.explorer-folders-view .monaco-list-row[aria-selected="true"]')
      .filter({ hasText: /^\s*view-url\.md\s*$/ });
    await selected.first().waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('[menu:view/item/context:mineru.copyTaskId] [cmd:mineru.copyTaskId] "Copy Task ID" puts the service\'s task id on the clipboard', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    const id = fake.tasks().find((t) => t.url === 'https://example.com/menus/view-url.pdf')?.id;
    assert.ok(id, 'the fake knows the task');
    await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }
      ).navigator.clipboard.writeText('before'),
    );
    const row = await waitForTaskRow(page, VIEW, 'view-url', 'done');
    await runContextMenuItem(page, row, 'Copy Task ID');
    await page
      .locator('.statusbar')
      .filter({ hasText: `Copied ${id}` })
      .waitFor({ timeout: 10_000 });
    assert.equal(
      await until(
        'the clipboard to change',
        async () => (await clipboardText()) !== 'before' && clipboardText(),
      ),
      id,
    );
  });

  it('[menu:view/item/context:mineru.openSource] [cmd:mineru.openSource] "Open Source URL" hands the document\'s URL to the browser', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    const row = await waitForTaskRow(page, VIEW, 'view-url', 'done');
    await runContextMenuItem(page, row, 'Open Source URL');
    // The workbench asks before it opens an outside site; the dialog names the URL, and "Copy" puts it
    // on the clipboard.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await dialog.textContent()) ?? '', /https:\/\/example\.com\/menus\/view-url\.pdf/);
    await dialog
      .locator('.monaco-button')
      .filter({ hasText: /^Copy$/ })
      .click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    // The copy finishes after the dialog closes, so the clipboard is read until it holds the URL.
    await until(
      'the clipboard to hold the URL',
      async () => (await clipboardText()) === 'https://example.com/menus/view-url.pdf',
    );
  });

  it('[menu:view/item/context:mineru.retryTask#inline] [menu:view/item/context:mineru.retryTask] [cmd:mineru.retryTask] "Retry", inline and in the context menu, submits a failed document again', async () => {
    const { page } = ui();
    const url = 'https://example.com/menus/view-fail.pdf';
    await parseFromViewTitle(url);
    const row = await waitForFailedAttempt(fake, url, 1);
    assert.equal(submitsOf(fake, url).length, 1);

    await clickRowInlineAction(row, 'Retry');
    await until('a second submission', () => submitsOf(fake, url).length === 2);
    const again = await waitForFailedAttempt(fake, url, 2);

    await runContextMenuItem(page, again, 'Retry');
    // The row can read "failed" a moment before the extension's own record does (the fake ended
    // attempt 2 before the next poll told the extension); a Retry then is refused as "still
    // running". Give it one more try from a freshly found row, never a third.
    const third = await until('a third submission', () => submitsOf(fake, url).length === 3, 8_000).catch(
      () => undefined,
    );
    if (!third) {
      await page.keyboard.press('Escape');
      await runContextMenuItem(page, await waitForFailedAttempt(fake, url, 2), 'Retry');
      await until('a third submission', () => submitsOf(fake, url).length === 3);
    }
    await waitForFailedAttempt(fake, url, 3);
  });

  it('[menu:view/item/context:mineru.retryWithPageRanges] [cmd:mineru.retryWithPageRanges] "Re-run with Page Ranges…" asks for ranges and submits them', async () => {
    const { page } = ui();
    const url = 'https://example.com/menus/view-fail.pdf';
    const before = submitsOf(fake, url).length;
    const row = await waitForFailedAttempt(fake, url, before);
    await runContextMenuItem(page, row, 'Re-run with Page Ranges…');
    const prompt = await quickInputState(page);
    assert.match(prompt.title, /Re-run "view-fail" with Page Ranges/);
    assert.equal(prompt.value, '1-200', 'a first part is proposed');
    await answerInputBox(page, '2-3');
    const submit = await until('the re-run', () => submitsOf(fake, url)[before]);
    assert.equal((submit.body as { page_ranges?: string }).page_ranges, '2-3');
    await waitForFailedAttempt(fake, url, before + 1);
  });

  it('[menu:view/item/context:mineru.removeTask#inline] [cmd:mineru.removeTask] the row\'s inline "Remove" takes it out of the view', async () => {
    const { page } = ui();
    const row = await taskRow('https://example.com/menus/view-remove.pdf', 'view-remove', 'done');
    await clickRowInlineAction(row, 'Remove');
    await waitForNoTaskRow(page, VIEW, 'view-remove');
    // The failed rows of the retry tests go the same way, so the view stays short.
    const failed = await waitForTaskRow(page, VIEW, 'view-fail', undefined, 3_000).catch(() => undefined);
    if (failed) {
      await clickRowInlineAction(failed, 'Remove');
      await waitForNoTaskRow(page, VIEW, 'view-fail');
    }
  });

  it('[menu:view/item/context:mineru.uploadFromUrl] [cmd:mineru.uploadFromUrl] "Download Here and Upload" on a URL the service cannot fetch', async () => {
    const { page, workspaceDir } = ui();
    const row = await taskRow(`${filesUrl}/unfetchable/view-fetch.pdf`, 'view-fetch', 'failed');
    assert.equal(fetched, 0, 'nothing was downloaded here yet');
    const putsBefore = fake.requests.filter((r) => r.method === 'PUT').length;
    await runContextMenuItem(page, row, 'Download Here and Upload');

    const md = await waitForFile(path.join(workspaceDir, 'mineru', 'view-fetch', 'view-fetch.md'));
    assert.match(md, /\S/);
    assert.equal(fetched, 1, 'downloaded once, here');
    const puts = fake.requests.filter((r) => r.method === 'PUT').slice(putsBefore);
    assert.equal(puts.length, 1, 'uploaded once');
    await waitForTaskRow(page, VIEW, 'view-fetch', 'done');
    await waitForNoTaskRow(page, VIEW, 'view-fetch', 'failed');
  });

  it('[menu:view/item/context:mineru.openExtra#inline] [menu:view/item/context:mineru.openExtra] [cmd:mineru.openExtra] [cmd:mineru.parseUrlWithOptions] "Open Extra Format…" opens the extra file chosen', async () => {
    const { page, workspaceDir } = ui();
    const url = 'https://example.com/menus/view-extra.pdf';
    // "Parse Document from URL with Options…": accept every proposed step, tick html and latex.
    await runCommand(page, 'MinerU: Parse Document from URL with Options…');
    await atOptionsStep(/A link to a PDF/);
    await page.locator(QUICK_INPUT_BOX).fill(url);
    await page.keyboard.press('Enter');
    for (const step of [
      /Mode \(1\/6\)/,
      /Model \(2\/6\)/,
      /Features \(3\/6\)/,
      /language \(4\/6\)/,
      /Page ranges \(5\/6\)/,
    ]) {
      await atOptionsStep(step);
      await page.keyboard.press('Enter');
    }
    await atOptionsStep(/Extra formats besides Markdown \(6\/6\)/);
    for (const format of ['html', 'latex']) {
      const option = page.locator(
        `.quick-input-widget .quick-input-list .monaco-list-row[aria-label="${format}"]`,
      );
      await option.click();
      await until(
        `${format} to be ticked`,
        async () => (await option.getAttribute('aria-checked')) === 'true',
        5_000,
      );
    }
    await page.keyboard.press('Enter');
    const row = await waitForTaskRow(page, VIEW, 'view-extra', 'done');
    const [submit] = submitsOf(fake, url);
    assert.deepEqual((submit?.body as { extra_formats?: string[] }).extra_formats, ['html', 'latex']);
    await fs.access(path.join(workspaceDir, 'mineru', 'view-extra', 'view-extra.tex'));

    await closeAllEditors(page);
    await openViewContainer(page, 'MinerU');
    await clickRowInlineAction(row, 'Open Extra Format…');
    assert.deepEqual((await quickInputItems(page)).map((l) => l.split(',')[0]).sort(), [
      'view-extra.html',
      'view-extra.tex',
    ]);
    await typeInQuickInput(page, 'view-extra.tex', { submit: true });
    await editorTab(page, 'view-extra.tex').waitFor({ state: 'visible', timeout: 15_000 });

    await openViewContainer(page, 'MinerU');
    await runContextMenuItem(page, row, 'Open Extra Format…');
    await typeInQuickInput(page, 'view-extra.html', { submit: true });
    await editorTab(page, 'view-extra.html').waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('[menu:view/item/context:mineru.removeTask] the row\'s context menu "Remove" takes it out of the view', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    const row = await waitForTaskRow(page, VIEW, 'view-extra');
    await runContextMenuItem(page, row, 'Remove');
    await waitForNoTaskRow(page, VIEW, 'view-extra');
  });

  it('[menu:view/title:mineru.refresh] [cmd:mineru.refresh] "Refresh" resumes a queue paused by the daily quota', async () => {
    const { page } = ui();
    fake.faults.businessErrorNext = { route: 'extract/task$', code: -60018, msg: 'daily limit', count: 1 };
    await parseFromViewTitle('https://example.com/menus/view-quota.pdf');
    await waitForTaskRow(page, VIEW, 'view-quota', 'paused until');
    await waitForNotification(page, /paused the queue/);
    await clickViewTitleAction(page, 'Refresh');
    await waitForTaskRow(page, VIEW, 'view-quota', 'done');
  });

  it('[menu:view/title:mineru.testConnection] [cmd:mineru.testConnection] "Test Connection" in More Actions checks every host', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    const before = fake.requests.length;
    await runViewTitleMenuItem(page, 'Test Connection');
    const message = await waitForNotification(page, /connection checks/);
    assert.match(message, /all \d+ connection checks passed/);
    const checks = fake.requests.slice(before);
    assert.ok(
      checks.some((r) => r.server === 'api' && r.headers.authorization === `Bearer ${fake.token}`),
      'the token was checked against the API host',
    );
  });

  it('[menu:view/title:mineru.showLog] [cmd:mineru.showLog] "Show Log" in More Actions shows the MinerU log', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    await runViewTitleMenuItem(page, 'Show Log');
    await page
      .locator('.part.panel .monaco-editor .view-lines')
      .filter({ hasText: 'Test Connection' })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('[menu:view/title:mineru.setToken] [cmd:mineru.setToken] "Set API Token" in More Actions asks in a password box', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    await runViewTitleMenuItem(page, 'Set API Token');
    const prompt = await quickInputState(page);
    assert.equal(prompt.password, true, 'the token prompt is a password box');
    await typeInQuickInput(page, fake.token, { submit: true });
    await waitForNotification(page, /API token saved/);
    assert.ok((await viewTitleMenuItems(page)).includes('Clear API Token'));
  });

  it('[menu:view/title:mineru.clearFinished] [cmd:mineru.clearFinished] "Clear Finished Tasks" empties the view', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    assert.ok((await treeRows(page, VIEW)).length > 0, 'there are rows to clear');
    await clickViewTitleAction(page, 'Clear Finished Tasks');
    await welcomeView(page, VIEW)
      .filter({ hasText: 'No documents parsed yet' })
      .waitFor({ state: 'visible', timeout: 15_000 });
    assert.deepEqual(await treeRows(page, VIEW), []);
  });

  it('[menu:view/title:mineru.clearToken] [cmd:mineru.clearToken] "Clear API Token" in More Actions removes the token', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    await runViewTitleMenuItem(page, 'Clear API Token');
    await waitForNotification(page, /API token removed/);
    await welcomeView(page, VIEW)
      .filter({ hasText: 'Without a token' })
      .waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(!(await viewTitleMenuItems(page)).includes('Clear API Token'));
  });
});
