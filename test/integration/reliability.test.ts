// Fault matrix rows that need the real VS Code host (RELIABILITY.md): a workspace that tries to
// redirect the API (and so the token) to a host of its choosing, a window reload in the middle of a
// result download, and the token kept out of settings and workspace state.
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { FakeMinerU } from '../fake-mineru/server';
import { TOKEN_SECRET_KEY, useFakeMinerU, waitFor } from './helpers';

function finished(a: MinerUTestApi, id: string): TaskRecord | undefined {
  const t = a.store.get(id);
  return t && (t.state === 'done' || t.state === 'failed') ? t : undefined;
}

function sizeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.size;
}

/** A loopback listener that counts every connection made to it and answers none. */
async function startTrap(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    hits++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('reliability in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;

  const suite = useFakeMinerU();
  before(() => ({ fake, api: a } = suite));

  beforeEach(async () => {
    await a.engine.clearFinished();
    fake.reset();
  });

  it('[R-SEC-3] a workspace .vscode/settings.json naming another API host is ignored: no request reaches that host [setting:mineru.apiBaseUrl]', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const settingsFile = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
    const original = await fs.readFile(settingsFile, 'utf8');
    const trap = await startTrap();
    try {
      const changed = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeConfiguration((e) => {
          if (e.affectsConfiguration('mineru')) {
            sub.dispose();
            resolve();
          }
        });
      });
      await fs.writeFile(
        settingsFile,
        JSON.stringify(
          { 'mineru.apiBaseUrl': `${trap.url}/api/v4`, 'mineru.agentBaseUrl': `${trap.url}/api/v1/agent` },
          null,
          2,
        ),
      );
      await Promise.race([changed, new Promise((r) => setTimeout(r, 3000))]);
      const inspected = vscode.workspace.getConfiguration('mineru').inspect<string>('apiBaseUrl');
      assert.equal(inspected?.globalValue, fake.apiBaseUrl);

      const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
        'mineru.parseUrl',
        'https://example.com/workspace-redirect.pdf',
      );
      assert.equal(tasks?.length, 1);
      const done = await waitFor('done', () => finished(a, tasks[0]!.id));
      assert.equal(done.state, 'done', JSON.stringify(done.error));
      assert.ok(
        fake.requests.some((r) => r.method === 'POST' && r.headers.authorization === `Bearer ${fake.token}`),
        'the user-level endpoint got the request',
      );
      assert.equal(trap.hits(), 0, 'the host named by the workspace got no connection');
    } finally {
      await fs.writeFile(settingsFile, original);
      await trap.close();
    }
  });

  it('[R-INT-2h] a window reload in the middle of a result download, part of the archive on disk: the import is retried once, nothing half-written', async () => {
    // The first bytes of the archive arrive and are written to the temp folder, then the transfer stalls.
    const sentBytes = 1537;
    const tmp = os.tmpdir();
    const earlier = new Set(readdirSync(tmp)); // other runs' files are not this test's
    fake.faults.stallNext = { route: '\\.zip$', count: 1, afterBytes: sentBytes };
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/reload-mid-download.pdf',
    );
    const id = tasks[0]!.id;
    // The importer downloads to <tmp>/mineru-<uuid>.zip through a ".<name>.<hex>.part" beside it.
    const part = await waitFor('part of the archive on disk', () =>
      readdirSync(tmp).find(
        (n) =>
          /^\.mineru-[0-9a-f-]+\.zip\.[0-9a-f]+\.part$/.test(n) &&
          !earlier.has(n) &&
          sizeOf(path.join(tmp, n)) === sentBytes,
      ),
    );
    assert.equal(a.store.get(id)?.state, 'importing');
    await a.store.flush();
    a = a.restart();
    const done = await waitFor('done after the reload', () => finished(a, id));
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const names = await fs.readdir(path.join(folder, 'mineru'));
    assert.deepEqual(
      names.filter((n) => n.startsWith('reload-mid-download') || n.startsWith('.mineru-tmp-')),
      ['reload-mid-download'],
    );
    assert.equal(fake.requests.filter((r) => r.path.endsWith('.zip')).length, 2);
    const archive = part.replace(/^\./, '').replace(/\.[0-9a-f]+\.part$/, '');
    await waitFor('the partial archive to be removed', () => !existsSync(path.join(tmp, part)), 2000).catch(
      () => undefined,
    );
    assert.deepEqual(
      [part, archive].filter((n) => existsSync(path.join(tmp, n))),
      [],
      'the interrupted download left no partial or temporary archive',
    );
  });

  it('[R-SEC-5] the token is in no setting and nowhere in workspace state', async () => {
    const token = fake.token;
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/fail-secret-state.pdf',
    );
    await waitFor('finished', () => finished(a, tasks[0]!.id));
    await a.store.flush();
    const config = vscode.workspace.getConfiguration('mineru');
    const keys = Object.keys(config).filter((k) => typeof config.get(k) !== 'function');
    for (const key of keys) {
      assert.ok(!JSON.stringify(config.inspect(key) ?? {}).includes(token), `mineru.${key}`);
    }
    assert.ok(!JSON.stringify(a.store.all()).includes(token));
    assert.equal(await a.secrets.get(TOKEN_SECRET_KEY), token, 'it is in SecretStorage');
  });
});
