// Drives the VS Code workbench the way a person does: keyboard, command palette, quick input,
// notifications, activity bar and tree views. Selectors are the workbench's own DOM (1.100).
import { promises as fs } from 'node:fs';
import type { Locator, Page } from 'playwright-core';

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;
const TOAST = '.notifications-toasts .notification-list-item';

/** The aria-label of every element `locator` matches now (no DOM types needed: tsconfig has no DOM lib). */
async function ariaLabels(locator: Locator): Promise<string[]> {
  const all = await locator.all();
  return Promise.all(
    all.map(async (el) => (await el.getAttribute('aria-label')) ?? (await el.textContent()) ?? ''),
  );
}

function escapeCss(value: string): string {
  return value.replace(/(["\\])/g, '\\$1');
}

/** Opens the command palette (F1) and waits for its input box. */
export async function openPalette(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
}

/** Types into the open quick input (palette, input box or quick pick); Enter when `submit`. */
export async function typeInQuickInput(
  page: Page,
  text: string,
  options: { submit?: boolean } = {},
): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.pressSequentially(text, { delay: 5 });
  if (options.submit) await box.press('Enter');
}

/** Labels of the rows the open quick input shows now (waits for at least one). */
export async function quickInputItems(page: Page): Promise<string[]> {
  await page.locator(QUICK_INPUT_ROWS).first().waitFor({ state: 'visible', timeout: 10_000 });
  return ariaLabels(page.locator(QUICK_INPUT_ROWS));
}

/**
 * Palette entries matching `filter` (the palette is closed again afterwards). Contributions of an
 * extension in the remote host reach the workbench a moment after it shows, and an open palette
 * does not refresh its list: reopen it until something matches (up to `timeoutMs`).
 */
export async function paletteCommands(page: Page, filter: string, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await openPalette(page);
    await typeInQuickInput(page, filter);
    const match = page.locator(QUICK_INPUT_ROWS).filter({ hasText: filter }).first();
    try {
      await match.waitFor({ state: 'visible', timeout: 2_000 });
      // A row's label may carry the palette's group after a comma ("…, recently used").
      const items = (await quickInputItems(page)).map((l) =>
        l.replace(/, (recently used|other commands|similar commands)$/, ''),
      );
      await page.keyboard.press('Escape');
      return items;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw err;
    }
  }
}

/** Runs a command by its palette title, e.g. "MinerU: Parse Document from URL". */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await openPalette(page);
    await typeInQuickInput(page, title);
    // A recently used command reads "<title>, recently used": match the start of the label.
    const row = page.locator(`${QUICK_INPUT_ROWS}[aria-label^="${escapeCss(title)}"]`).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      await row.click();
      return;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw err;
    }
  }
}

/** Waits for a notification toast containing `text`; returns its message. */
export async function waitForNotification(
  page: Page,
  text: string | RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const toast = page.locator(TOAST).filter({ hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.locator('.notification-list-item-message').textContent()) ?? '';
}

/** Clicks an activity-bar entry (e.g. "MinerU") and waits for its side bar. */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  const item = page
    .locator(`.activitybar .action-item .action-label[aria-label^="${escapeCss(title)}"]`)
    .first();
  await item.waitFor({ state: 'visible', timeout: 15_000 });
  const expanded = await item.locator('xpath=..').getAttribute('aria-expanded');
  if (expanded !== 'true') await item.click();
  await page.locator('.sidebar .composite.title').filter({ hasText: title }).waitFor({ timeout: 10_000 });
}

/** The side bar's title, e.g. "MinerU: Tasks" (a lone view's name is merged into it). */
export async function sideBarTitle(page: Page): Promise<string> {
  return ((await page.locator('.sidebar .composite.title').first().textContent()) ?? '').trim();
}

/** Titles of the views in the open side bar (hidden headers of lone views included). */
export async function viewTitles(page: Page): Promise<string[]> {
  return (await ariaLabels(page.locator('.sidebar .pane-header'))).map((label) =>
    label.replace(/ Section$/, ''),
  );
}

/** The pane (header + body) of the view titled `viewTitle` in the open side bar. */
export function viewPane(page: Page, viewTitle: string): Locator {
  return page.locator('.sidebar .pane').filter({
    has: page.locator(`.pane-header[aria-label="${escapeCss(viewTitle)} Section"]`),
  });
}

/** Accessible labels of the rows a tree view shows now (what a screen reader would read). */
export async function treeRows(page: Page, viewTitle: string): Promise<string[]> {
  return ariaLabels(viewPane(page, viewTitle).locator('.pane-body .monaco-list-row'));
}

/** Waits until a row of the tree view matches `text` (e.g. a task reaching "done"). */
export async function waitForTreeRow(
  page: Page,
  viewTitle: string,
  text: string | RegExp,
  timeoutMs = 60_000,
) {
  const row = viewPane(page, viewTitle)
    .locator('.pane-body .monaco-list-row')
    .filter({ hasText: text })
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  return row;
}

/** Waits until `file` exists in the workspace (written by the extension) and returns its text. */
export async function waitForFile(file: string, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fs.readFile(file, 'utf8');
    } catch {
      if (Date.now() > end) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Sets the API token as a person does: the palette command, then the password box. */
export async function setTokenFromPalette(page: Page, token: string): Promise<void> {
  await runCommand(page, 'MinerU: Set API Token');
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible' });
  if ((await box.getAttribute('type')) !== 'password')
    throw new Error('the token prompt is not a password box');
  await typeInQuickInput(page, token, { submit: true });
  await waitForNotification(page, /API token saved/);
}

// ---- Menus: view title actions, context menus, inline row actions, welcome buttons ----

/** Runs the focused entry `label` of the context menu that is open now (hover focuses, Enter runs). */
export async function chooseMenuItem(page: Page, label: string | RegExp): Promise<void> {
  const item = page.locator('.monaco-menu .action-item').filter({ hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  // The web workbench's context menu acts on the focused item: a synthetic click alone sometimes
  // only highlights it.
  await item.hover();
  await page.keyboard.press('Enter');
  await item.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Labels of the entries of the context menu that is open now (separators left out). */
export async function menuItems(page: Page): Promise<string[]> {
  const items = page.locator('.monaco-menu .action-item:not(.disabled) .action-label');
  await items.first().waitFor({ state: 'visible', timeout: 10_000 });
  return (await items.allTextContents()).map((t) => t.trim()).filter(Boolean);
}

/** The title bar of the open side bar, where a lone view's title actions sit. */
function sideBarTitleActions(page: Page): Locator {
  return page.locator('.sidebar .composite.title .title-actions, .sidebar .pane-header .actions');
}

/**
 * The overflow button of the open side bar's view: "Views and More Actions..." when the lone view
 * is merged into the container title, "More Actions..." in a view's own header.
 */
function viewTitleMoreButton(page: Page): Locator {
  return sideBarTitleActions(page)
    .locator('.action-label[aria-label*="More Actions"]')
    .filter({ visible: true })
    .first();
}

/** View title actions show while the pointer is over the side bar: move it there first. */
async function hoverSideBarTitle(page: Page): Promise<void> {
  await page.locator('.sidebar .composite.title').first().hover();
}

/** Clicks a title action of the open side bar's view (an icon button such as "Refresh"). */
export async function clickViewTitleAction(page: Page, label: string): Promise<void> {
  await hoverSideBarTitle(page);
  const action = sideBarTitleActions(page)
    .locator(`.action-label[aria-label^="${escapeCss(label)}"]`)
    .first();
  await action.waitFor({ state: 'visible', timeout: 15_000 });
  await action.click();
}

/** Opens the "More Actions..." menu of the open side bar's view and runs `label` from it. */
export async function runViewTitleMenuItem(page: Page, label: string | RegExp): Promise<void> {
  await page.keyboard.press('Escape');
  await hoverSideBarTitle(page);
  const more = viewTitleMoreButton(page);
  await more.waitFor({ state: 'visible', timeout: 15_000 });
  await more.click();
  await chooseMenuItem(page, label);
}

/** Entries of the "More Actions..." menu of the open side bar's view (the menu is closed again). */
export async function viewTitleMenuItems(page: Page): Promise<string[]> {
  await page.keyboard.press('Escape');
  await hoverSideBarTitle(page);
  const more = viewTitleMoreButton(page);
  await more.waitFor({ state: 'visible', timeout: 15_000 });
  await more.click();
  const items = await menuItems(page);
  await page.keyboard.press('Escape');
  return items;
}

/** Right-clicks `target` (a tree row, an editor, a tab) and runs `label` from its context menu. */
export async function runContextMenuItem(page: Page, target: Locator, label: string | RegExp): Promise<void> {
  await target.click({ button: 'right' });
  await chooseMenuItem(page, label);
}

/** Clicks the inline action `label` of a tree row (shown on hover). */
export async function clickRowInlineAction(row: Locator, label: string): Promise<void> {
  await row.hover();
  const action = row.locator(`.actions .action-label[aria-label^="${escapeCss(label)}"]`).first();
  await action.waitFor({ state: 'visible', timeout: 10_000 });
  await action.click();
}

/** Waits until no row of the tree view matches `text` (a row removed). */
export async function waitForNoTreeRow(
  page: Page,
  viewTitle: string,
  text: string | RegExp,
  timeoutMs = 30_000,
): Promise<void> {
  await viewPane(page, viewTitle)
    .locator('.pane-body .monaco-list-row')
    .filter({ hasText: text })
    .first()
    .waitFor({ state: 'detached', timeout: timeoutMs });
}

/** The welcome content of the view titled `viewTitle` (shown while the tree is empty). */
export function welcomeView(page: Page, viewTitle: string): Locator {
  return viewPane(page, viewTitle).locator('.welcome-view-content');
}

/** Clicks the button `label` of the view's welcome content (a command link in viewsWelcome). */
export async function clickWelcomeButton(page: Page, viewTitle: string, label: string): Promise<void> {
  const button = welcomeView(page, viewTitle).locator('.monaco-button, a').filter({ hasText: label }).first();
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  await button.click();
}

/** The open quick input's title and prompt text, and whether it is a password box. */
export async function quickInputState(
  page: Page,
): Promise<{ title: string; message: string; value: string; password: boolean }> {
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  const widget = page.locator(QUICK_INPUT);
  const title = ((await widget.locator('.quick-input-title').textContent()) ?? '').trim();
  const message = ((await widget.locator('.quick-input-message').textContent()) ?? '').trim();
  return {
    title,
    message,
    value: await box.inputValue(),
    password: (await box.getAttribute('type')) === 'password',
  };
}

/** Replaces the text of the open input box and submits it. */
export async function answerInputBox(page: Page, text: string): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill('');
  await typeInQuickInput(page, text, { submit: true });
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Polls `probe` until it returns a value other than undefined/false; fails naming `what`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Shows the Explorer and waits for the row named exactly `name` (a file or folder shown now). */
export async function explorerRow(page: Page, name: string, timeoutMs = 30_000): Promise<Locator> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+E');
  const exact = new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: exact }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      return row;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    // Files written just after the workbench opened can be missed by its file watcher: press the
    // Explorer's own refresh button, as a person would.
    const header = page.locator('.explorer-viewlet .pane-header').first();
    await header.hover();
    await header.locator('.action-label[aria-label^="Refresh Explorer"]').click({ timeout: 5_000 });
  }
}

/** The open editor tab of `name` (its label), e.g. "report.pdf" or "Preview report.md". */
export function editorTab(page: Page, name: string | RegExp): Locator {
  return page.locator('.tabs-container .tab').filter({ hasText: name }).first();
}

/**
 * Closes every editor with the close buttons of its tabs (nothing is dirty in these tests). Not
 * through the palette: a focused webview (a Markdown preview) keeps F1 from the workbench.
 */
export async function closeAllEditors(page: Page): Promise<void> {
  const tabs = page.locator('.tabs-container .tab');
  for (let left = 50; (await tabs.count()) > 0; left--) {
    if (left === 0) throw new Error('the editors did not close');
    const tab = tabs.first();
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click({ timeout: 5_000 });
  }
}

/**
 * Waits for the row of task `name` in a tree view, in `state` when given ("done", "failed",
 * "paused until"): a task row's accessible label reads "<name>, <state>, …".
 */
export async function waitForTaskRow(
  page: Page,
  viewTitle: string,
  name: string,
  state?: string,
  timeoutMs = 60_000,
): Promise<Locator> {
  const prefix = state ? `${name}, ${state}` : `${name}, `;
  const row = viewPane(page, viewTitle)
    .locator(`.pane-body .monaco-list-row[aria-label^="${escapeCss(prefix)}"]`)
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  return row;
}

/** Waits until the tree view has no row for task `name` (in `state`, when given). */
export async function waitForNoTaskRow(
  page: Page,
  viewTitle: string,
  name: string,
  state?: string,
  timeoutMs = 30_000,
): Promise<void> {
  const prefix = state ? `${name}, ${state}` : `${name}, `;
  await viewPane(page, viewTitle)
    .locator(`.pane-body .monaco-list-row[aria-label^="${escapeCss(prefix)}"]`)
    .first()
    .waitFor({ state: 'detached', timeout: timeoutMs });
}
