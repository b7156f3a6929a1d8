// The Tasks view's welcome content (package.nls.json welcome.noToken and welcome.noTasks) as a
// person meets it in an empty view: its buttons open the URL prompt and the password box, and the
// text follows the token.
import * as assert from 'node:assert/strict';
import type { FakeMinerU } from '../fake-mineru/server';
import { ui } from './context';
import { useFakeMinerU } from './fake';
import {
  answerInputBox,
  clickViewTitleAction,
  clickWelcomeButton,
  openViewContainer,
  quickInputState,
  treeRows,
  typeInQuickInput,
  until,
  viewTitleMenuItems,
  runViewTitleMenuItem,
  waitForNotification,
  waitForTaskRow,
  welcomeView,
} from './workbench';

const VIEW = 'Tasks';
const NO_TOKEN = 'Without a token';
const NO_TASKS = 'No documents parsed yet';

async function welcomeShows(text: string): Promise<void> {
  await welcomeView(ui().page, VIEW).filter({ hasText: text }).waitFor({ state: 'visible', timeout: 15_000 });
}

describe('Tasks view welcome buttons (UI)', function () {
  this.timeout(120_000);
  let fake: FakeMinerU;

  before(async () => {
    fake = useFakeMinerU();
    const { page } = ui();
    await openViewContainer(page, 'MinerU');
    // An empty view without a token, whatever the suites before left behind (all finished by now).
    if ((await treeRows(page, VIEW)).length > 0) await clickViewTitleAction(page, 'Clear Finished Tasks');
    if ((await viewTitleMenuItems(page)).includes('Clear API Token')) {
      await runViewTitleMenuItem(page, 'Clear API Token');
      await waitForNotification(page, /API token removed/);
    }
    await welcomeShows(NO_TOKEN);
  });

  after(async () => {
    const { page } = ui();
    await page.keyboard.press('Escape');
    // Leave no token behind (the token test sets one).
    if ((await viewTitleMenuItems(page).catch((): string[] => [])).includes('Clear API Token')) {
      await runViewTitleMenuItem(page, 'Clear API Token');
      await waitForNotification(page, /API token removed/);
    }
  });

  it('[welcome:mineru.parseUrl] without a token: "Parse Document from URL" opens the URL prompt', async () => {
    const { page } = ui();
    await welcomeShows(NO_TOKEN);
    const before = fake.requests.length;
    await clickWelcomeButton(page, VIEW, 'Parse Document from URL');
    const prompt = await quickInputState(page);
    assert.match(prompt.title, /MinerU: Parse Document from URL/);
    assert.equal(prompt.password, false);
    await page.keyboard.press('Escape'); // a person changing their mind: nothing is sent
    await welcomeShows(NO_TOKEN);
    assert.equal(fake.requests.length, before);
  });

  it('[welcome:mineru.setToken] "Set API Token" asks in a password box, and the welcome text follows', async () => {
    const { page } = ui();
    await welcomeShows(NO_TOKEN);
    await clickWelcomeButton(page, VIEW, 'Set API Token');
    const prompt = await quickInputState(page);
    assert.equal(prompt.password, true, 'the token prompt is a password box');
    await typeInQuickInput(page, fake.token, { submit: true });
    await waitForNotification(page, /API token saved/);
    await welcomeShows(NO_TASKS);
    await until(
      'the no-token text to go',
      async () => !(await welcomeView(page, VIEW).textContent())?.includes(NO_TOKEN),
    );
  });

  it('[welcome:mineru.parseUrl] with a token: "Parse Document from URL" parses the document, and the view lists it', async () => {
    const { page } = ui();
    await welcomeShows(NO_TASKS);
    await clickWelcomeButton(page, VIEW, 'Parse Document from URL');
    await answerInputBox(page, 'https://example.com/menus/welcome-doc.pdf');
    await waitForTaskRow(page, VIEW, 'welcome-doc', 'done');
    const submit = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task'));
    assert.equal((submit?.body as { url?: string }).url, 'https://example.com/menus/welcome-doc.pdf');
    assert.equal(submit?.headers.authorization, `Bearer ${fake.token}`);
    await welcomeView(page, VIEW).first().waitFor({ state: 'hidden', timeout: 10_000 });
  });
});
