// A real window reload in the middle of a result download (RELIABILITY.md R-INT-2): the fake sends
// the first bytes of the result archive and then stalls, so part of it is on disk when the
// workbench page reloads. After the reload the task resumes by itself, the result is imported once,
// and nothing half-written is left: no temporary folder in the workspace, no partial archive in the
// temp folder. The extension runs from its .vsix (no test API): everything is observed through the
// workbench, the fake's request log and the file system (code-server runs on this machine).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FakeMinerU } from '../fake-mineru/server';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  closeAllEditors,
  openViewContainer,
  runCommand,
  setTokenFromPalette,
  typeInQuickInput,
  waitForFile,
  waitForNotification,
  waitForTreeRow,
} from './workbench';

/** Bytes of the archive the fake sends before it stalls (an odd size, to tell its file apart). */
const SENT_BYTES = 1537;
/** The importer's partial download: <tmp>/.mineru-<uuid>.zip.<hex>.part (then mineru-<uuid>.zip). */
const PART = /^\.mineru-[0-9a-f-]+\.zip\.[0-9a-f]+\.part$/;

function sizeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.size;
}

async function poll<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every path under `dir`, relative, "/"-separated. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => p.split(path.sep).join('/'));
}

describe('A window reload during a download (UI)', function () {
  this.timeout(180_000);
  let fake: FakeMinerU;

  before(async () => {
    fake = useFakeMinerU();
    // A focused Markdown preview (left by an earlier suite) keeps F1 from reaching the workbench.
    await closeAllEditors(ui().page);
  });

  it('[R-INT-2] the page reloads while part of the result archive is on disk: the task resumes, the result is imported once, nothing half-written remains', async () => {
    const { page, workspaceDir } = ui();
    const name = 'ui-reload-mid-download';
    const zips = () => fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('.zip'));
    const tmp = os.tmpdir();
    const earlier = new Set(readdirSync(tmp)); // other runs' files are not this test's
    await setTokenFromPalette(page, fake.token);
    try {
      fake.faults.stallNext = { route: '\\.zip$', count: 1, afterBytes: SENT_BYTES };
      await runCommand(page, 'MinerU: Parse Document from URL');
      await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
      await page.keyboard.press('Control+A');
      await typeInQuickInput(page, `https://example.com/papers/${name}.pdf`, { submit: true });

      // In flight: the row says importing and the first bytes of the archive are on disk.
      await openViewContainer(page, 'MinerU');
      await waitForTreeRow(page, 'Tasks', new RegExp(`${name}.*importing`));
      const part = await poll('part of the archive on disk', () =>
        readdirSync(tmp).find(
          (n) => PART.test(n) && !earlier.has(n) && sizeOf(path.join(tmp, n)) === SENT_BYTES,
        ),
      );
      assert.equal(zips().length, 1);

      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

      // The workbench restores the open MinerU side bar by itself (clicking its entry while it is
      // being restored would close it again); only if it does not, open it. Nothing else is done:
      // the restored task resumes by itself and finishes.
      const restored = await page
        .locator('.sidebar .composite.title')
        .filter({ hasText: 'MinerU' })
        .waitFor({ state: 'visible', timeout: 20_000 })
        .then(() => true)
        .catch(() => false);
      if (!restored) await openViewContainer(page, 'MinerU');
      await waitForTreeRow(page, 'Tasks', new RegExp(`${name}.*done`), 90_000);
      const md = await waitForFile(path.join(workspaceDir, 'mineru', name, `${name}.md`));
      assert.match(md, /\S/);
      assert.equal(zips().length, 2, 'the archive was downloaded again, once');

      const outputDir = path.join(workspaceDir, 'mineru');
      assert.deepEqual(
        readdirSync(outputDir).filter((n) => n.startsWith(name) || n.startsWith('.mineru-tmp-')),
        [name],
        'one result folder, no second import, no temporary import folder',
      );
      assert.deepEqual(
        tree(workspaceDir).filter((p) => /\.(part|zip)$/.test(p) || p.includes('.mineru-tmp-')),
        [],
        'nothing half-written in the workspace',
      );
      // The reload ended the old window's download: its partial file is removed, not left behind.
      const archive = part.replace(/^\./, '').replace(/\.[0-9a-f]+\.part$/, '');
      await poll('the partial archive to be removed', () =>
        existsSync(path.join(tmp, part)) ? undefined : true,
      ).catch(() => undefined);
      assert.deepEqual(
        [part, archive].filter((n) => existsSync(path.join(tmp, n))),
        [],
        'the interrupted download left no partial or temporary archive',
      );
    } finally {
      // A failure above must not leave the stall armed for later suites' downloads.
      fake.faults.stallNext = undefined;
      // Later UI tests start without a token (auto mode → quick).
      await runCommand(page, 'MinerU: Clear API Token');
      await waitForNotification(page, /API token removed/);
    }
  });
});
