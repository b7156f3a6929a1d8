// The workbench in Simplified Chinese (run by `run-ui-tests.mjs --locale zh-cn`, a stage of npm
// test): the palette shows the extension's commands with their Chinese titles from
// package.nls.zh-cn.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ui } from './context';
import { openViewContainer, paletteCommands, viewTitles } from './workbench';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const zh = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.zh-cn.json'), 'utf8')) as Record<
  string,
  string
>;

describe('[zh-cn] Chinese UI in the workbench', () => {
  it('[zh-cn] lists the MinerU commands with Chinese titles in the palette', async () => {
    // Each title is looked up by itself: the palette shows only the rows that fit, and MinerU has
    // more commands than that.
    for (const key of ['command.parseUrl', 'command.parseLinks', 'command.setToken']) {
      const title = `MinerU: ${zh[key]}`;
      const items = await paletteCommands(ui().page, title);
      assert.ok(
        items.some((i) => i.startsWith(title)),
        `"${title}" missing from the palette; it shows: ${items.join(' | ')}`,
      );
    }
  });

  it('[zh-cn] names the Tasks view in Chinese', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    assert.ok(
      (await viewTitles(page)).includes(zh['view.tasks']!),
      `views: ${(await viewTitles(page)).join(', ')}`,
    );
  });
});
