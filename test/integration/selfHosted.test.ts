// The user's own MinerU server in the real extension host, against the self-hosted fake
// (mineru-api 3.4.4): a file parsed from the Explorer goes there and lands in the cloud's result
// layout, the tree names the service, the proxy credential is typed in, kept in SecretStorage and
// sent only to the server, and Test Connection checks /health, the credential and /tasks.
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerCheck } from '../../src/core/services/selfHosted/serverCheck';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import { startFakeSelfHosted, type FakeSelfHosted } from '../fake-mineru/selfHosted/server';
import { makePdf } from '../unit/helpers/pdf';
import {
  answerInputBoxes,
  answerQuickPicks,
  api,
  configure,
  finished,
  waitFor,
  workspaceRoot,
} from './helpers';

const CREDENTIAL_KEY = 'mineru.selfHosted.credential';

async function writeDoc(name: string): Promise<vscode.Uri> {
  const p = path.join(workspaceRoot(), 'own-server', name);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, makePdf({ pages: 2 }));
  return vscode.Uri.file(p);
}

async function parse(a: MinerUTestApi, uri: vscode.Uri): Promise<TaskRecord> {
  const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]);
  assert.equal(tasks?.length, 1);
  const [done] = await waitFor('the task to finish', () => finished(a, [tasks[0]!.id]));
  return done!;
}

describe('Your own MinerU server in the real host', function () {
  this.timeout(60_000);
  let fake: FakeSelfHosted;
  let a: MinerUTestApi;

  before(async () => {
    fake = await startFakeSelfHosted({ stepMs: 40, auth: { bearer: ['proxy-token-1234'] } });
    a = await api();
  });
  after(async () => {
    await configure('service', undefined);
    await configure('selfHosted.url', undefined);
    await a.secrets.delete(CREDENTIAL_KEY);
    await fake.close();
    await fs.rm(path.join(workspaceRoot(), 'own-server'), { recursive: true, force: true });
  });

  it('[cmd:mineru.setSelfHostedCredential] [setting:mineru.service] [setting:mineru.selfHosted.url] a file from the Explorer goes to your server with the credential typed in, and lands in the cloud layout', async () => {
    await configure('service', 'selfHosted');
    await configure('selfHosted.url', fake.baseUrl);
    await answerQuickPicks(
      (items) => items.find((i) => /Bearer/.test(i.label)),
      () =>
        answerInputBoxes(
          () => 'proxy-token-1234',
          async () => vscode.commands.executeCommand('mineru.setSelfHostedCredential'),
        ),
    );
    assert.deepEqual(JSON.parse((await a.secrets.get(CREDENTIAL_KEY)) ?? '{}'), {
      kind: 'bearer',
      token: 'proxy-token-1234',
    });
    const before = fake.requests.length;
    const done = await parse(a, await writeDoc('own report.pdf'));
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    assert.equal(done.mode, 'selfHosted');
    const folder = path.join(workspaceRoot(), 'mineru', 'own report');
    assert.equal(done.result?.markdownPath, path.join(folder, 'own report.md'));
    assert.ok(existsSync(path.join(folder, 'images')), 'images/ beside the Markdown');
    assert.equal(done.result?.brokenImageLinks, 0);
    const mine = fake.requests.slice(before);
    assert.ok(mine.some((q) => q.method === 'POST' && q.path === '/tasks'));
    assert.ok(mine.every((q) => q.headers.authorization === 'Bearer proxy-token-1234'));
    const item = a.tree.getTreeItem(a.tree.nodeFor(done.id)!);
    assert.match(String(item.description), /your server/);
  });

  it('[cmd:mineru.clearSelfHostedCredential] Clear removes the credential: the proxy then refuses, and the task says to check it', async () => {
    await configure('service', 'selfHosted');
    await configure('selfHosted.url', fake.baseUrl);
    await vscode.commands.executeCommand('mineru.clearSelfHostedCredential');
    assert.equal(await a.secrets.get(CREDENTIAL_KEY), undefined);
    const done = await parse(a, await writeDoc('no credential.pdf'));
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.reason, 'selfHosted.credential');
    assert.match(done.error?.hint ?? '', /Check the credential for this server/);
  });

  it('[cmd:mineru.testConnection] Test Connection checks /health (version), the credential and /tasks; a 2.x server is named', async () => {
    await configure('service', 'selfHosted');
    await configure('selfHosted.url', fake.baseUrl);
    await a.secrets.store(CREDENTIAL_KEY, JSON.stringify({ kind: 'bearer', token: 'proxy-token-1234' }));
    const ok = await vscode.commands.executeCommand<ServerCheck[]>('mineru.testConnection');
    assert.deepEqual(
      ok.map((r) => [r.id, r.outcome]),
      [
        ['server', 'passed'],
        ['credential', 'passed'],
        ['tasks', 'passed'],
      ],
    );
    assert.equal(ok[0]!.version, '3.4.4');
    const legacy = await startFakeSelfHosted({ version: '2.7.6' });
    try {
      await configure('selfHosted.url', legacy.baseUrl);
      const old = await vscode.commands.executeCommand<ServerCheck[]>('mineru.testConnection');
      assert.ok(
        old.some((r) => r.legacy),
        JSON.stringify(old),
      );
      assert.equal(old.find((r) => r.id === 'tasks')?.outcome, 'failed');
    } finally {
      await legacy.close();
    }
  });
});
