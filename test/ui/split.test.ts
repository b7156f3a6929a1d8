// A document beyond the service's page limit, as a person meets it: right-click a 1,300-page PDF
// in the Explorer, "Parse File with MinerU", the warning offers "Parse in N Parts", one click, and
// ONE result comes back: one "is ready" notification whose Open shows the merged Markdown, every
// page once and in order, and the Tasks view shows the document with its parts below it. The parts
// (split files, their results) never appear in the workspace. The default limits are used as they
// are (600 pages), so nothing here changes a setting for the suites after it.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { planSplit } from '../../src/core/split/splitPlan';
import type { FakeMinerU } from '../fake-mineru/server';
import { makeNumberedPdf } from '../unit/helpers/splitPdfs';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  closeAllEditors,
  editorTab,
  explorerRow,
  openViewContainer,
  runCommand,
  runContextMenuItem,
  setTokenFromPalette,
  viewPane,
  waitForFile,
  waitForNoTreeRow,
  waitForNotification,
  waitForTreeRow,
} from './workbench';

const NAME = 'ui-long-manual';
const PAGES = 1300;
const TOAST = '.notifications-toasts .notification-list-item';

/** Every file under `dir`, relative to it (forward slashes). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('Documents in parts through the UI', function () {
  this.timeout(180_000);
  let fake: FakeMinerU;

  before(() => {
    fake = useFakeMinerU();
  });

  it('[menu:explorer/context:mineru.parseFile] right-click a too-long PDF → "Parse in N Parts" → one result opens, its parts below the document', async () => {
    const { page, workspaceDir } = ui();
    const pdfPath = path.join(workspaceDir, `${NAME}.pdf`);
    const folder = path.join(workspaceDir, 'mineru', NAME);
    await setTokenFromPalette(page, fake.token);
    try {
      const before = new Set(await filesUnder(workspaceDir));
      const pdf = makeNumberedPdf(PAGES);
      await fs.writeFile(pdfPath, pdf);
      const expected = planSplit(PAGES, pdf.length, { maxPages: 600, maxBytes: 200 * 1_048_576 }).length;
      assert.ok(expected >= 3, `${PAGES} pages make at least 3 parts of 600 pages at most`);

      const row = await explorerRow(page, `${NAME}.pdf`);
      await runContextMenuItem(page, row, 'Parse File with MinerU');

      // The pre-flight warning: over the page limit, with the split offered and "Parse Pages 1-600" kept.
      const label = `Parse in ${expected} Parts`;
      const message = await waitForNotification(page, label);
      assert.match(message, new RegExp(`${NAME}\\.pdf`), 'the warning names the file');
      const warning = page.locator(TOAST).filter({ hasText: label }).first();
      const buttons = (await warning.locator('.monaco-button').allTextContents()).map((t) => t.trim());
      assert.ok(buttons.includes('Parse Pages 1-600'), `buttons: ${buttons.join(' | ')}`);
      assert.equal(
        fake.requests.filter((r) => r.method === 'POST').length,
        0,
        'nothing was sent before the answer',
      );
      await warning.locator('.monaco-button').filter({ hasText: label }).first().click();

      // One notification for the one document, not one per part; its Open shows the merged .md.
      const ready = new RegExp(`MinerU: "${NAME}(\\.pdf)?" is ready: ${NAME}\\.md`);
      await waitForNotification(page, ready, 90_000).catch(async (error: unknown) => {
        const toasts = await page.locator(`${TOAST} .notification-list-item-message`).allTextContents();
        throw new Error(`${String(error)}; notifications: ${toasts.join(' | ') || '(none)'}`);
      });
      const md = await fs.readFile(path.join(folder, `${NAME}.md`), 'utf8');
      const toast = page.locator(TOAST).filter({ hasText: ready }).first();
      await toast
        .locator('.monaco-button')
        .filter({ hasText: /^Open$/ })
        .first()
        .click();
      await editorTab(page, new RegExp(`Preview ${NAME}\\.md`)).waitFor({
        state: 'visible',
        timeout: 20_000,
      });
      // Give a second result (a part's) time to show up, then count: exactly one editor opened.
      await new Promise((r) => setTimeout(r, 2_500));
      const tabs = (await page.locator('.tabs-container .tab').allTextContents()).map((t) => t.trim());
      assert.equal(tabs.length, 1, `one editor: ${tabs.join(' | ')}`);
      const toasts = await page.locator(`${TOAST} .notification-list-item-message`).allTextContents();
      assert.ok(
        !toasts.some((t) => /documents are ready|no longer there/.test(t)),
        `no per-part notification: ${toasts.join(' | ')}`,
      );

      // The merged Markdown on disk: "## Page 1" … "## Page 1300", each exactly once, in order.
      assert.equal(await waitForFile(path.join(folder, `${NAME}.md`)), md);
      const headings = [...md.matchAll(/^## Page (\d+)$/gm)].map((m) => Number(m[1]));
      assert.deepEqual(
        headings,
        Array.from({ length: PAGES }, (_, i) => i + 1),
        'every page once, in order',
      );
      for (const image of [...md.matchAll(/!\[[^\]]*\]\((images\/[^)]+)\)/g)].map((m) => m[1]!))
        await fs.access(path.join(folder, image));

      // The service got the parts (each within its limit), never the whole file.
      const names = fake.requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/file-urls/batch'))
        .flatMap((r) => (r.body as { files: { name: string }[] }).files.map((f) => f.name));
      assert.equal(names.length, expected, `one upload per part: ${names.join(', ')}`);
      assert.ok(!names.includes(`${NAME}.pdf`), 'the whole document was not sent');

      // Nothing of the parts in the workspace: the new files are the PDF and the one result folder.
      const added = (await filesUnder(workspaceDir)).filter((f) => !before.has(f));
      const outside = added.filter((f) => f !== `${NAME}.pdf` && !f.startsWith(`mineru/${NAME}/`));
      assert.deepEqual(outside, [], 'no file beside the PDF and its result');
      assert.deepEqual(
        added.filter((f) => /\.part-\d+\.pdf$/.test(f)),
        [],
        'no split file in the workspace',
      );
      assert.deepEqual(
        added.filter((f) => f.endsWith('.md')),
        [`mineru/${NAME}/${NAME}.md`],
        'one Markdown: no part result in the workspace',
      );

      // The Tasks view: the document, done, with its parts one level below it.
      await closeAllEditors(page);
      await openViewContainer(page, 'MinerU');
      const parent = await waitForTreeRow(page, 'Tasks', new RegExp(`${NAME}.*done`));
      assert.equal(await parent.getAttribute('aria-level'), '1');
      assert.equal(await parent.getAttribute('aria-expanded'), 'true', 'the parts are shown');
      const rows = viewPane(page, 'Tasks').locator('.pane-body .monaco-list-row[aria-label^="Part "]');
      await rows.nth(expected - 1).waitFor({ state: 'visible', timeout: 10_000 });
      const parts = await Promise.all(
        (await rows.all()).map(async (el) => ({
          label: (await el.getAttribute('aria-label')) ?? '',
          level: await el.getAttribute('aria-level'),
        })),
      );
      assert.equal(parts.length, expected, 'one row per part');
      parts.forEach((p, i) => {
        assert.match(p.label, new RegExp(`^Part ${i + 1} of ${expected}, pages [\\d,]+–[\\d,]+, done`));
        assert.equal(p.level, '2', `${p.label} sits under the document`);
      });
      assert.match(parts[0]!.label, /, pages 1–/);
      assert.match(parts[expected - 1]!.label, /–1,300, done/);

      // A done part has nothing to open (its result was merged and deleted): a click opens no
      // editor and no "no longer there" warning; its menu offers no Open, Reveal, Retry or re-run.
      const firstPart = rows.first();
      await firstPart.click();
      await new Promise((r) => setTimeout(r, 2_000));
      assert.equal(await page.locator('.tabs-container .tab').count(), 0, 'a part row opens nothing');
      const warnings = await page.locator(`${TOAST} .notification-list-item-message`).allTextContents();
      assert.ok(!warnings.some((t) => /no longer there/.test(t)), warnings.join(' | '));
      await firstPart.click({ button: 'right' });
      await new Promise((r) => setTimeout(r, 1_000));
      const entries = (await page.locator('.monaco-menu .action-item .action-label').allTextContents())
        .map((t) => t.trim())
        .filter(Boolean);
      await page.keyboard.press('Escape');
      for (const hidden of ['Open Result', 'Reveal Result in Explorer', 'Retry', 'Re-run with Page Ranges…'])
        assert.ok(!entries.includes(hidden), `a done part offers "${hidden}": ${entries.join(' | ')}`);
      assert.equal(
        await firstPart.locator('.actions .action-label[aria-label^="Open Source Beside"]').count(),
        0,
        'no inline viewer button on a part',
      );

      // Remove the document (and its parts with it), so the suites after this one see a short view.
      await runContextMenuItem(page, parent, 'Remove');
      await waitForNoTreeRow(page, 'Tasks', new RegExp(NAME));
      await waitForNoTreeRow(page, 'Tasks', /Part \d+ of \d+/);
    } finally {
      await closeAllEditors(page).catch(() => undefined);
      await fs.rm(pdfPath, { force: true });
      await fs.rm(folder, { recursive: true, force: true });
      // Later UI tests start without a token (auto mode → quick).
      await runCommand(page, 'MinerU: Clear API Token');
      await waitForNotification(page, /API token removed/);
    }
  });
});
