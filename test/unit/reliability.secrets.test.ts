// Fault matrix, secrets (RELIABILITY.md, rows R-SEC-*): a hostile server that echoes the token back
// in every place it can (business message, HTML page, redirect target), and a full flow whose every
// request is checked for where the token went. The log is the engine's Logger, captured.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../../src/core/errors';
import { allFinished, startHarness, type Harness } from './helpers/engineHarness';

const PRECISE = { options: { modelVersion: 'vlm' as const }, mode: 'precise' as const };

/** Every place the token could leak to on our side: log lines, task errors as stored and as shown, persisted state. */
async function leaks(h: Harness, token: string): Promise<string[]> {
  await h.store.flush();
  const places: [string, string][] = [
    ['log', h.logger.lines.join('\n')],
    ['workspace state', h.kv.dump()],
    ...h.store.all().flatMap((t): [string, string][] =>
      t.error
        ? [
            ['error', JSON.stringify(t.error)],
            ['notification', describeError(t.error)],
          ]
        : [],
    ),
  ];
  return places.filter(([, text]) => text.includes(token)).map(([where]) => where);
}

describe('reliability: secrets', function () {
  this.timeout(20_000);
  let h: Harness;
  afterEach(async () => h?.dispose());
  const request = () => ({ ...PRECISE, outputDir: h.outputDir });

  it('[R-SEC-1] a server echoing the token (message, HTML page, redirect) never gets it into the log, errors, notifications or workspace state', async () => {
    h = await startHarness();
    const token = h.fake.token;
    h.fake.faults.businessErrorNext = {
      route: '/extract/task$',
      code: -99999,
      msg: `token ${token} is not allowed (Authorization: Bearer ${token})`,
      count: 1,
    };
    await h.engine.submitUrls([{ url: 'https://example.com/echo-1.pdf' }], request());
    h.fake.faults.failNext = {
      route: '/extract/task$',
      status: 302,
      body: '',
      headers: { location: `https://collector.invalid/steal/${token}?token=${token}` },
      count: 1,
    };
    await h.engine.submitUrls([{ url: 'https://example.com/echo-2.pdf' }], request());
    h.fake.faults.failNext = {
      route: '/extract/task$',
      status: 403,
      body: `<html><body>Denied for ${token}</body></html>`,
      count: 1,
    };
    await h.engine.submitUrls([{ url: 'https://example.com/echo-3.pdf' }], request());
    await h.engine.submitUrls([{ url: 'https://example.com/echo-poll-pages-3.pdf' }], request());
    h.fake.faults.failNext = {
      route: '/extract/task/[^/]+$',
      status: 502,
      body: `<html><body>upstream said Bearer ${token}</body></html>`,
      count: 2,
    };
    const tasks = await h.waitFor((t) => t.length === 4 && allFinished(t));
    assert.deepEqual(
      tasks.map((t) => t.state),
      ['failed', 'failed', 'failed', 'done'],
    );
    const host = new URL(h.fake.apiBaseUrl).host;
    assert.match(tasks[0]!.error!.message, /token \*\*\* is not allowed/);
    // The redirect target is named (token in the path redacted, query elided), not just "redirected".
    assert.equal(tasks[1]!.error!.code, 'HTTP_302');
    assert.equal(
      tasks[1]!.error!.message,
      `The server at ${host} redirected the request to https://collector.invalid/steal/***?…; redirects are not followed`,
    );
    // The 403 HTML page is recognised as a page (a proxy), and its text (the token) is not quoted.
    assert.equal(tasks[2]!.error!.code, 'HTTP_403');
    assert.equal(tasks[2]!.error!.httpStatus, 403);
    assert.equal(
      tasks[2]!.error!.message,
      `The server at ${host} refused the request (HTTP 403) (an HTML page, not JSON)`,
    );
    assert.equal(
      tasks[2]!.error!.hint,
      'Check your proxy settings; a proxy or captive portal may be in the way',
    );
    assert.deepEqual(await leaks(h, token), []);
    assert.ok(h.logger.lines.length > 10);
  });

  it('[R-SEC-2] the token goes only to the API origin: never to the CDN, the upload host, a redirect target or the agent API', async () => {
    h = await startHarness();
    const token = h.fake.token;
    h.fake.faults.cdnRedirectTo = h.fake.apiOrigin;
    const file = path.join(h.workDir, 'secret-upload.pdf');
    await fs.writeFile(file, Buffer.alloc(50_000, 9));
    await h.engine.submitFiles([{ path: file, size: 50_000 }], request());
    await h.engine.submitUrls([{ url: 'https://example.com/secret-url.pdf' }], request());
    await h.engine.submitUrls([{ url: 'https://example.com/secret-quick.pdf' }], {
      ...request(),
      mode: 'quick',
    });
    const tasks = await h.waitFor((t) => t.length === 3 && allFinished(t));
    assert.ok(
      tasks.every((t) => t.state === 'done'),
      JSON.stringify(tasks.map((t) => t.error)),
    );
    const apiPath = new URL(h.fake.apiBaseUrl).pathname;
    const toApi = h.fake.requests.filter((r) => r.server === 'api' && r.path.startsWith(`${apiPath}/`));
    const elsewhere = h.fake.requests.filter((r) => !toApi.includes(r));
    assert.ok(toApi.length >= 4 && toApi.every((r) => r.headers.authorization === `Bearer ${token}`));
    const kinds = new Set(
      elsewhere.map((r) =>
        r.method === 'PUT'
          ? 'upload'
          : r.path.includes('/agent/')
            ? 'agent'
            : r.server === 'cdn'
              ? 'cdn'
              : 'redirect',
      ),
    );
    assert.deepEqual([...kinds].sort(), ['agent', 'cdn', 'redirect', 'upload']);
    for (const r of elsewhere) {
      assert.equal(r.headers.authorization, undefined, `${r.method} ${r.path}`);
      assert.ok(!JSON.stringify(r).includes(token), `${r.method} ${r.path} carries the token`);
    }
    assert.deepEqual(await leaks(h, token), []);
  });
});
