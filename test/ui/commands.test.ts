// The extension as a person meets it, installed from its .vsix: the command palette lists the
// MinerU commands, and the MinerU activity-bar entry opens the Tasks view.
import * as assert from 'node:assert/strict';
import { ui } from './context';
import { openViewContainer, paletteCommands, sideBarTitle, viewTitles } from './workbench';

const EXPECTED_COMMANDS = [
  'MinerU: Parse Document from URL',
  'MinerU: Parse Linked Documents',
  'MinerU: Set API Token',
];

describe('MinerU in the workbench (UI)', () => {
  it('lists the MinerU commands in the command palette', async () => {
    const items = await paletteCommands(ui().page, 'MinerU');
    for (const title of EXPECTED_COMMANDS) {
      assert.ok(items.includes(title), `"${title}" missing from the palette; it shows: ${items.join(' | ')}`);
    }
  });

  it('opens the MinerU view container from the activity bar, with the Tasks view', async () => {
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    assert.match(await sideBarTitle(page), /MinerU/i);
    assert.ok((await viewTitles(page)).includes('Tasks'), 'the MinerU side bar has no "Tasks" view');
  });
});
