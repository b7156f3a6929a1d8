/**
 * A compact check of the fake MinerU service's contract (the API client's tests cover the wire in
 * depth). Uses only node:http so that it does not depend on the client under test.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { createHash } from 'node:crypto';
import AdmZip from 'adm-zip';
import type { FakeMinerU } from '../fake-mineru/server';
import { startFakeMinerU } from '../fake-mineru/server';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: Record<string, unknown>;
}

function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string | object } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let payload: Buffer | undefined;
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    if (Buffer.isBuffer(opts.body)) payload = opts.body;
    else if (typeof opts.body === 'string') payload = Buffer.from(opts.body);
    else if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['content-type'] = 'application/json';
    }
    if (payload) headers['content-length'] = payload.length;
    const req = http.request(url, { method: opts.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function data(r: Reply): Record<string, unknown> {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.code, 0, r.text);
  return r.json.data as Record<string, unknown>;
}

describe('fake MinerU service', () => {
  let fake: FakeMinerU;
  let auth: Record<string, string>;

  before(async () => {
    // per-poll: these tests walk the fake's own state machine one status query = one step (the
    // sequences below are per step); no client poll count is measured here.
    fake = await startFakeMinerU({ expiredTokens: ['old-token'], progress: 'per-poll' });
    auth = { authorization: `Bearer ${fake.token}` };
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  const api = (path: string, body?: object): Promise<Reply> =>
    request(`${fake.apiBaseUrl}${path}`, body ? { method: 'POST', headers: auth, body } : { headers: auth });

  it('answers with the documented envelope and the 401 gateway envelope', async () => {
    const ok = await api('/extract/task', { url: 'https://example.com/docs/a.pdf' });
    assert.equal(ok.json.msg, 'ok');
    assert.match(String(ok.json.trace_id), /^[0-9a-f]{32}$/);
    assert.ok(typeof data(ok).task_id === 'string');

    const none = await request(`${fake.apiBaseUrl}/extract/task`, { method: 'POST', body: { url: 'x.pdf' } });
    assert.equal(none.status, 401);
    assert.equal(none.json.success, false);
    assert.equal(none.json.msgCode, 'A0202');
    assert.equal(none.json.msg, 'user authenticate failed');
    assert.ok(typeof none.json.traceId === 'string');
    const expired = await request(`${fake.apiBaseUrl}/extract/task/abc`, {
      headers: { authorization: 'Bearer old-token' },
    });
    assert.equal(expired.json.msgCode, 'A0211');

    const missing = await api('/extract/task/nope');
    assert.equal(missing.json.code, -60012);
    assert.equal(missing.json.msg, 'task not found or expire');
    assert.equal((await api('/extract/task', {})).json.code, -10002);
    assert.equal((await api('/extract/task', { url: 'https://e.com/a.xyz' })).json.code, -60002);
    assert.equal(
      (await api('/extract/task', { url: 'https://e.com/a.pdf', callback: 'http://127.0.0.1/' })).json.code,
      -10002,
    );
    assert.equal(
      (await api('/extract/task', { url: 'https://e.com/a.pdf', page_ranges: '1-x' })).json.code,
      -10002,
    );
    assert.equal((await api('/extract/task', { url: 'https://e.com/toolarge.pdf' })).json.code, -60005);
  });

  it('moves a URL task pending → running (progress) → done and serves a zip in the real layout', async () => {
    const id = String(
      data(await api('/extract/task', { url: 'https://e.com/x/My%20Report.pdf', data_id: 'd1' })).task_id,
    );
    const seen: Record<string, unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      const d = data(await api(`/extract/task/${id}`));
      seen.push(d);
      if (d.state === 'done') break;
    }
    assert.deepEqual(
      seen.map((d) => d.state),
      ['pending', 'running', 'running', 'running', 'done'],
    );
    const progress = seen[1]?.extract_progress as Record<string, unknown>;
    assert.equal(progress.extracted_pages, 1);
    assert.equal(progress.total_pages, 3);
    assert.match(String(progress.start_time), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const done = seen[4] ?? {};
    assert.equal(done.data_id, 'd1');
    assert.equal(done.err_msg, '');
    const zipUrl = String(done.full_zip_url);
    assert.ok(zipUrl.startsWith(`${fake.cdnOrigin}/cdn/`), zipUrl);

    const zipReply = await request(zipUrl);
    assert.equal(zipReply.status, 200);
    assert.equal(zipReply.headers['content-type'], 'application/zip');
    const zip = new AdmZip(zipReply.body);
    const names = zip.getEntries().map((e) => e.entryName);
    const md = zip.readAsText('full.md');
    assert.match(md, /^# My Report/);
    assert.match(md, /<table>/);
    const images = [...md.matchAll(/!\[\]\((images\/([0-9a-f]{64})\.jpg)\)\n\S/g)];
    assert.equal(images.length, 3);
    for (const [, path, sha] of images) {
      const bytes = zip.readFile(path ?? '');
      assert.ok(bytes && bytes[0] === 0xff && bytes[1] === 0xd8, 'JPEG magic');
      assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
    }
    assert.ok(names.some((n) => /^[0-9a-f-]{36}_content_list\.json$/.test(n)));
    assert.ok(names.some((n) => /^[0-9a-f-]{36}_model\.json$/.test(n)));
    assert.ok(names.some((n) => /^[0-9a-f-]{36}_origin\.pdf$/.test(n)));
    assert.ok(names.includes('layout.json'));
    assert.equal(fake.requests.filter((r) => r.server === 'cdn').length, 1);
  });

  it('keeps batch results in request order, derives file_name from the URL, converts extra formats', async () => {
    const batchId = String(
      data(
        await api('/extract/task/batch', {
          extra_formats: ['docx'],
          files: [
            { url: 'https://e.com/b/second-pages-1.pdf', data_id: 'two' },
            { url: 'https://e.com/b/%E8%AE%BA%E6%96%87.pdf' },
            { url: 'https://e.com/b/corrupt.pdf' },
          ],
        }),
      ).batch_id,
    );
    const states: string[][] = [];
    let last: Record<string, unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      last = data(await api(`/extract-results/batch/${batchId}`)).extract_result as Record<string, unknown>[];
      states.push(last.map((r) => String(r.state)));
      if (last.every((r) => r.state === 'done' || r.state === 'failed')) break;
    }
    assert.deepEqual(
      last.map((r) => r.file_name),
      ['second-pages-1.pdf', '论文.pdf', 'corrupt.pdf'],
    );
    assert.equal(last[0]?.data_id, 'two');
    assert.ok(!('data_id' in (last[1] ?? {})));
    assert.ok(states.some((s) => s[0] === 'converting'));
    assert.equal(last[2]?.state, 'failed');
    assert.match(String(last[2]?.err_msg), /failed to read file/);
    const zip = new AdmZip((await request(String(last[0]?.full_zip_url))).body);
    assert.ok(zip.getEntries().some((e) => e.entryName.endsWith('.docx')));
  });

  it('uploads: PUT without Content-Type lands, with Content-Type gets 403 XML', async () => {
    const d = data(
      await api('/file-urls/batch', { files: [{ name: 'a.pdf' }, { name: 'empty.docx', data_id: 'e' }] }),
    );
    const urls = d.file_urls as string[];
    assert.equal(urls.length, 2);
    assert.ok(urls[0]?.startsWith(`${fake.cdnOrigin}/upload/`));
    assert.match(urls[0] ?? '', /\?Expires=\d+&OSSAccessKeyId=fake&Signature=[0-9a-f]+$/);
    const poll = async (): Promise<Record<string, unknown>[]> =>
      data(await api(`/extract-results/batch/${String(d.batch_id)}`)).extract_result as Record<
        string,
        unknown
      >[];
    assert.deepEqual(
      (await poll()).map((r) => r.state),
      ['waiting-file', 'waiting-file'],
    );

    const bad = await request(urls[0] ?? '', {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF'),
    });
    assert.equal(bad.status, 403);
    assert.equal(bad.headers['content-type'], 'application/xml');
    assert.match(bad.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    const withAuth = await request(urls[0] ?? '', {
      method: 'PUT',
      headers: auth,
      body: Buffer.from('%PDF'),
    });
    assert.equal(withAuth.status, 400);
    assert.match(withAuth.text, /InvalidArgument/);

    assert.equal((await request(urls[0] ?? '', { method: 'PUT', body: Buffer.alloc(2048, 1) })).status, 200);
    assert.equal((await request(urls[1] ?? '', { method: 'PUT', body: Buffer.alloc(0) })).status, 200);
    const put = fake.requests.filter((r) => r.method === 'PUT' && r.bodyBytes === 2048);
    assert.equal(put.length, 1);
    assert.equal(put[0]?.headers['content-type'], undefined);
    let items = await poll();
    for (let i = 0; i < 8 && items.some((r) => r.state !== 'done' && r.state !== 'failed'); i++)
      items = await poll();
    assert.equal(items[0]?.state, 'done');
    assert.equal(items[1]?.state, 'failed');
    assert.equal(items[1]?.data_id, 'e');
  });

  it('agent API: token-less URL and file tasks, limits', async () => {
    const agent = (path: string, body?: object): Promise<Reply> =>
      request(`${fake.agentBaseUrl}${path}`, body ? { method: 'POST', body } : {});
    const id = String(
      data(await agent('/parse/url', { url: 'https://e.com/a.pdf', language: 'en' })).task_id,
    );
    let d: Record<string, unknown> = {};
    const states: unknown[] = [];
    for (let i = 0; i < 10 && d.state !== 'done'; i++) {
      d = data(await agent(`/parse/${id}`));
      states.push(d.state);
    }
    assert.equal(states[0], 'uploading');
    const md = await request(String(d.markdown_url));
    assert.equal(md.status, 200);
    assert.match(md.text, /^# a/);

    const f = data(await agent('/parse/file', { file_name: 'big.pdf' }));
    assert.ok(String(f.file_url).startsWith(fake.cdnOrigin));
    assert.equal(data(await agent(`/parse/${String(f.task_id)}`)).state, 'waiting-file');
    await request(String(f.file_url), { method: 'PUT', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
    for (let i = 0; i < 5 && d.state !== 'failed'; i++) d = data(await agent(`/parse/${String(f.task_id)}`));
    assert.equal(d.err_code, -30001);
    assert.equal((await agent('/parse/url', { url: 'https://e.com/a.exe' })).json.code, -30002);
    assert.equal(
      (await agent('/parse/url', { url: 'https://e.com/a.pdf', page_range: '1,3' })).json.code,
      -30004,
    );
  });

  it('fault switches: failNext, businessErrorNext, codeAsString, cdnExpiredOnce, zipSlip, hangNext', async () => {
    fake.faults.failNext = { route: '/extract/task$', status: 429, count: 1, retryAfter: 2 };
    const limited = await api('/extract/task', { url: 'https://e.com/a.pdf' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '2');
    fake.faults.businessErrorNext = { code: -60009, msg: 'queue full', count: 1 };
    assert.equal((await api('/extract/task', { url: 'https://e.com/a.pdf' })).json.code, -60009);
    fake.faults.codeAsString = true;
    const r = await api('/extract/task', { url: 'https://e.com/a-pages-1.pdf' });
    assert.equal(r.json.code, '0');
    fake.faults.codeAsString = false;
    const taskId = String((r.json.data as Record<string, unknown>).task_id);
    fake.advanceAll();
    fake.advanceAll();
    fake.advanceAll();
    const first = data(await api(`/extract/task/${taskId}`));
    assert.equal(first.state, 'done');
    fake.faults.cdnExpiredOnce = true;
    fake.faults.zipSlip = true;
    const expired = await request(String(first.full_zip_url));
    assert.equal(expired.status, 403);
    assert.match(expired.text, /AccessDenied/);
    assert.equal((await request(String(first.full_zip_url))).status, 403, 'stays dead until polled again');
    const fresh = data(await api(`/extract/task/${taskId}`));
    assert.notEqual(fresh.full_zip_url, first.full_zip_url);
    const zip = new AdmZip((await request(String(fresh.full_zip_url))).body);
    const names = zip.getEntries().map((e) => e.entryName);
    assert.ok(names.includes('../evil.txt') || names.some((n) => n.includes('evil.txt')), names.join(','));

    fake.faults.hangNext = { route: '/extract-results/', count: 1 };
    const hung = request(`${fake.apiBaseUrl}/extract-results/batch/x`, { headers: auth });
    const outcome = await Promise.race([
      hung.then(
        () => 'answered',
        () => 'error',
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 200)),
    ]);
    assert.equal(outcome, 'hung');
    hung.catch(() => undefined);
  });
  it('posts callbacks with the documented checksum to loopback only, retrying non-200', async () => {
    let hits = 0;
    const bodies: string[] = [];
    const hook = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString('utf8')));
      req.on('end', () => {
        hits += 1;
        bodies.push(b);
        res.writeHead(hits < 2 ? 503 : 200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const port = (hook.address() as { port: number }).port;
    try {
      const id = String(
        data(
          await api('/extract/task', {
            url: 'https://e.com/cb-pages-1.pdf',
            callback: `http://127.0.0.1:${port}/hook`,
            seed: 's33d',
          }),
        ).task_id,
      );
      await api('/extract/task', {
        url: 'https://e.com/remote.pdf',
        callback: 'http://example.com/h',
        seed: 'x',
      });
      for (let i = 0; i < 4; i++) fake.advanceAll();
      for (let i = 0; i < 50 && hits < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(hits, 2);
      const body = JSON.parse(bodies[1] ?? '{}') as { checksum: string; content: string };
      assert.equal(
        body.checksum,
        createHash('sha256').update(`fake-uid${'s33d'}${body.content}`).digest('hex'),
      );
      const content = JSON.parse(body.content) as Record<string, unknown>;
      assert.equal(content.task_id, id);
      assert.equal(content.state, 'done');
      assert.ok(fake.callbacks.every((c) => c.url.startsWith('http://127.0.0.1')));
    } finally {
      hook.close();
    }
  });

  it('CDN faults: redirect to another origin, dropped download, HEAD', async () => {
    const id = String(data(await api('/extract/task', { url: 'https://e.com/r-pages-1.pdf' })).task_id);
    for (let i = 0; i < 3; i++) fake.advanceAll();
    const zipUrl = String(data(await api(`/extract/task/${id}`)).full_zip_url);
    const head = await request(zipUrl, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers['content-length']) > 100);

    fake.faults.cdnRedirectTo = fake.apiOrigin;
    const moved = await request(zipUrl, { headers: auth });
    assert.equal(moved.status, 302);
    const location = String(moved.headers.location);
    assert.ok(location.startsWith(`${fake.apiOrigin}/cdn/`), location);
    const followed = await request(location);
    assert.equal(followed.status, 200);
    assert.equal(fake.requests.at(-1)?.server, 'api');
    fake.faults.cdnRedirectTo = undefined;

    fake.faults.dropNext = { route: '^/cdn/', count: 1, afterBytes: 50 };
    await assert.rejects(request(zipUrl));
    assert.equal((await request(zipUrl)).status, 200);
  });

  it('streams a big padded zip without buffering it', async function () {
    this.timeout(20000);
    const id = String(data(await api('/extract/task', { url: 'https://e.com/big-pages-1.pdf' })).task_id);
    for (let i = 0; i < 3; i++) fake.advanceAll();
    const zipUrl = String(data(await api(`/extract/task/${id}`)).full_zip_url);
    fake.faults.zipPadBytes = 64 * 1024 * 1024;
    const before = process.memoryUsage().rss;
    const size = await new Promise<number>((resolve, reject) => {
      http
        .get(zipUrl, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    assert.ok(size > 64 * 1024 * 1024);
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'the zip is not held in memory');
  });

  it('timed progress is the default: polls do not move a task, time does; manual moves only on advanceAll', async () => {
    const poll = async (f: FakeMinerU, id: string): Promise<unknown> =>
      data(
        await request(`${f.apiBaseUrl}/extract/task/${id}`, {
          headers: { authorization: `Bearer ${f.token}` },
        }),
      ).state;
    const submit = async (f: FakeMinerU): Promise<string> =>
      String(
        data(
          await request(`${f.apiBaseUrl}/extract/task`, {
            method: 'POST',
            headers: { authorization: `Bearer ${f.token}` },
            body: { url: 'https://e.com/t.pdf' },
          }),
        ).task_id,
      );
    const slow = await startFakeMinerU({ stepMs: 60_000 });
    const manual = await startFakeMinerU({ progress: 'manual' });
    try {
      const a = await submit(slow);
      const b = await submit(manual);
      for (let i = 0; i < 6; i++) {
        assert.equal(await poll(slow, a), 'pending', 'a poll is not a step');
        assert.equal(await poll(manual, b), 'pending');
      }
      manual.advanceAll();
      assert.equal(await poll(manual, b), 'running');
    } finally {
      await slow.close();
      await manual.close();
    }
  });

  it('timed mode advances on its own', async () => {
    const timed = await startFakeMinerU({ progress: 'timed', stepMs: 10, pages: 1 });
    try {
      const h = { authorization: `Bearer ${timed.token}` };
      const r = await request(`${timed.apiBaseUrl}/extract/task`, {
        method: 'POST',
        headers: h,
        body: { url: 'https://e.com/t.pdf' },
      });
      const id = String(data(r).task_id);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(
        data(await request(`${timed.apiBaseUrl}/extract/task/${id}`, { headers: h })).state,
        'done',
      );
    } finally {
      await timed.close();
    }
  });
});
