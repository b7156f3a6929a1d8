// Issue 6 in the real host against the fake MinerU: settings reach the wire (batch placement,
// batch endpoint override, data_id template, no_cache), extra formats open from the tree, a quota
// answer pauses the queue and Refresh resumes it, a callback without a seed is refused before
// anything is sent, Test Connection reports passed and failed checks, and the UI language.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { CheckResult } from '../../src/core/api/connectionCheck';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import type { FakeMinerU } from '../fake-mineru/server';
import { configure, finished, useFakeMinerU, waitFor } from './helpers';

const SETTINGS = [
  'apiBaseUrl',
  'agentBaseUrl',
  'batchApiBaseUrl',
  'dataIdTemplate',
  'noCache',
  'extraFormats',
  'callback',
  'seed',
  'mode',
];

describe('Power and scale in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;

  const suite = useFakeMinerU({ mode: 'precise' });
  before(() => ({ fake, api: a } = suite));
  after(async () => {
    for (const key of SETTINGS) await configure(key, undefined);
  });

  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.engine.clearFinished();
    fake.reset();
    for (const key of ['batchApiBaseUrl', 'dataIdTemplate', 'noCache', 'extraFormats', 'callback', 'seed'])
      await configure(key, undefined);
  });

  it('settings reach the wire: batch host override, per-file vs top-level, data_id template, no_cache [setting:mineru.batchApiBaseUrl] [setting:mineru.dataIdTemplate] [setting:mineru.noCache] [setting:mineru.extraFormats] [cmd:mineru.openExtra]', async () => {
    // Same fake, another host name: the batch routes must go there, single tasks must not.
    const batchBase = fake.apiBaseUrl.replace('127.0.0.1', 'localhost');
    await configure('batchApiBaseUrl', batchBase);
    await configure('dataIdTemplate', '{name}-{index}');
    await configure('noCache', true);
    await configure('extraFormats', ['latex']);
    const content = '- https://example.com/pw/alpha.pdf\n- https://example.com/pw/beta.pdf\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
    assert.equal(tasks?.length, 2);
    const batch = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task/batch'));
    assert.ok(batch, 'one batch request');
    assert.match(batch.headers.host ?? '', /^localhost:/, 'sent to mineru.batchApiBaseUrl');
    const body = batch.body as Record<string, unknown>;
    assert.deepEqual(body.files, [
      { url: 'https://example.com/pw/alpha.pdf', is_ocr: false, data_id: 'alpha-1' },
      { url: 'https://example.com/pw/beta.pdf', is_ocr: false, data_id: 'beta-2' },
    ]);
    assert.equal(body.no_cache, true);
    assert.deepEqual(body.extra_formats, ['latex']);
    assert.equal(body.is_ocr, undefined, 'is_ocr is per file in batch requests');
    const done = await waitFor('the batch', () =>
      finished(
        a,
        tasks.map((t) => t.id),
      ),
    );
    assert.ok(
      done.every((t) => t.state === 'done'),
      JSON.stringify(done.map((t) => t.error)),
    );
    const polls = fake.requests.filter((r) => r.path.includes('/extract-results/batch/'));
    assert.ok(polls.length > 0 && polls.every((r) => /^localhost:/.test(r.headers.host ?? '')));

    // The extra format is saved beside the Markdown and the tree row offers to open it.
    const alpha = done.find((t) => t.name === 'alpha')!;
    const item = a.tree.getTreeItem(a.tree.nodeFor(alpha.id)!);
    assert.match(String(item.contextValue), /\bhasExtras\b/);
    await vscode.commands.executeCommand('mineru.openExtra', alpha.id);
    const opened = await waitFor(
      'the .tex editor',
      () => vscode.window.activeTextEditor?.document.uri.fsPath,
    );
    assert.match(opened, /[\\/]alpha[\\/]alpha\.tex$/);
  });

  it('a daily-quota answer pauses the task (shown in the tree), and Refresh resumes it [cmd:mineru.refresh]', async () => {
    fake.faults.businessErrorNext = { route: 'extract/task$', code: -60018, msg: 'daily limit', count: 1 };
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/pw/quota.pdf',
    );
    const id = tasks[0]!.id;
    const paused = a.store.get(id)!;
    assert.equal(paused.state, 'submitting');
    assert.equal(paused.paused?.code, '-60018');
    const item = a.tree.getTreeItem(a.tree.nodeFor(id)!);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'debug-pause');
    assert.match(String(item.description), new RegExp(vscode.l10n.t('paused until {0}', '.+')));
    assert.ok(a.engine.pausedUntil! > Date.now());
    await vscode.commands.executeCommand('mineru.refresh');
    const [done] = await waitFor('the resumed task', () => finished(a, [id]));
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.equal(done!.paused, undefined);
  });

  it('a callback without a seed is refused before anything is sent [setting:mineru.callback] [setting:mineru.seed]', async () => {
    await configure('callback', 'http://127.0.0.1:9/hook');
    try {
      const before = fake.requests.length;
      const tasks = await vscode.commands.executeCommand<TaskRecord[] | undefined>(
        'mineru.parseUrl',
        'https://example.com/pw/cb.pdf',
      );
      assert.equal(tasks, undefined);
      assert.equal(fake.requests.length, before);
      await configure('seed', 'seed_1');
      const ok = await vscode.commands.executeCommand<TaskRecord[]>(
        'mineru.parseUrl',
        'https://example.com/pw/cb.pdf',
      );
      assert.equal(ok?.length, 1);
      const submit = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task'))!;
      assert.deepEqual(
        [(submit.body as { callback?: string }).callback, (submit.body as { seed?: string }).seed],
        ['http://127.0.0.1:9/hook', 'seed_1'],
      );
    } finally {
      await configure('callback', undefined);
      await configure('seed', undefined);
    }
  });

  it('Test Connection reports passed checks, a rejected token and an unreachable API [cmd:mineru.testConnection] [setting:mineru.apiBaseUrl]', async () => {
    // A finished result makes the result host known (a private deployment has no default CDN).
    const [t] = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/pw/conn.pdf',
    );
    await waitFor('the result', () => finished(a, [t!.id]));
    const ok = await vscode.commands.executeCommand<CheckResult[]>('mineru.testConnection');
    assert.deepEqual(
      ok.map((r) => [r.id, r.outcome]),
      [
        ['api', 'passed'],
        ['token', 'passed'],
        ['upload', 'passed'],
        ['result', 'passed'],
      ],
    );
    await a.setToken('not-a-valid-token');
    try {
      const bad = await vscode.commands.executeCommand<CheckResult[]>('mineru.testConnection');
      const token = bad.find((r) => r.id === 'token')!;
      assert.equal(token.outcome, 'failed');
      assert.equal(token.code, 'A0202');
    } finally {
      await a.setToken(fake.token);
    }
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    await configure('apiBaseUrl', `http://127.0.0.1:${port}/api/v4`);
    try {
      const down = await vscode.commands.executeCommand<CheckResult[]>('mineru.testConnection');
      assert.equal(down.find((r) => r.id === 'api')!.code, 'ECONNREFUSED');
      assert.equal(down.find((r) => r.id === 'token')!.outcome, 'failed');
    } finally {
      await configure('apiBaseUrl', fake.apiBaseUrl);
    }
  });
});
