/**
 * The fake self-hosted MinerU server (test/fake-mineru/selfHosted) against what the real server
 * does (opendatalab/MinerU 3.4.4 fast_api.py / api_request.py / router.py; 2.7.6 for 2.x). Plain
 * fetch and node:http, so it does not depend on the client under test.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import AdmZip from 'adm-zip';
import { minimalDocx, minimalPdf } from '../fake-mineru/content';
import { parseSelfHostedArgs } from '../fake-mineru/cli/main';
import type { FakeSelfHosted, FakeSelfHostedOptions } from '../fake-mineru/selfHosted/server';
import { startFakeSelfHosted } from '../fake-mineru/selfHosted/server';

interface Doc {
  name: string;
  data?: Buffer;
}

type Fields = Record<string, string | string[]>;

function form(docs: Doc[], fields: Fields = {}): FormData {
  const fd = new FormData();
  for (const d of docs) fd.append('files', new Blob([d.data ?? minimalPdf(d.name, 3)]), d.name);
  for (const [k, v] of Object.entries(fields))
    for (const one of Array.isArray(v) ? v : [v]) fd.append(k, one);
  return fd;
}

interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
  json: Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body, json };
}

const post = (
  fake: FakeSelfHosted,
  path: string,
  docs: Doc[],
  fields: Fields = {},
  headers = {},
): Promise<Reply> => call(`${fake.baseUrl}${path}`, { method: 'POST', body: form(docs, fields), headers });

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ALL_FILES = {
  return_md: 'true',
  return_middle_json: 'true',
  return_model_output: 'true',
  return_content_list: 'true',
  return_images: 'true',
  return_original_file: 'true',
  response_format_zip: 'true',
};

describe('fake self-hosted MinerU server', function () {
  let fake: FakeSelfHosted;
  const started: FakeSelfHosted[] = [];
  async function start(opts: FakeSelfHostedOptions = {}): Promise<FakeSelfHosted> {
    const f = await startFakeSelfHosted({ progress: 'manual', ...opts });
    started.push(f);
    return f;
  }
  beforeEach(async () => {
    fake = await start();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.close()));
  });

  function settle(f: FakeSelfHosted, steps = 20): void {
    for (let i = 0; i < steps; i++) f.advanceAll();
  }

  it('GET /health reports version, protocol, queue counters, concurrency and retention (3.4.4)', async () => {
    const r = await call(`${fake.baseUrl}/health`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      status: 'healthy',
      version: '3.4.4',
      protocol_version: 2,
      queued_tasks: 0,
      processing_tasks: 0,
      completed_tasks: 0,
      failed_tasks: 0,
      max_concurrent_requests: 3,
      processing_window_size: 64,
      task_retention_seconds: 86400,
      task_cleanup_interval_seconds: 300,
    });
    fake.faults.unhealthy = 'Task dispatcher is not running';
    const bad = await call(`${fake.baseUrl}/health`);
    assert.equal(bad.status, 503);
    assert.deepEqual(bad.json, {
      status: 'unhealthy',
      version: '3.4.4',
      error: 'Task dispatcher is not running',
    });
  });

  it('POST /tasks answers 202 with the status payload, and the request log keeps fields and files', async () => {
    const r = await post(fake, '/tasks', [{ name: 'My Report.pdf' }], {
      backend: 'pipeline',
      lang_list: ['en', 'ch'],
    });
    assert.equal(r.status, 202);
    const j = r.json;
    assert.match(String(j.task_id), UUID);
    assert.equal(j.status, 'pending');
    assert.equal(j.backend, 'pipeline');
    assert.deepEqual(j.file_names, ['My Report']);
    assert.match(String(j.created_at), ISO);
    assert.equal(j.started_at, null);
    assert.equal(j.completed_at, null);
    assert.equal(j.error, null);
    assert.equal(j.queued_ahead, 0);
    assert.equal(j.message, 'Task submitted successfully');
    assert.equal(j.status_url, `${fake.baseUrl}/tasks/${String(j.task_id)}`);
    assert.equal(j.result_url, `${fake.baseUrl}/tasks/${String(j.task_id)}/result`);
    const rec = fake.requests.find((q) => q.path === '/tasks');
    assert.ok(rec);
    assert.deepEqual(rec.fields.lang_list, ['en', 'ch']);
    assert.equal(rec.files[0]?.fileName, 'My Report.pdf');
    assert.equal(rec.files[0]?.size, minimalPdf('My Report.pdf', 3).length);
    assert.equal(rec.status, 202);
    const t = fake.tasks()[0];
    assert.deepEqual(t?.langList, ['ch', 'ch'], 'en is an alias of ch');
  });

  it('validation: 400 naming the field as the server words it, 422 for values that do not type-check', async () => {
    const bad = async (fields: Fields, docs: Doc[] = [{ name: 'a.pdf' }]): Promise<Reply> =>
      post(fake, '/tasks', docs, fields);
    let r = await bad({ backend: 'gpu' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, {
      detail:
        'Invalid backend. Allowed values: pipeline, vlm-engine, hybrid-engine, vlm-http-client, hybrid-http-client',
    });
    r = await bad({ effort: 'max' });
    assert.deepEqual([r.status, r.json.detail], [400, 'Invalid effort. Allowed values: medium, high']);
    r = await bad({ parse_method: 'magic' });
    assert.deepEqual(
      [r.status, r.json.detail],
      [400, 'Invalid parse_method. Allowed values: auto, ocr, txt'],
    );
    r = await bad({ lang_list: 'xx' });
    assert.equal(r.status, 400);
    assert.match(String(r.json.detail), /^Language xx not supported\. Allowed values: ch, ch_server, korean/);
    r = await bad({ start_page_id: 'one', formula_enable: 'maybe' });
    assert.equal(r.status, 422);
    assert.deepEqual(
      (r.json.detail as { loc: string[]; type: string }[]).map((e) => [e.type, e.loc[1]]),
      [
        ['bool_parsing', 'formula_enable'],
        ['int_parsing', 'start_page_id'],
      ],
    );
    r = await bad({}, []);
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.detail, [
      { type: 'missing', loc: ['body', 'files'], msg: 'Field required', input: null },
    ]);
    r = await bad({}, [{ name: 'notes.pdf', data: Buffer.from('just some text\n') }]);
    assert.deepEqual([r.status, r.json], [400, { detail: 'Unsupported file type: txt' }]);
    r = await bad({ backend: 'vlm-auto-engine', server_url: '' });
    assert.equal(r.status, 202, 'legacy backend names are accepted');
    assert.equal(r.json.backend, 'vlm-engine');
    assert.equal(fake.tasks().length, 1, 'refused submissions create no task');
  });

  it('http-client backends are refused with the SSRF text on a public bind, accepted with the flag', async () => {
    const pub = await start({ publicBind: true });
    const r = await post(pub, '/tasks', [{ name: 'a.pdf' }], {
      backend: 'vlm-http-client',
      server_url: 'http://gpu:30000',
    });
    assert.equal(r.status, 400);
    assert.match(
      String(r.json.detail),
      /^Publicly exposed API disables \*-http-client backends and server_url/,
    );
    const allowed = await start({ publicBind: true, allowPublicHttpClient: true });
    const ok = await post(allowed, '/tasks', [{ name: 'a.pdf' }], {
      backend: 'hybrid-http-client',
      server_url: 'http://gpu:30000',
    });
    assert.equal(ok.status, 202);
    assert.equal(allowed.tasks()[0]?.serverUrl, 'http://gpu:30000');
  });

  it('queue positions (queued_ahead) count the pending tasks in front and fall as tasks finish', async () => {
    const one = await start({ maxConcurrent: 1 });
    const ids: string[] = [];
    for (const n of ['a', 'b', 'c']) {
      const r = await post(one, '/tasks', [{ name: `${n}-pages-1.pdf` }]);
      assert.equal(r.json.queued_ahead, ids.length);
      ids.push(String(r.json.task_id));
    }
    const state = async (): Promise<[unknown, unknown][]> =>
      Promise.all(
        ids.map(async (id) => {
          const j = (await call(`${one.baseUrl}/tasks/${id}`)).json;
          return [j.status, j.queued_ahead] as [unknown, unknown];
        }),
      );
    one.advanceAll();
    assert.deepEqual(await state(), [
      ['processing', 0],
      ['pending', 0],
      ['pending', 1],
    ]);
    const first = (await call(`${one.baseUrl}/tasks/${ids[0]}`)).json;
    assert.match(String(first.started_at), ISO);
    one.advanceAll();
    assert.deepEqual(await state(), [
      ['completed', 0],
      ['processing', 0],
      ['pending', 0],
    ]);
    const h = (await call(`${one.baseUrl}/health`)).json;
    assert.deepEqual([h.queued_tasks, h.processing_tasks, h.completed_tasks], [1, 1, 1]);
    one.advanceAll();
    one.advanceAll();
    assert.deepEqual(await state(), [
      ['completed', 0],
      ['completed', 0],
      ['completed', 0],
    ]);
  });

  it('GET /tasks/{id}/result: 202 while not ready, 200 nested zip <name>/<parse dir>/… when completed', async () => {
    const sub = await post(fake, '/tasks', [{ name: 'report.pdf' }], ALL_FILES);
    const id = String(sub.json.task_id);
    const early = await call(`${fake.baseUrl}/tasks/${id}/result`);
    assert.equal(early.status, 202);
    assert.equal(early.json.message, 'Task result is not ready yet');
    assert.equal('queued_ahead' in early.json, false, 'the result route leaves queued_ahead out');
    settle(fake);
    const r = await call(`${fake.baseUrl}/tasks/${id}/result`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/zip');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="${id}.zip"`);
    const names = new AdmZip(r.body).getEntries().map((e) => e.entryName);
    const dir = 'report/hybrid_auto/';
    const images = names.filter((n) => n.startsWith(`${dir}images/`));
    assert.equal(images.length, 3);
    for (const n of images) assert.match(n, /^report\/hybrid_auto\/images\/[0-9a-f]{64}\.jpg$/);
    assert.deepEqual(
      names.filter((n) => !n.includes('/images/')),
      [
        `${dir}report.md`,
        `${dir}report_middle.json`,
        `${dir}report_model.json`,
        `${dir}report_content_list.json`,
        `${dir}report_content_list_v2.json`,
        `${dir}report_origin.pdf`,
      ],
    );
    const zip = new AdmZip(r.body);
    const md = zip.readAsText(`${dir}report.md`);
    for (const n of images)
      assert.ok(md.includes(`](${n.slice(dir.length)})`), `${n} is linked from the Markdown`);
    const list = JSON.parse(zip.readAsText(`${dir}report_content_list.json`)) as {
      page_idx: number;
      bbox: number[];
    }[];
    assert.ok(list.every((b) => b.bbox.every((v) => v >= 0 && v <= 1000)));
    const middle = JSON.parse(zip.readAsText(`${dir}report_middle.json`)) as Record<string, unknown>;
    assert.deepEqual([middle._backend, middle._version_name], ['hybrid', '3.4.4']);
  });

  it('parse dir per backend: pipeline → <parse_method>, vlm → vlm, office files → office; defaults return only the Markdown', async () => {
    const cases: [Fields, Doc, string][] = [
      [{ backend: 'pipeline', parse_method: 'ocr' }, { name: 'scan.pdf' }, 'scan/ocr/scan.md'],
      [{ backend: 'vlm-engine' }, { name: 'paper.pdf' }, 'paper/vlm/paper.md'],
      [{}, { name: 'memo.docx', data: minimalDocx('memo', 'hello') }, 'memo/office/memo.md'],
    ];
    for (const [fields, doc, entry] of cases) {
      const sub = await post(fake, '/tasks', [doc], { ...fields, response_format_zip: 'true' });
      assert.equal(sub.status, 202, JSON.stringify(sub.json));
      settle(fake);
      const r = await call(`${fake.baseUrl}/tasks/${String(sub.json.task_id)}/result`);
      assert.deepEqual(
        new AdmZip(r.body).getEntries().map((e) => e.entryName),
        [entry],
      );
    }
  });

  it('JSON results when response_format_zip is false: {backend, version, results: {stem: {...}}}', async () => {
    const sub = await post(fake, '/tasks', [{ name: 'a.pdf' }, { name: 'A.pdf' }], {
      return_content_list: 'true',
      return_images: 'true',
    });
    assert.deepEqual(sub.json.file_names, ['a', 'A_2'], 'duplicate stems (case-insensitive) get _2');
    settle(fake);
    const r = await call(`${fake.baseUrl}/tasks/${String(sub.json.task_id)}/result`);
    assert.equal(r.status, 200);
    assert.deepEqual([r.json.backend, r.json.version], ['hybrid-engine', '3.4.4']);
    const results = r.json.results as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(results), ['a', 'A_2']);
    assert.deepEqual(Object.keys(results.a ?? {}), ['md_content', 'content_list', 'images']);
    assert.equal(typeof results.a?.content_list, 'string', 'files are returned as their text');
    const imgs = Object.values(results.a?.images as Record<string, string>);
    assert.ok(imgs.length > 0 && imgs.every((v) => v.startsWith('data:image/jpeg;base64,')));
  });

  it('a failing document: status failed with the error, result 409 "Task execution failed"', async () => {
    const sub = await post(fake, '/tasks', [{ name: 'will-fail.pdf' }]);
    const id = String(sub.json.task_id);
    settle(fake);
    const s = (await call(`${fake.baseUrl}/tasks/${id}`)).json;
    assert.equal(s.status, 'failed');
    assert.equal(s.error, 'Failed to load file will-fail.pdf: fake parse failure');
    assert.match(String(s.completed_at), ISO);
    const r = await call(`${fake.baseUrl}/tasks/${id}/result`);
    assert.equal(r.status, 409);
    assert.equal(r.json.message, 'Task execution failed');
    assert.equal(r.json.error, s.error);
  });

  it('404 "Task not found" for unknown ids, after the retention period, and after a restart', async () => {
    const unknown = await call(`${fake.baseUrl}/tasks/nope`);
    assert.deepEqual([unknown.status, unknown.json], [404, { detail: 'Task not found' }]);
    const short = await start({ retentionSeconds: 0.05, cleanupIntervalSeconds: 0.01 });
    const a = String((await post(short, '/tasks', [{ name: 'a.pdf' }])).json.task_id);
    const pending = String((await post(short, '/tasks', [{ name: 'b-slow.pdf' }])).json.task_id);
    short.advanceAll();
    short.advanceAll();
    short.advanceAll();
    short.advanceAll();
    assert.equal((await call(`${short.baseUrl}/tasks/${a}`)).json.status, 'completed');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal((await call(`${short.baseUrl}/tasks/${a}/result`)).status, 404, 'expired');
    assert.equal(
      (await call(`${short.baseUrl}/tasks/${pending}`)).status,
      200,
      'unfinished tasks never expire',
    );
    short.restart();
    assert.equal(
      (await call(`${short.baseUrl}/tasks/${pending}`)).status,
      404,
      'a restart forgets every task',
    );
  });

  it('POST /file_parse waits and answers in the same response (JSON with the task payload, or zip with X-MinerU headers)', async () => {
    const timed = await start({ progress: 'timed', stepMs: 5 });
    const j = await post(timed, '/file_parse', [{ name: 'x.pdf' }]);
    assert.equal(j.status, 200);
    assert.equal(j.json.status, 'completed');
    assert.match(String(j.json.task_id), UUID);
    assert.equal('queued_ahead' in j.json, false);
    assert.equal(typeof (j.json.results as Record<string, Record<string, unknown>>).x?.md_content, 'string');
    const z = await post(timed, '/file_parse', [{ name: 'x.pdf' }], { response_format_zip: 'true' });
    assert.equal(z.status, 200);
    const id = z.headers.get('x-mineru-task-id') ?? '';
    assert.match(id, UUID);
    assert.equal(z.headers.get('x-mineru-task-status'), 'completed');
    assert.equal(z.headers.get('x-mineru-task-result-url'), `${timed.baseUrl}/tasks/${id}/result`);
    assert.deepEqual(
      new AdmZip(z.body).getEntries().map((e) => e.entryName),
      ['x/hybrid_auto/x.md'],
    );
    const failed = await post(timed, '/file_parse', [{ name: 'fail.pdf' }]);
    assert.equal(failed.status, 409);
    const waiting = post(fake, '/file_parse', [{ name: 'y.pdf' }]);
    await new Promise((r) => setTimeout(r, 30));
    fake.restart();
    const cut = await waiting;
    assert.equal(cut.status, 503);
    assert.equal(cut.json.message, 'Task manager became unavailable while waiting for result');
    assert.equal(cut.json.error, 'Task manager is shutting down');
  });

  it('a reverse proxy in front: 401 with WWW-Authenticate without valid credentials, 403 for refused ones', async () => {
    const guarded = await start({
      auth: { bearer: ['s3cret'], basic: [{ user: 'ann', password: 'pw' }], forbidden: ['revoked'] },
    });
    const none = await call(`${guarded.baseUrl}/health`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="MinerU"');
    assert.match(none.body.toString(), /<center>nginx<\/center>/);
    assert.equal(
      (await call(`${guarded.baseUrl}/health`, { headers: { authorization: 'Bearer wrong' } })).status,
      401,
    );
    assert.equal(
      (await call(`${guarded.baseUrl}/health`, { headers: { authorization: 'Bearer revoked' } })).status,
      403,
    );
    assert.equal(
      (await call(`${guarded.baseUrl}/health`, { headers: { authorization: 'Bearer s3cret' } })).status,
      200,
    );
    const basic = `Basic ${Buffer.from('ann:pw').toString('base64')}`;
    assert.equal(
      (await call(`${guarded.baseUrl}/health`, { headers: { authorization: basic } })).status,
      200,
    );
    const sub = await post(guarded, '/tasks', [{ name: 'a.pdf' }], {}, { authorization: 'Bearer nope' });
    assert.equal(sub.status, 401);
    assert.equal(guarded.tasks().length, 0);
  });

  it('2.x mode: only POST /file_parse, no /health, the flat zip, 503 "at maximum capacity"', async () => {
    const old = await start({ version: '2.7.6', progress: 'manual', maxConcurrent: 1 });
    assert.deepEqual(await call(`${old.baseUrl}/health`).then((r) => [r.status, r.json]), [
      404,
      { detail: 'Not Found' },
    ]);
    assert.equal((await post(old, '/tasks', [{ name: 'a.pdf' }])).status, 404);
    const first = post(old, '/file_parse', [{ name: 'My File (1).pdf' }], {
      response_format_zip: 'true',
      return_images: 'true',
      return_content_list: 'true',
      effort: 'nonsense', // 2.x has no effort field: ignored
    });
    await new Promise((r) => setTimeout(r, 30));
    const busy = await post(old, '/file_parse', [{ name: 'b.pdf' }]);
    assert.equal(busy.status, 503);
    assert.deepEqual(busy.json, { detail: 'Server is at maximum capacity: 1. Please try again later.' });
    settle(old);
    const r = await first;
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-disposition'), 'attachment; filename="results.zip"');
    const names = new AdmZip(r.body).getEntries().map((e) => e.entryName);
    assert.deepEqual(names.slice(0, 2), [
      'My_File__1_/My_File__1_.md',
      'My_File__1_/My_File__1__content_list.json',
    ]);
    assert.ok(names.slice(2).every((n) => /^My_File__1_\/images\/[0-9a-f]{64}\.jpg$/.test(n)));
    const txt = await post(old, '/file_parse', [{ name: 'a.pdf', data: Buffer.from('plain text') }]);
    assert.deepEqual([txt.status, txt.json], [400, { error: 'Unsupported file type: txt' }]);
  });

  it('router mode: /health lists the workers; with none healthy, submissions answer 503', async () => {
    const router = await start({ router: { workers: 2 }, maxConcurrent: 2 });
    const h = (await call(`${router.baseUrl}/health`)).json;
    assert.equal(h.status, 'healthy');
    assert.equal(h.max_concurrent_requests, 4);
    assert.equal((h.servers as unknown[]).length, 2);
    const sub = await post(router, '/tasks', [{ name: 'a.pdf' }]);
    assert.equal(sub.status, 202);
    const res = await call(`${router.baseUrl}/tasks/${String(sub.json.task_id)}/result`);
    assert.equal(res.json.queued_ahead, 0, 'the router keeps queued_ahead in every payload');
    router.faults.unhealthy = 'worker crashed';
    const bad = await call(`${router.baseUrl}/health`);
    assert.deepEqual(
      [bad.status, bad.json.error],
      [503, 'No healthy upstream MinerU API servers are available'],
    );
    const refused = await post(router, '/tasks', [{ name: 'a.pdf' }]);
    assert.deepEqual(
      [refused.status, refused.json],
      [503, { detail: 'No healthy upstream MinerU API servers are available' }],
    );
  });

  it('GZipMiddleware: bodies of 1000 bytes or more are gzipped when the client accepts it', async () => {
    const sub = await post(fake, '/tasks', [{ name: 'a-pages-5.pdf' }], { return_content_list: 'true' });
    settle(fake);
    const url = new URL(`${fake.baseUrl}/tasks/${String(sub.json.task_id)}/result`);
    const raw = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
    assert.equal(raw.headers['content-encoding'], 'gzip');
    const j = JSON.parse(gunzipSync(raw.body).toString('utf8')) as Record<string, unknown>;
    assert.equal(j.backend, 'hybrid-engine');
  });

  it('faults: an injected 503, the server down (connection refused) and up again, per-poll progress', async () => {
    fake.faults.failNext = { route: '^/tasks$', status: 503, count: 1 };
    assert.equal((await post(fake, '/tasks', [{ name: 'a.pdf' }])).status, 503);
    fake.faults.busyNext = { route: '^/tasks$', count: 1 };
    const busy = await post(fake, '/tasks', [{ name: 'a.pdf' }]);
    assert.deepEqual(
      [busy.status, busy.json],
      [503, { detail: 'Server is at maximum capacity: 3. Please try again later.' }],
    );
    assert.equal(fake.tasks().length, 0);
    const ok = await post(fake, '/tasks', [{ name: 'a.pdf' }]);
    assert.equal(ok.status, 202);
    await fake.down();
    await assert.rejects(call(`${fake.baseUrl}/health`));
    await fake.up();
    assert.equal(
      (await call(`${fake.baseUrl}/tasks/${String(ok.json.task_id)}`)).status,
      200,
      'tasks survive down/up',
    );
    const polled = await start({ progress: 'per-poll' });
    const id = String((await post(polled, '/tasks', [{ name: 'a-pages-1.pdf' }])).json.task_id);
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) seen.push((await call(`${polled.baseUrl}/tasks/${id}`)).json.status);
    assert.deepEqual(seen, ['pending', 'processing', 'completed']);
  });

  it('routing as FastAPI does it: 404 Not Found, 405 with Allow, 307 for a trailing slash, /openapi.json paths', async () => {
    assert.deepEqual(await call(`${fake.baseUrl}/nope`).then((r) => [r.status, r.json]), [
      404,
      { detail: 'Not Found' },
    ]);
    const wrong = await call(`${fake.baseUrl}/tasks`);
    assert.deepEqual(
      [wrong.status, wrong.json, wrong.headers.get('allow')],
      [405, { detail: 'Method Not Allowed' }, 'POST'],
    );
    const slash = await call(`${fake.baseUrl}/health/`, { redirect: 'manual' });
    assert.deepEqual([slash.status, slash.headers.get('location')], [307, '/health']);
    const paths = (r: Reply): string[] => Object.keys(r.json.paths as object).sort();
    assert.deepEqual(paths(await call(`${fake.baseUrl}/openapi.json`)), [
      '/file_parse',
      '/health',
      '/tasks',
      '/tasks/{task_id}',
      '/tasks/{task_id}/result',
    ]);
    const old = await start({ version: '2.7.6' });
    assert.deepEqual(paths(await call(`${old.baseUrl}/openapi.json`)), ['/file_parse']);
  });

  it('npm run fake-server -- --self-hosted: the arguments', () => {
    const a = parseSelfHostedArgs([
      '--self-hosted',
      '--port',
      '8000',
      '--router',
      '2',
      '--bearer',
      't',
      '--json',
    ]);
    assert.deepEqual(a, {
      options: { port: 8000, router: { workers: 2 }, auth: { bearer: ['t'] } },
      json: true,
    });
    const b = parseSelfHostedArgs([
      '--self-hosted',
      '--version',
      '2.7.6',
      '--basic',
      'u:p:w',
      '--retention',
      '0.5',
    ]);
    assert.deepEqual(b.options, {
      version: '2.7.6',
      auth: { basic: [{ user: 'u', password: 'p:w' }] },
      retentionSeconds: 0.5,
    });
    assert.throws(() => parseSelfHostedArgs(['--self-hosted', '--bogus']), /unknown argument --bogus/);
  });
});
