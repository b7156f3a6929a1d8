// Every flow of the user's own MinerU server in the real extension host, against the self-hosted
// fake (mineru-api / mineru-router 3.4.4): a URL (downloaded here, then uploaded), a local file, a
// batch of 3 behind a one-slot queue, a page range in two pieces merged in page order, the server's
// own options from "with Options…", a reload mid-queue, and each error class in the user's terms.
// Every fake records the Authorization header of every request: the proxy credential goes to the
// server's origin only, never to the document host (the "CDN" of a URL) nor to the cloud service.
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';
import {
  startFakeSelfHosted,
  type FakeSelfHosted,
  type FakeSelfHostedOptions,
} from '../fake-mineru/selfHosted/server';
import { makePdf } from '../unit/helpers/pdf';
import {
  answerInputBoxes,
  answerMessages,
  answerQuickPicks,
  api,
  configure,
  finished,
  waitFor,
  workspaceRoot,
  type ShownMessage,
} from './helpers';

const CREDENTIAL_KEY = 'mineru.selfHosted.credential';
const CREDENTIAL = 'own-proxy-token-5678';
const BEARER = `Bearer ${CREDENTIAL}`;

/** A document host on loopback (the origin of a URL): serves PDFs, records every request's headers. */
interface DocumentHost {
  url: string;
  headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function documentHost(): Promise<DocumentHost> {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    const pages = Number(/pages-(\d+)/.exec(req.url ?? '')?.[1] ?? 3);
    const pdf = makePdf({ pages });
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
    res.end(pdf);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const DIR = 'own-server-flows';

async function writeDoc(name: string, pages = 2): Promise<vscode.Uri> {
  const p = path.join(workspaceRoot(), DIR, name);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, makePdf({ pages }));
  return vscode.Uri.file(p);
}

function description(a: MinerUTestApi, id: string): string {
  const node = a.tree.nodeFor(id);
  return node ? String(a.tree.getTreeItem(node).description ?? '') : '';
}

/** Moves a manual fake's tasks on until `until` holds (a step every 50 ms). */
async function advanceUntil<T>(fake: FakeSelfHosted, what: string, until: () => T | undefined): Promise<T> {
  const timer = setInterval(() => fake.advanceAll(), 50);
  try {
    return await waitFor(what, until, 40_000);
  } finally {
    clearInterval(timer);
  }
}

describe('Your own MinerU server: every flow in the real host', function () {
  this.timeout(90_000);
  let a: MinerUTestApi;
  let cloud: FakeMinerU;
  let docs: DocumentHost;
  /** Every self-hosted fake started here: their requests are checked for the credential at the end. */
  const servers: FakeSelfHosted[] = [];

  async function server(options: FakeSelfHostedOptions = {}): Promise<FakeSelfHosted> {
    const fake = await startFakeSelfHosted({ stepMs: 40, auth: { bearer: [CREDENTIAL] }, ...options });
    servers.push(fake);
    await configure('selfHosted.url', fake.baseUrl);
    return fake;
  }

  async function parseFiles(uris: vscode.Uri[]): Promise<TaskRecord[]> {
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uris[0], uris);
    assert.equal(tasks?.length, uris.length);
    return tasks;
  }

  async function settle(ids: string[]): Promise<TaskRecord[]> {
    return waitFor('the tasks to finish', () => finished(a, ids), 40_000);
  }

  before(async () => {
    cloud = await startFakeMinerU({ progress: 'timed', stepMs: 40, pages: 3 });
    await configure('apiBaseUrl', cloud.apiBaseUrl);
    await configure('agentBaseUrl', cloud.agentBaseUrl);
    docs = await documentHost();
    a = await api();
    await a.setToken(cloud.token);
    await configure('service', 'selfHosted');
    await a.secrets.store(CREDENTIAL_KEY, JSON.stringify({ kind: 'bearer', token: CREDENTIAL }));
  });

  after(async () => {
    for (const key of ['service', 'selfHosted.url', 'apiBaseUrl', 'agentBaseUrl'])
      await configure(key, undefined);
    await a.secrets.delete(CREDENTIAL_KEY);
    for (const s of servers) await s.close();
    await cloud.close();
    await docs.close();
    await fs.rm(path.join(workspaceRoot(), DIR), { recursive: true, force: true });
  });

  it('a URL is downloaded here without credentials, then uploaded to your server, and lands in the cloud layout', async () => {
    const fake = await server();
    const before = docs.headers.length;
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>(
      'mineru.parseUrl',
      `${docs.url}/papers/Own%20Annual%20Report.pdf`,
    );
    const [done] = await settle([tasks[0]!.id]);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.equal(done!.mode, 'selfHosted');
    assert.equal(docs.headers.length - before, 1, 'downloaded once, here');
    assert.equal(docs.headers[before]!.authorization, undefined, 'no credential to the document host');
    const post = fake.requests.find((q) => q.method === 'POST' && q.path === '/tasks');
    assert.equal(
      post?.files[0]?.fileName,
      'Own Annual Report.pdf',
      'uploaded as a file: the server takes no URLs',
    );
    assert.equal(post?.headers.authorization, BEARER);
    const folder = path.join(workspaceRoot(), 'mineru', 'Own Annual Report');
    assert.equal(done!.result?.markdownPath, path.join(folder, 'Own Annual Report.md'));
    assert.equal(done!.result?.brokenImageLinks, 0);
    assert.ok(existsSync(path.join(folder, 'images')));
    assert.match(description(a, done!.id), /your server/);
  });

  it('a local file is uploaded whole as one multipart POST /tasks, polled, and its result downloaded once', async () => {
    const fake = await server();
    const uri = await writeDoc('own local pages-4.pdf', 4);
    const size = (await fs.stat(uri.fsPath)).size;
    const [task] = await parseFiles([uri]);
    const [done] = await settle([task!.id]);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    const posts = fake.requests.filter((q) => q.method === 'POST');
    assert.equal(posts.length, 1);
    assert.deepEqual(
      posts[0]!.files.map((f) => [f.field, f.fileName, f.size]),
      [['files', 'own local pages-4.pdf', size]],
    );
    assert.equal(fake.requests.filter((q) => q.path.endsWith('/result')).length, 1, 'one result download');
    assert.ok(fake.requests.filter((q) => /^\/tasks\/[^/]+$/.test(q.path)).length >= 1, 'polled');
    const md = await fs.readFile(done!.result!.markdownPath, 'utf8');
    assert.equal([...md.matchAll(/!\[\]\(images\//g)].length, 4, 'one image per page, resolving');
  });

  it("the cloud's page and size limits do not apply to your server: a file over mineru.maxPages and mineru.maxFileSizeMB is sent", async () => {
    const fake = await server();
    await configure('maxPages', 2);
    await configure('maxFileSizeMB', 1);
    try {
      const uri = await writeDoc('over cloud limits pages-5.pdf', 5);
      await fs.appendFile(uri.fsPath, Buffer.alloc(1_200_000, 0x20)); // > 1 MB, still a PDF to the server
      const [task] = await parseFiles([uri]);
      const [done] = await settle([task!.id]);
      assert.equal(done!.state, 'done', JSON.stringify(done!.error));
      assert.equal(fake.requests.filter((q) => q.method === 'POST' && q.path === '/tasks').length, 1);
    } finally {
      await configure('maxPages', undefined);
      await configure('maxFileSizeMB', undefined);
    }
  });

  it('a batch of 3 files on a one-slot server: the tree shows "queued, N ahead", then all are done', async () => {
    const fake = await server({ progress: 'manual', maxConcurrent: 1 });
    const uris = [
      await writeDoc('batch one.pdf'),
      await writeDoc('batch two.pdf'),
      await writeDoc('batch three.pdf'),
    ];
    const tasks = await parseFiles(uris);
    const ids = tasks.map((t) => t.id);
    await waitFor('the last one queued behind two', () => /queued, 2 ahead/.test(description(a, ids[2]!)));
    assert.match(description(a, ids[1]!), /queued, 1 ahead/);
    assert.doesNotMatch(description(a, ids[2]!), /%/, 'no made-up percentage');
    const done = await advanceUntil(fake, 'all three', () => finished(a, ids));
    assert.deepEqual(
      done.map((t) => t.state),
      ['done', 'done', 'done'],
    );
    assert.equal(fake.requests.filter((q) => q.method === 'POST' && q.path === '/tasks').length, 3);
  });

  it('"with Options…" offers the server\'s options only, and a page range 1-3,7 is one task per piece merged into one folder in page order', async () => {
    const fake = await server();
    const titles: string[] = [];
    const tasks = await answerInputBoxes(
      (o) => (/page ranges/i.test(o?.prompt ?? '') ? '1-3,7' : undefined),
      () =>
        answerQuickPicks(
          (items, options) => {
            titles.push(options?.placeHolder ?? '');
            const ph = options?.placeHolder ?? '';
            if (/Mode/.test(ph)) return items.find((i) => i.label === 'Your MinerU server');
            if (/backend/.test(ph)) {
              assert.deepEqual(items.map((i) => i.label).sort(), [
                'hybrid-engine',
                'hybrid-http-client',
                'pipeline',
                'vlm-engine',
                'vlm-http-client',
              ]);
              return items.find((i) => i.label === 'pipeline');
            }
            if (/parse method/.test(ph)) return items.find((i) => i.label === 'txt');
            if (/features/.test(ph)) return items.filter((i) => i.label !== 'Tables');
            if (/language/.test(ph)) return items.find((i) => i.label === 'korean');
            return undefined;
          },
          async () =>
            vscode.commands.executeCommand<TaskRecord[]>(
              'mineru.parseUrlWithOptions',
              `${docs.url}/long-pages-8.pdf`,
            ),
        ),
    );
    assert.ok(tasks?.length === 1, `submitted (asked: ${titles.join(' | ')})`);
    for (const cloudOnly of [/Extra formats/, /Model \(/])
      assert.ok(
        !titles.some((t) => cloudOnly.test(t)),
        `${String(cloudOnly)} is not asked: ${titles.join(' | ')}`,
      );
    const [done] = await settle([tasks[0]!.id]);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    const posts = fake.requests.filter((q) => q.method === 'POST' && q.path === '/tasks');
    assert.deepEqual(
      posts.map((q) => [q.fields.start_page_id?.[0], q.fields.end_page_id?.[0]]),
      [
        ['0', '2'],
        ['6', '6'],
      ],
    );
    for (const q of posts) {
      assert.deepEqual(q.fields.backend, ['pipeline']);
      assert.deepEqual(q.fields.parse_method, ['txt']);
      assert.deepEqual(q.fields.lang_list, ['korean']);
      assert.deepEqual(q.fields.table_enable, ['false']);
      assert.deepEqual(q.fields.formula_enable, ['true']);
      assert.equal(q.fields.image_analysis, undefined, 'pipeline has no image analysis');
    }
    const folder = path.dirname(done!.result!.markdownPath);
    assert.deepEqual(
      (await fs.readdir(folder)).filter((n) => n.endsWith('.md')),
      [path.basename(done!.result!.markdownPath)],
      'one Markdown file',
    );
    const md = await fs.readFile(done!.result!.markdownPath, 'utf8');
    const sections = md.split(/^# /m).filter((s) => s.trim());
    assert.deepEqual(
      sections.map((s) => [...s.matchAll(/!\[\]\((images\/[^)]+)\)/g)].length),
      [3, 1],
      'pages 1-3, then page 7',
    );
    for (const link of md.matchAll(/!\[\]\((images\/[^)]+)\)/g)) await fs.access(path.join(folder, link[1]!));
  });

  it('"with Options…" sends an http-client backend with its server_url, effort and image analysis', async () => {
    const fake = await server();
    const tasks = await answerInputBoxes(
      (o) => (/server_url/.test(o?.prompt ?? '') ? 'http://127.0.0.1:30000' : ''),
      () =>
        answerQuickPicks(
          (items, options) => {
            const ph = options?.placeHolder ?? '';
            if (/Mode/.test(ph)) return items.find((i) => i.label === 'Your MinerU server');
            if (/backend/.test(ph)) return items.find((i) => i.label === 'hybrid-http-client');
            if (/effort/.test(ph)) return items.find((i) => i.label === 'high');
            if (/parse method/.test(ph)) return items.find((i) => i.label === 'ocr');
            if (/features/.test(ph)) return items.filter((i) => i.label !== 'Formulas');
            if (/language/.test(ph)) return items.find((i) => i.label === 'en');
            return undefined;
          },
          async () =>
            vscode.commands.executeCommand<TaskRecord[]>(
              'mineru.parseUrlWithOptions',
              `${docs.url}/remote.pdf`,
            ),
        ),
    );
    const [done] = await settle([tasks[0]!.id]);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    const post = fake.requests.find((q) => q.method === 'POST' && q.path === '/tasks')!;
    assert.deepEqual(
      [
        'backend',
        'server_url',
        'effort',
        'parse_method',
        'image_analysis',
        'formula_enable',
        'table_enable',
      ].map((f) => post.fields[f]?.[0]),
      ['hybrid-http-client', 'http://127.0.0.1:30000', 'high', 'ocr', 'true', 'false', 'true'],
    );
    assert.equal(post.fields.start_page_id, undefined, 'no page range: the whole document');
  });

  it('a reload mid-queue: the restored task resumes polling the same server task and finishes', async () => {
    const fake = await server({ progress: 'manual', maxConcurrent: 1 });
    const [task] = await parseFiles([await writeDoc('reload mid queue.pdf')]);
    const id = task!.id;
    const queued = await waitFor('queued on the server', () => {
      const t = a.store.get(id);
      return t?.state === 'pending' && t.remote?.taskId ? t : undefined;
    });
    await a.store.flush();
    a = a.restart();
    assert.equal(a.store.get(id)?.remote?.taskId, queued.remote!.taskId, 'restored with its server task');
    const done = await advanceUntil(fake, 'done after the reload', () => finished(a, [id]));
    assert.equal(done[0]!.state, 'done', JSON.stringify(done[0]!.error));
    assert.equal(fake.requests.filter((q) => q.method === 'POST').length, 1, 'not submitted again');
    const afterReload = fake.requests.filter((q) => q.path === `/tasks/${queued.remote!.taskId}`);
    assert.ok(afterReload.length >= 1, 'polled the same task after the reload');
  });

  it('server down at submission: the task fails saying the server could not be reached, and what to check', async () => {
    const fake = await server();
    await fake.down();
    try {
      const [task] = await parseFiles([await writeDoc('server down.pdf')]);
      const [done] = await settle([task!.id]);
      assert.equal(done!.state, 'failed');
      assert.equal(done!.error?.reason, 'selfHosted.unreachable');
      assert.match(done!.error?.hint ?? '', /mineru-api .*running/);
      assert.equal(done!.error?.retryable, true);
    } finally {
      await fake.up();
    }
  });

  it('the server lost while a task waits: the tree and one notification say so (phase, cause, next step), and it finishes once the server is back', async () => {
    const fake = await server({ progress: 'manual' });
    await answerMessages(
      () => undefined,
      async (shown: ShownMessage[]) => {
        const [task] = await parseFiles([await writeDoc('lost while waiting.pdf')]);
        const id = task!.id;
        await waitFor('queued', () => a.store.get(id)?.state === 'pending');
        await fake.down();
        await waitFor(
          'the row to say the server is unreachable',
          () => /server unreachable, retrying/.test(description(a, id)),
          30_000,
        );
        const told = await waitFor('a warning', () =>
          shown.find((m) => m.kind === 'warning' && /lost while waiting/.test(m.message)),
        );
        assert.match(told.message, /could not be reached/);
        assert.match(told.message, /mineru-api/, 'the next step');
        assert.ok(told.items.includes('Test Connection'));
        const problem = a.store.get(id)?.pollProblem;
        assert.equal(problem?.reason, 'selfHosted.unreachable');
        assert.equal(problem?.phase, 'poll');
        await fake.up();
        const [done] = await advanceUntil(fake, 'done once the server is back', () => finished(a, [id]));
        assert.equal(done!.state, 'done', JSON.stringify(done!.error));
        assert.equal(done!.pollProblem, undefined, 'the note is gone once the server answers');
        assert.equal(
          shown.filter((m) => m.kind === 'warning' && /lost while waiting/.test(m.message)).length,
          1,
          'told once per outage',
        );
      },
    );
  });

  it('503 from mineru-router with no healthy worker: waited on with backoff and submitted again, not a failure', async () => {
    // mineru-api 3.x itself queues (it never answers 503 to /tasks); its router answers 503
    // "No healthy upstream MinerU API servers are available" while no worker is healthy.
    const fake = await server({ router: { workers: 2 } });
    fake.faults.unhealthy = 'CUDA out of memory';
    // The command returns once the upload is accepted: it waits through the 503s, under its progress.
    const parsing = parseFiles([await writeDoc('router busy.pdf')]);
    await waitFor('a 503 answer', () => fake.requests.some((q) => q.status === 503));
    const waiting = a.store.all().find((t) => t.name.startsWith('router busy'));
    assert.ok(waiting && waiting.state !== 'failed', `waiting, not failed (${waiting?.state})`);
    delete fake.faults.unhealthy;
    const [task] = await parsing;
    const [done] = await settle([task!.id]);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    const posts = fake.requests.filter((q) => q.method === 'POST' && q.path === '/tasks');
    assert.deepEqual(
      posts.map((q) => q.status),
      [503, 202],
    );
    assert.ok(
      posts[1]!.time - posts[0]!.time >= 4_000,
      `waited before trying again (${posts[1]!.time - posts[0]!.time} ms)`,
    );
  });

  it('400 invalid option: the failure names the field the server refused', async () => {
    // A server bound to 0.0.0.0 refuses the http-client backends and server_url.
    await server({ publicBind: true });
    const tasks = await answerInputBoxes(
      (o) => (/server_url/.test(o?.prompt ?? '') ? 'http://10.0.0.5:30000' : ''),
      () =>
        answerQuickPicks(
          (items, options) => {
            const ph = options?.placeHolder ?? '';
            if (/Mode/.test(ph)) return items.find((i) => i.label === 'Your MinerU server');
            if (/backend/.test(ph)) return items.find((i) => i.label === 'vlm-http-client');
            if (/features/.test(ph)) return items;
            return undefined;
          },
          async () =>
            vscode.commands.executeCommand<TaskRecord[]>(
              'mineru.parseUrlWithOptions',
              `${docs.url}/refused.pdf`,
            ),
        ),
    );
    const [done] = await settle([tasks[0]!.id]);
    assert.equal(done!.state, 'failed');
    assert.equal(done!.error?.reason, 'selfHosted.invalidOption');
    assert.equal(done!.error?.params?.field, 'server_url');
    assert.match(done!.error?.message ?? '', /refused the option server_url/);
  });

  it('404 after a restart of the server: the task fails as retryable with a clear note, and Retry submits it again', async () => {
    const fake = await server({ progress: 'manual' });
    const [task] = await parseFiles([await writeDoc('server restarted.pdf')]);
    const id = task!.id;
    await waitFor('queued', () => a.store.get(id)?.state === 'pending');
    fake.restart();
    const [failed] = await settle([id]);
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.error?.reason, 'selfHosted.taskNotFound');
    assert.equal(failed!.error?.retryable, true);
    assert.match(
      failed!.error?.message ?? '',
      /no longer knows this task \(it was restarted, or the task expired\)/,
    );
    await vscode.commands.executeCommand('mineru.retryTask', id);
    const [done] = await advanceUntil(fake, 'done after Retry', () => finished(a, [id]));
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.equal(fake.requests.filter((q) => q.method === 'POST').length, 2, 'submitted again');
  });

  it("a task the server failed: the failure carries the server's error text", async () => {
    await server();
    const [task] = await parseFiles([await writeDoc('will fail.pdf')]);
    const [done] = await settle([task!.id]);
    assert.equal(done!.state, 'failed');
    assert.match(JSON.stringify(done!.error), /Failed to load file will fail\.pdf: fake parse failure/);
  });

  it('proxy 403 for a refused credential: "check the credential for this server"', async () => {
    await server({ auth: { bearer: ['another-token'], forbidden: [CREDENTIAL] } });
    const [task] = await parseFiles([await writeDoc('forbidden.pdf')]);
    const [done] = await settle([task!.id]);
    assert.equal(done!.state, 'failed');
    assert.equal(done!.error?.reason, 'selfHosted.credential');
    assert.equal(done!.error?.httpStatus, 403);
    assert.match(done!.error?.hint ?? '', /Check the credential for this server/);
    assert.ok(!JSON.stringify(done!.error).includes(CREDENTIAL), 'the credential is not in the error');
  });

  it('the credential went only to your server: never to a document host nor to the cloud service or its CDN', () => {
    const all = servers.flatMap((s) => s.requests);
    assert.ok(all.length > 20, 'the suite talked to its servers');
    for (const q of all) assert.equal(q.headers.authorization, BEARER, `${q.method} ${q.path}`);
    assert.ok(docs.headers.length >= 4);
    for (const h of docs.headers) assert.equal(h.authorization, undefined);
    for (const q of cloud.requests)
      assert.ok(!JSON.stringify(q.headers).includes(CREDENTIAL), `${q.server} ${q.path}`);
    assert.equal(cloud.requests.length, 0, 'the cloud (API and CDN) got no request at all');
  });
});
