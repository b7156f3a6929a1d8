// The URI handler (vscode://mineru-community.mineru-document-parser/parse?url=…) in the real host,
// against the fake MinerU: a modal confirmation naming the link and the service comes first, and
// nothing is sent before "Parse"; a link carrying a token, an endpoint or an output folder is
// refused with a message and sends nothing.
//
// The URI is handed to the registered handler through the test API (handleUri), not opened with
// vscode.env.openExternal: code-server's scheme is code-oss://, and openExternal gives such a URI
// to the browser (window.open, "All done. You can close this tab now."), which never loops back to
// the workbench's URL service here. Desktop VS Code routes vscode://<publisher.name>/… itself.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import type { FakeMinerU } from '../fake-mineru/server';
import { answerMessages, EXTENSION_ID, finished, useFakeMinerU, waitFor, type ShownMessage } from './helpers';

/** A request URI in this host's own scheme (vscode:// on desktop, code-oss:// in code-server). */
function requestUri(query: string): vscode.Uri {
  return vscode.Uri.parse(`${vscode.env.uriScheme}://${EXTENSION_ID}/parse?${query}`);
}

describe('MinerU URI handler in the real host', function () {
  this.timeout(60_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;
  const suite = useFakeMinerU();
  before(() => ({ fake, api: a } = suite));
  beforeEach(async () => {
    await a.engine.clearFinished();
    fake.reset();
  });

  it('a link asks first, in a modal naming the link and the service: cancelled, nothing is sent', async () => {
    const url = 'https://example.com/papers/from-browser.pdf';
    const uri = requestUri(`url=${encodeURIComponent(url)}`);
    const shown = await answerMessages(
      () => undefined,
      async (shown) => {
        assert.equal(await a.handleUri(uri), undefined, 'cancelled: no task');
        return shown;
      },
    );
    const confirm = shown.find((m) => m.modal);
    assert.ok(confirm, `a modal confirmation was shown: ${JSON.stringify(shown)}`);
    assert.deepEqual(confirm.items, ['Parse']);
    assert.match(confirm.detail ?? '', /https:\/\/example\.com\/papers\/from-browser\.pdf/);
    assert.ok(
      confirm.detail?.includes(new URL(fake.apiBaseUrl).host),
      `names the service: ${confirm.detail}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fake.requests.length, 0, 'nothing was sent');
  });

  it('parses only after "Parse": the link goes to the service the settings name, with the user\'s token', async () => {
    const url = 'https://example.com/papers/after-parse.pdf';
    let askedBeforeSend = false;
    const tasks = await answerMessages(
      (m) => {
        if (m.modal) askedBeforeSend = fake.requests.length === 0;
        return m.modal ? 'Parse' : undefined;
      },
      () => a.handleUri(requestUri(`url=${encodeURIComponent(url)}`)),
    );
    assert.ok(askedBeforeSend, 'the question came before any request');
    assert.ok(tasks && tasks.length === 1, 'one task');
    const [done] = await waitFor('the task to finish', () => finished(a, [tasks[0]!.id]));
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    const submit = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/extract/task'));
    assert.equal((submit?.body as { url?: string } | undefined)?.url, url);
    assert.equal(submit?.headers.authorization, `Bearer ${fake.token}`);
  });

  it('several url parameters go as one batch after one confirmation', async () => {
    const urls = ['https://example.com/b/one.pdf', 'https://example.com/b/two.pdf'];
    const { tasks, shown } = await answerMessages(
      (m) => (m.modal ? 'Parse' : undefined),
      async (shown) => ({
        tasks: await a.handleUri(requestUri(urls.map((u) => `url=${encodeURIComponent(u)}`).join('&'))),
        shown,
      }),
    );
    assert.equal(shown.filter((m) => m.modal).length, 1);
    assert.equal(tasks?.length, 2);
    await waitFor('the tasks to finish', () =>
      finished(
        a,
        tasks.map((t) => t.id),
      ),
    );
    const batches = fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/extract/task/batch'),
    );
    assert.equal(batches.length, 1, 'one batch request');
  });

  for (const [name, value] of [
    ['token', 'stolen-or-planted'],
    ['endpoint', 'https://evil.example/api/v4'],
    ['apiBaseUrl', 'https://evil.example/api/v4'],
    ['outputDirectory', '../../elsewhere'],
  ] as const) {
    it(`a link carrying "${name}" is refused with a message, without a question or a request`, async () => {
      const before = a.store.size;
      let result: TaskRecord[] | undefined = [];
      const shown: ShownMessage[] = await answerMessages(
        () => 'Parse',
        async (shown) => {
          result = await a.handleUri(
            requestUri(
              `url=${encodeURIComponent('https://example.com/x.pdf')}&${name}=${encodeURIComponent(value)}`,
            ),
          );
          return shown;
        },
      );
      assert.equal(result, undefined);
      assert.equal(shown.filter((m) => m.modal).length, 0, 'no confirmation offered');
      const error = shown.find((m) => m.kind === 'error');
      assert.ok(error, 'an error message');
      assert.match(
        error.message,
        new RegExp(`MinerU refused a link from outside VS Code: it sets "${name}"`),
      );
      assert.ok(!error.message.includes(value), 'the value is not echoed');
      assert.equal(a.store.size, before);
      assert.equal(fake.requests.length, 0);
    });
  }
});
