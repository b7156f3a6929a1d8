// Every `mineru.*` setting that no other host test sets, set in the real extension host against
// the fake MinerU, with its effect shown on the wire or on disk, each next to a control run that
// shows the other outcome (so a setting that is ignored fails its test). And the output folder:
// `mineru.outputDirectory` cannot leave the workspace (`..`, absolute paths, symbolic links), and
// an untrusted workspace cannot set it (restrictedConfigurations).
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import type { FakeMinerU, RecordedRequest } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import {
  answerMessages,
  configure,
  EXTENSION_ID,
  finished,
  useFakeMinerU,
  waitFor,
  workspaceRoot,
  type ShownMessage,
} from './helpers';

const MB = 1_048_576;

/** A loopback server that serves `body` for every path and counts the requests. */
async function serve(
  body: Buffer,
): Promise<{ url: (p: string) => string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}/${p}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('Settings in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;
  const touched = new Set<string>();

  const suite = useFakeMinerU({ mode: 'precise' });
  before(() => ({ fake, api: a } = suite));

  /** Sets a setting for this test; afterEach removes it. */
  async function set(key: string, value: unknown): Promise<void> {
    touched.add(key);
    await configure(key, value);
  }

  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // A test that failed half-way may leave work running; let it end before the next one counts.
    await waitFor('no active task', () =>
      a.store.all().every((t) => t.state === 'done' || t.state === 'failed'),
    );
    await a.engine.clearFinished();
    fake.reset();
  });
  afterEach(async () => {
    for (const key of touched) await configure(key, undefined);
    touched.clear();
  });

  const posts = (route: RegExp): RecordedRequest[] =>
    fake.requests.filter((r) => r.method === 'POST' && route.test(r.path));
  const puts = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'PUT');

  /** Parses one URL with the current settings; returns the body of its submission and the task. */
  async function submitOne(url: string): Promise<{ body: Record<string, unknown>; task: TaskRecord }> {
    const before = posts(/\/extract\/task$/).length;
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseUrl', url);
    assert.equal(tasks?.length, 1, `one task for ${url}`);
    const submits = posts(/\/extract\/task$/);
    assert.equal(submits.length, before + 1, 'one submission');
    const [task] = await waitFor(`${url} to finish`, () => finished(a, [tasks[0]!.id]));
    return { body: submits.at(-1)!.body as Record<string, unknown>, task: task! };
  }

  async function writeDoc(rel: string, content: Buffer): Promise<vscode.Uri> {
    const p = path.join(workspaceRoot(), 'settings-docs', rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
    return vscode.Uri.file(p);
  }

  // ---- Parse options: one wire field each, the default first, then the setting --------------

  /** The wire field without the setting, then with it: a test body for one option setting. */
  const sentAs =
    (key: string, value: string | boolean, field: string, byDefault: string | boolean | undefined) =>
    async () => {
      const plain = await submitOne(`https://example.com/set/${key}-default.pdf`);
      assert.equal(plain.body[field], byDefault, `${field} without the setting`);
      await set(key, value);
      const withIt = await submitOne(`https://example.com/set/${key}-set-pages-5.pdf`);
      assert.equal(withIt.body[field], value, `${field} with mineru.${key} = ${String(value)}`);
      assert.equal(withIt.task.state, 'done', JSON.stringify(withIt.task.error));
    };
  // Written out one by one, so that each title names its setting (scripts/coverage-table.mjs).
  it(
    '[setting:mineru.modelVersion] is sent as model_version',
    sentAs('modelVersion', 'pipeline', 'model_version', 'vlm'),
  );
  it('[setting:mineru.isOcr] is sent as is_ocr', sentAs('isOcr', true, 'is_ocr', false));
  it(
    '[setting:mineru.enableFormula] is sent as enable_formula',
    sentAs('enableFormula', false, 'enable_formula', true),
  );
  it(
    '[setting:mineru.enableTable] is sent as enable_table',
    sentAs('enableTable', false, 'enable_table', true),
  );
  it('[setting:mineru.language] is sent as language', sentAs('language', 'en', 'language', 'ch'));
  it(
    '[setting:mineru.pageRanges] is sent as page_ranges',
    sentAs('pageRanges', '2-3', 'page_ranges', undefined),
  );

  it('[setting:mineru.pageRanges] a malformed value is not sent', async () => {
    await set('pageRanges', '3-1x');
    const { body } = await submitOne('https://example.com/set/bad-ranges.pdf');
    assert.equal(body.page_ranges, undefined);
  });

  it('[setting:mineru.mode] quick: the agent API is used even with a token set', async () => {
    await set('mode', 'quick');
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      'https://example.com/set/quick-mode.pdf',
    );
    assert.equal(tasks?.[0]?.mode, 'quick');
    await waitFor('done', () => finished(a, [tasks[0]!.id]));
    assert.ok(posts(/\/agent\/parse\/url$/).length === 1, 'submitted to the agent API');
    assert.equal(posts(/\/extract\/task/).length, 0, 'not to the token API');
    assert.ok(
      fake.requests.every((r) => r.headers.authorization === undefined),
      'no token sent',
    );
  });

  // ---- Limits ---------------------------------------------------------------------------------

  it('[setting:mineru.batchLimit] a selection of 5 links with a limit of 2 is 3 batch requests (2, 2, 1)', async () => {
    const content = [1, 2, 3, 4, 5].map((i) => `- https://example.com/set/limit-${i}.pdf`).join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    const editor = await vscode.window.showTextDocument(doc);
    const run = async (): Promise<number[]> => {
      fake.reset();
      editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
      assert.equal(tasks?.length, 5);
      await waitFor('the batches', () =>
        finished(
          a,
          tasks.map((t) => t.id),
        ),
      );
      return posts(/\/extract\/task\/batch$/).map((r) => (r.body as { files: unknown[] }).files.length);
    };
    assert.deepEqual(await run(), [5], 'one request with the default limit');
    await set('batchLimit', 2);
    assert.deepEqual(await run(), [2, 2, 1]);
  });

  it('[setting:mineru.maxResultSizeMB] a result zip over the limit is refused and nothing is written', async () => {
    const output = path.join(workspaceRoot(), 'mineru');
    fake.faults.zipPadBytes = 2 * MB;
    await set('maxResultSizeMB', 1);
    const big = await submitOne('https://example.com/set/big-result.pdf');
    assert.equal(big.task.state, 'failed');
    assert.match(
      big.task.error?.message ?? '',
      /larger|limit|too large|exceed/i,
      JSON.stringify(big.task.error),
    );
    const names = existsSync(output) ? await fs.readdir(output) : [];
    assert.deepEqual(
      names.filter((n) => n.startsWith('big-result') || n.startsWith('.mineru-tmp-')),
      [],
      'no result folder and no temporary folder',
    );
    // Control: the same result under a limit above its size is imported.
    await set('maxResultSizeMB', 4);
    const ok = await submitOne('https://example.com/set/big-result-ok.pdf');
    assert.equal(ok.task.state, 'done', JSON.stringify(ok.task.error));
  });

  it('[setting:mineru.maxFileSizeMB] a file over the limit is refused before any request; under a higher limit it goes', async () => {
    const uri = await writeDoc('size-limit.pdf', makePdf({ pages: 1, padBytes: Math.round(1.5 * MB) }));
    await set('maxFileSizeMB', 1);
    const { tasks, shown } = await answerMessages(
      () => undefined,
      async (shown) => ({
        tasks: await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]),
        shown,
      }),
    );
    assert.deepEqual(tasks, []);
    assert.equal(fake.requests.length, 0, 'nothing was requested or uploaded');
    assert.ok(
      shown.some((m) => m.kind === 'warning' && /mineru\.maxFileSizeMB/.test(m.message)),
      `the refusal names the setting: ${JSON.stringify(shown)}`,
    );
    await set('maxFileSizeMB', 2);
    const sent = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]);
    assert.equal(sent?.length, 1);
    assert.equal(puts().length, 1, 'uploaded under a 2 MB limit');
    await waitFor('done', () => finished(a, [sent[0]!.id]));
  });

  it('[setting:mineru.localDownloadMaxMB] download-here is refused over the cap, nothing uploaded', async () => {
    const server = await serve(makePdf({ pages: 1, padBytes: 2 * MB }));
    await set('uploadUrlsLocally', 'always');
    await set('localDownloadMaxMB', 1);
    try {
      const { tasks, shown } = await answerMessages(
        () => undefined,
        async (shown) => ({
          tasks: await vscode.commands.executeCommand<TaskRecord[]>(
            'mineru.parseUrl',
            server.url('cap/over-cap.pdf'),
          ),
          shown,
        }),
      );
      assert.deepEqual(tasks, []);
      assert.ok(
        shown.some((m) => m.kind === 'error' && m.message.includes('over-cap.pdf')),
        `the failed download is reported: ${JSON.stringify(shown)}`,
      );
      assert.equal(puts().length, 0, 'nothing uploaded');
      assert.equal(posts(/file-urls|extract/).length, 0, 'nothing submitted');
      // Control: under a cap above its size, the same document is downloaded and uploaded.
      await set('localDownloadMaxMB', 3);
      const ok = await vscode.commands.executeCommand<TaskRecord[]>(
        'mineru.parseUrl',
        server.url('cap/under-cap.pdf'),
      );
      assert.equal(ok?.length, 1);
      assert.equal(puts().length, 1);
      await waitFor('done', () => finished(a, [ok[0]!.id]));
    } finally {
      await server.close();
    }
  });

  it('[setting:mineru.uploadUrlsLocally] never: no Download Here offered, and the command refuses [cmd:mineru.uploadFromUrl]', async () => {
    const server = await serve(makePdf({ pages: 1 }));
    try {
      const failOnce = async (name: string): Promise<{ task: TaskRecord; shown: ShownMessage[] }> => {
        // The notifier merges results that finish within 1.5 s of each other into one summary;
        // let any earlier result's notification go first, so this failure gets its own.
        await new Promise((r) => setTimeout(r, 2000));
        return answerMessages(
          () => undefined,
          async (shown) => {
            const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
              'mineru.parseUrl',
              server.url(name),
            );
            const [task] = await waitFor('the failure', () => finished(a, [tasks[0]!.id]));
            const own = await waitFor(
              'the failure notification',
              () => shown.find((m) => m.kind === 'error' && m.message.includes(task!.name)),
              5000,
            );
            return { task: task!, shown: [own] };
          },
        );
      };
      const upload = vscode.l10n.t('Download Here and Upload');
      // Control, the default (onFailure): the notification offers it.
      const offered = await failOnce('unfetchable-offered.pdf');
      assert.equal(offered.task.state, 'failed');
      assert.ok(offered.shown.find((m) => m.kind === 'error')!.items.includes(upload), 'offered by default');

      await set('uploadUrlsLocally', 'never');
      const refused = await failOnce('unfetchable-never.pdf');
      assert.ok(!refused.shown.find((m) => m.kind === 'error')!.items.includes(upload), 'not offered');
      const { result, shown } = await answerMessages(
        () => undefined,
        async (shown) => ({
          result: await vscode.commands.executeCommand<TaskRecord[] | undefined>(
            'mineru.uploadFromUrl',
            refused.task.id,
          ),
          shown,
        }),
      );
      assert.equal(result, undefined);
      assert.ok(
        shown.some((m) => /mineru\.uploadUrlsLocally/.test(m.message)),
        'the user is told why',
      );
      assert.equal(server.hits(), 0, 'nothing downloaded here');
      assert.equal(puts().length, 0, 'nothing uploaded');
      assert.ok(a.store.get(refused.task.id), 'the failed task stays');
    } finally {
      await server.close();
    }
  });

  it('[setting:mineru.maxSubmissionsPerMinute] at 2 a minute the third submission waits; at 0 none does', async () => {
    // A fresh activation: its rate limiter has seen none of the other tests' submissions.
    a = a.restart();
    const content = [1, 2, 3].map((i) => `- https://example.com/set/rate-${i}.pdf`).join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    const editor = await vscode.window.showTextDocument(doc);
    await set('batchLimit', 1);
    await set('maxSubmissionsPerMinute', 2);
    const batches = (): RecordedRequest[] => posts(/\/extract\/task\/batch$/);
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    const running = vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
    await waitFor('two submissions', () => batches().length >= 2);
    const third = await waitFor('the third task', () =>
      a.store.all().find((t) => t.name === 'rate-3' && t.state === 'submitting'),
    );
    // The next slot opens a minute after the first submission: nothing for a good while.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(batches().length, 2, 'the third waits for a slot');
    assert.equal(a.store.get(third.id)?.state, 'submitting');
    // A reload ends the wait (the limiter's sleep is tied to the activation).
    await a.store.flush();
    a = a.restart();
    await running;
    await a.engine.remove(
      a.store
        .all()
        .filter((t) => t.name.startsWith('rate-'))
        .map((t) => t.id),
    );

    fake.reset();
    await set('maxSubmissionsPerMinute', 0);
    editor.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    const free = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseLinks');
    assert.equal(batches().length, 3, 'no limit: all three at once');
    await waitFor('done', () =>
      finished(
        a,
        free.map((t) => t.id),
      ),
    );
  });

  // ---- The output folder ------------------------------------------------------------------------

  it('[setting:mineru.outputDirectory] results go to the folder it names, inside the workspace', async () => {
    await set('outputDirectory', 'results/here');
    const { task } = await submitOne('https://example.com/set/elsewhere.pdf');
    assert.equal(task.state, 'done', JSON.stringify(task.error));
    assert.equal(
      task.result?.markdownPath,
      path.join(workspaceRoot(), 'results', 'here', 'elsewhere', 'elsewhere.md'),
    );
    assert.ok(existsSync(task.result.markdownPath));
  });

  describe('[setting:mineru.outputDirectory] cannot leave the workspace folder', () => {
    const outside = path.join(os.tmpdir(), `mineru-outside-${process.pid}`);
    before(async () => {
      await fs.mkdir(outside, { recursive: true });
      // A folder inside the workspace that is a link to a folder outside it.
      await fs.symlink(outside, path.join(workspaceRoot(), 'linked-out'), 'dir');
    });
    after(async () => {
      await fs.rm(path.join(workspaceRoot(), 'linked-out'), { force: true });
      await fs.rm(outside, { recursive: true, force: true });
    });

    const parentOf = (): string => path.dirname(workspaceRoot());
    const cases: [string, () => string, () => string[]][] = [
      ['..', () => '..', () => [path.join(parentOf(), 'guard-doc')]],
      ['../x', () => '../x', () => [path.join(parentOf(), 'x')]],
      ['mineru/../../x', () => 'mineru/../../x', () => [path.join(parentOf(), 'x')]],
      ['an absolute path', () => path.join(outside, 'abs'), () => [path.join(outside, 'abs')]],
      ['a symlink to a folder outside', () => 'linked-out', () => [path.join(outside, 'guard-doc')]],
      ['a folder under such a symlink', () => 'linked-out/deeper', () => [path.join(outside, 'deeper')]],
    ];
    for (const [label, value, mustNotExist] of cases) {
      it(`${label}: refused with an error naming the setting, nothing sent, nothing written`, async () => {
        await set('outputDirectory', value());
        assert.equal(vscode.workspace.getConfiguration('mineru').get('outputDirectory'), value());
        const { urlResult, fileResult, shown } = await answerMessages(
          () => undefined,
          async (shown) => ({
            urlResult: await vscode.commands.executeCommand<TaskRecord[] | undefined>(
              'mineru.parseUrl',
              'https://example.com/set/guard-doc.pdf',
            ),
            fileResult: await vscode.commands.executeCommand<TaskRecord[] | undefined>(
              'mineru.parseFile',
              await writeDoc('guard-doc.pdf', makePdf({ pages: 1 })),
            ),
            shown,
          }),
        );
        assert.equal(urlResult, undefined, 'the URL is not submitted');
        assert.equal(fileResult, undefined, 'the file is not uploaded');
        const errors = shown.filter((m) => m.kind === 'error' && /mineru\.outputDirectory/.test(m.message));
        assert.equal(errors.length, 2, `one clear error each: ${JSON.stringify(shown)}`);
        assert.ok(errors[0]!.message.includes(value()), 'it quotes the value');
        assert.equal(fake.requests.length, 0, 'nothing was sent');
        for (const p of mustNotExist()) assert.ok(!existsSync(p), `${p} was not created`);
        assert.deepEqual(await fs.readdir(outside), [], 'nothing written in the folder outside');
      });
    }

    it('a folder whose name merely starts with ".." is inside, and allowed', async () => {
      await set('outputDirectory', '..results');
      const { task } = await submitOne('https://example.com/set/dotdot-name.pdf');
      assert.equal(task.state, 'done', JSON.stringify(task.error));
      assert.equal(
        path.dirname(path.dirname(task.result!.markdownPath)),
        path.join(workspaceRoot(), '..results'),
      );
    });
  });

  it('[setting:mineru.outputDirectory] is a restricted setting: a workspace value counts only in a trusted workspace', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } };
    };
    assert.deepEqual(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations, [
      'mineru.outputDirectory',
    ]);
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    const original = await fs.readFile(settingsFile, 'utf8');
    try {
      const changed = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeConfiguration((e) => {
          if (e.affectsConfiguration('mineru.outputDirectory')) {
            sub.dispose();
            resolve();
          }
        });
      });
      const value = JSON.parse(original) as Record<string, unknown>;
      await fs.writeFile(
        settingsFile,
        JSON.stringify({ ...value, 'mineru.outputDirectory': 'from-workspace' }),
      );
      await Promise.race([changed, new Promise((r) => setTimeout(r, 5000))]);
      const { task } = await submitOne('https://example.com/set/trust.pdf');
      assert.equal(task.state, 'done', JSON.stringify(task.error));
      const folder = path.relative(workspaceRoot(), path.dirname(path.dirname(task.result!.markdownPath)));
      // The host suite runs trusted (scripts/host.mjs turns workspace trust off, and a test cannot
      // change trust without a reload); the untrusted branch runs in a host started with trust on
      // (the stage "integration tests (untrusted workspace)" of npm test).
      console.log(`[settings] workspace trusted: ${vscode.workspace.isTrusted}; results went to ${folder}`);
      // npm test runs this test a second time in a host with workspace trust on (--untrusted).
      if (process.env.MINERU_EXPECT_UNTRUSTED === '1') assert.equal(vscode.workspace.isTrusted, false);
      assert.equal(folder, vscode.workspace.isTrusted ? 'from-workspace' : 'mineru');
    } finally {
      await fs.writeFile(settingsFile, original);
      // The next tests set the user value; a lingering workspace value would win over it.
      await waitFor(
        'the workspace value to go',
        () =>
          vscode.workspace.getConfiguration('mineru').inspect('outputDirectory')?.workspaceValue ===
          undefined,
        10_000,
      );
    }
  });
});
