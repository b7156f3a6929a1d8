// The extension's runtime strings in a real host running in Simplified Chinese (run by
// `run-host-tests.mjs --locale zh-cn`): notifications, errors and tree rows are compared with the
// translations in l10n/bundle.l10n.zh-cn.json, read from the file, so they fail when the host is not
// in zh-cn or the extension's bundle is not loaded (the English text would show instead).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import type { BatchNode } from '../../src/vscode/taskTree';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';
import { api, configure, finished, answerMessages, waitFor, type ShownMessage } from '../integration/helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BUNDLE = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'),
) as Record<string, string>;

/** The zh-cn translation of `key` with its {0}, {1} … filled in, as vscode.l10n.t does. */
function zh(key: string, ...args: (string | number)[]): string {
  const text = BUNDLE[key];
  assert.ok(text, `l10n/bundle.l10n.zh-cn.json has no translation of ${JSON.stringify(key)}`);
  return text.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
}

/** Waits for a notification matching `match`; on time-out names every one that was shown. */
async function waitForMessage(
  shown: ShownMessage[],
  what: string,
  match: (m: ShownMessage) => boolean,
): Promise<ShownMessage> {
  try {
    return await waitFor(what, () => shown.find(match), 10_000);
  } catch (err) {
    const seen = shown.map((m) => `${m.kind}: ${m.message} [${m.items.join(' | ')}]`);
    throw new Error(`${(err as Error).message}; shown: ${seen.join(' ;; ') || '(none)'}`);
  }
}

const EXPIRED_TOKEN = 'expired-token-for-the-zh-cn-suite';

describe('[zh-cn] runtime strings in a host running in Simplified Chinese', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;

  before(async () => {
    fake = await startFakeMinerU({ progress: 'timed', stepMs: 40, pages: 3, expiredTokens: [EXPIRED_TOKEN] });
    await configure('apiBaseUrl', fake.apiBaseUrl);
    await configure('agentBaseUrl', fake.agentBaseUrl);
    a = await api();
    await a.setToken(fake.token);
  });
  after(async () => {
    await configure('apiBaseUrl', undefined);
    await configure('agentBaseUrl', undefined);
    await fake?.close();
  });
  beforeEach(async () => {
    await a.engine.clearFinished();
    fake.reset();
  });

  it('[zh-cn] the extension host reports zh-cn as the display language', () => {
    assert.equal(vscode.env.language, 'zh-cn');
  });

  it('[zh-cn] [cmd:mineru.parseUrl] a finished document: the notification, its button and the tree row are Chinese', async () => {
    await answerMessages(
      () => undefined,
      async (shown) => {
        const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
          'mineru.parseUrl',
          'https://example.com/zh-ready.pdf',
        );
        const id = tasks[0]!.id;
        const [done] = await waitFor('the task to finish', () => finished(a, [id]));
        assert.equal(done!.state, 'done', JSON.stringify(done!.error));
        const ready = zh(
          'MinerU: "{0}" is ready: {1}',
          done!.name,
          path.basename(done!.result!.markdownPath),
        );
        const note = await waitForMessage(shown, 'the "ready" notification', (m) => m.message === ready);
        assert.equal(note.kind, 'info');
        assert.deepEqual(note.items, [zh('Open')]);

        const item = a.tree.getTreeItem(a.tree.nodeFor(id)!);
        assert.equal(item.label, done!.name);
        assert.ok(
          String(item.description).startsWith(`${zh('done')} · `),
          `description: ${String(item.description)}`,
        );
        const tooltip = item.tooltip as vscode.MarkdownString;
        assert.ok(tooltip.value.includes(`${zh('Source')}: `), tooltip.value);
        assert.equal(item.command?.title, zh('Open Result'));
      },
    );
  });

  it('[zh-cn] an expired token and the failed document: both error notifications and the tree row are Chinese', async () => {
    await a.setToken(EXPIRED_TOKEN);
    try {
      await answerMessages(
        () => undefined,
        async (shown) => {
          const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
            'mineru.parseUrl',
            'https://example.com/zh-expired.pdf',
          );
          const id = tasks[0]!.id;
          const [failed] = await waitFor('the task to fail', () => finished(a, [id]));
          assert.equal(failed!.state, 'failed');
          assert.equal(failed!.error?.code, 'A0211');

          const expired = zh('MinerU: the API token has expired (A0211). Create a new token and set it.');
          const auth = await waitForMessage(shown, 'the expired-token error', (m) => m.message === expired);
          assert.equal(auth.kind, 'error');
          assert.deepEqual(auth.items, [zh('Set API Token')]);

          // 'MinerU: "{0}": {1}' around the error's own description.
          const prefix = zh('MinerU: "{0}": {1}', failed!.name, '');
          const taskError = await waitForMessage(shown, 'the failed-document error', (m) =>
            m.message.startsWith(prefix),
          );
          assert.equal(taskError.kind, 'error');
          assert.deepEqual(taskError.items, [zh('Retry'), zh('Show Log')]);
          // The error's own description (reason code A0211, worded by src/vscode/errorText.ts) too.
          const expiredText = zh('The API token has expired');
          const setTokenHint = zh('Set a new API token (create one at https://mineru.net/apiManage/token)');
          assert.ok(taskError.message.includes(expiredText), taskError.message);
          assert.ok(taskError.message.includes(setTokenHint), taskError.message);

          const item = a.tree.getTreeItem(a.tree.nodeFor(id)!);
          assert.ok(
            String(item.description).startsWith(`${zh('failed')} · `),
            `description: ${String(item.description)}`,
          );
          const tooltip = (item.tooltip as vscode.MarkdownString).value;
          assert.ok(tooltip.includes(expiredText), tooltip);
        },
      );
    } finally {
      await a.setToken(fake.token);
    }
  });

  it('[zh-cn] [cmd:mineru.parseLinks] a batch: its tree row and the summary notification are Chinese', async () => {
    const doc = await vscode.workspace.openTextDocument({
      content: 'https://example.com/zh-batch-a.pdf\nhttps://example.com/zh-batch-b.pdf\n',
      language: 'markdown',
    });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    try {
      await answerMessages(
        () => undefined,
        async (shown) => {
          const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
          assert.equal(tasks?.length, 2);
          const ids = tasks.map((t) => t.id);
          const batch = () =>
            a.tree
              .getChildren()
              .find((n): n is BatchNode => n.kind === 'batch' && n.taskIds.includes(ids[0]!));
          const node = await waitFor('the batch row', batch);
          assert.equal(a.tree.getTreeItem(node).label, zh('Batch of {0} documents', 2));
          const done = await waitFor('both to finish', () => finished(a, ids));
          assert.deepEqual(
            done.map((t) => t.state),
            ['done', 'done'],
          );
          assert.equal(a.tree.getTreeItem(batch()!).description, zh('{0}/{1} done', 2, 2));
          const summary = zh('MinerU: {0} documents are ready.', 2);
          const note = await waitForMessage(shown, 'the summary notification', (m) => m.message === summary);
          assert.deepEqual(note.items, [zh('Open'), zh('Show Tasks')]);
        },
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
