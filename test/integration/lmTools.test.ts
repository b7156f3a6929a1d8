// The language-model tools in the real host, called as an agent calls them: vscode.lm.tools lists
// them, vscode.lm.invokeTool runs them against the fake MinerU. In an extension test host the
// workbench skips its dialogs (they count as confirmed), so the confirmation's text is checked by
// calling the tool's prepareInvocation through the test API, before each call that sends. A second call with the same source and
// options is answered from the result index without a request; cancellation removes the task;
// each error comes back as text that says what to do.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../src/extension';
import type { FakeMinerU } from '../fake-mineru/server';
import { makePdf } from '../unit/helpers/pdf';
import { configure, TOKEN_SECRET_KEY, useFakeMinerU, waitFor, workspaceRoot } from './helpers';

const PARSE = 'mineru_parse_document';
const FIND = 'mineru_find_results';

/** The text parts of a tool result, joined. */
function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('\n');
}

function invoke(input: object, token?: vscode.CancellationToken): Thenable<vscode.LanguageModelToolResult> {
  return vscode.lm.invokeTool(
    PARSE,
    { input, toolInvocationToken: undefined },
    token ?? new vscode.CancellationTokenSource().token,
  );
}

describe('Language-model tools in the real host', function () {
  this.timeout(90_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;
  const suite = useFakeMinerU({
    uploadUrlsLocally: undefined,
    mode: undefined,
    'tool.maxCharacters': undefined,
  });
  before(() => ({ fake, api: a } = suite));
  beforeEach(async () => {
    await a.engine.clearFinished();
    fake.reset();
  });

  /** The confirmation prepareInvocation gives (title and message), then the call itself. */
  async function invokeConfirmed(input: object): Promise<{ text: string; dialog: string }> {
    const prepared = await a.tools.parse.prepareInvocation!(
      { input: input as never },
      new vscode.CancellationTokenSource().token,
    );
    const c = prepared?.confirmationMessages;
    const message = typeof c?.message === 'string' ? c.message : (c?.message.value ?? '');
    const dialog = c ? `${c.title}\n${message}` : '(no confirmation)';
    return { text: textOf(await invoke(input)), dialog };
  }

  let written = 0;
  async function writePdf(rel: string, pages: number): Promise<string> {
    const p = path.join(workspaceRoot(), 'papers', rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    // Padding of a length no other suite uses: the index keys files by content, and another
    // suite's PDF of the same page count would be the same bytes, so an existing result.
    await fs.writeFile(p, makePdf({ pages, padBytes: 12_347 + 7 * ++written }));
    return p;
  }

  it('vscode.lm.tools lists both tools with their input schemas', () => {
    const parse = vscode.lm.tools.find((t) => t.name === PARSE);
    const find = vscode.lm.tools.find((t) => t.name === FIND);
    assert.ok(parse, 'mineru_parse_document is registered');
    assert.ok(find, 'mineru_find_results is registered');
    const schema = parse.inputSchema as {
      required: string[];
      properties: Record<string, { type: string; maxItems?: number; enum?: string[] }>;
    };
    assert.deepEqual(schema.required, ['sources']);
    assert.equal(schema.properties.sources?.type, 'array');
    assert.equal(schema.properties.sources?.maxItems, 5);
    assert.deepEqual(schema.properties.mode?.enum, ['precise', 'quick', 'selfHosted']);
    assert.equal(schema.properties.pageRanges?.type, 'string');
    assert.equal(schema.properties.returnMarkdown?.type, 'boolean');
    assert.match(parse.description, /Markdown/);
    assert.ok(find.inputSchema, 'the find tool has a schema too');
  });

  it('a URL: the confirmation says the link goes to the service; the Markdown and the paths come back; a second call reuses the result without a request', async () => {
    const url = 'https://example.com/papers/lm-url-paper.pdf';
    const first = await invokeConfirmed({ sources: [url] });
    const host = new URL(fake.apiBaseUrl).host;
    assert.match(first.dialog, new RegExp(`Send the link ${url.replace(/[.?]/g, '\\$&')} to ${host}`));
    const folder = path.join(workspaceRoot(), 'mineru', 'lm-url-paper');
    assert.match(first.text, /Result folder: .*lm-url-paper/);
    assert.ok(first.text.includes(path.join(folder, 'lm-url-paper.md')), first.text);
    assert.match(first.text, /# lm-url-paper/, 'the Markdown itself');
    assert.match(first.text, /Images \(\d+\): .*images/, 'images by path');
    assert.ok(!/Reused/.test(first.text));
    assert.ok(
      fake.requests.some((r) => r.path.endsWith('/extract/task')),
      'submitted through the engine',
    );
    assert.ok(
      a.store.all().some((t) => t.source.kind === 'url' && t.source.url === url && t.state === 'done'),
      'the task is in the tree',
    );

    fake.reset();
    const prepared = await a.tools.parse.prepareInvocation!(
      { input: { sources: [url] } },
      new vscode.CancellationTokenSource().token,
    );
    assert.equal(prepared?.confirmationMessages, undefined, 'nothing leaves: nothing to confirm');
    const again = textOf(await invoke({ sources: [url] }));
    assert.equal(fake.requests.length, 0, 'no request for the second call');
    assert.match(again, /Reused the existing result/);
    assert.match(again, /# lm-url-paper/);
  });

  it('a workspace PDF: the confirmation names the file, its size and the host; the result is found again after a reload', async () => {
    const file = await writePdf('thesis.pdf', 2);
    const { text, dialog } = await invokeConfirmed({ sources: ['papers/thesis.pdf'] });
    const host = new URL(fake.apiBaseUrl).host;
    assert.match(dialog, new RegExp(`Upload papers/thesis\\.pdf \\(\\d+ KB\\) to ${host}`));
    assert.ok(
      fake.requests.some((r) => r.method === 'PUT'),
      'the file was uploaded',
    );
    assert.match(text, /Markdown: .*thesis\.md \(\d+ lines\)/);
    assert.match(text, /# thesis/);

    fake.reset();
    const reloaded = a.restart();
    const again = textOf(await invoke({ sources: [file] }));
    assert.equal(fake.requests.length, 0, 'the index survived the reload: no request');
    assert.match(again, /Reused the existing result/);
    assert.equal(reloaded, a);

    // Same file, other options: a new parse (the dialog comes again), not the old result.
    const other = await invokeConfirmed({ sources: ['papers/thesis.pdf'], pageRanges: '1' });
    assert.ok(!/Reused/.test(other.text));
    assert.ok(fake.requests.length > 0);

    const found = textOf(
      await vscode.lm.invokeTool(FIND, { input: { query: 'thesis' }, toolInvocationToken: undefined }),
    );
    assert.match(found, /2 MinerU result\(s\)/);
    assert.ok(found.includes(file), found);
  });

  it('caps the Markdown at mineru.tool.maxCharacters and names the rest by path and line range [setting:mineru.tool.maxCharacters]', async () => {
    await configure('tool.maxCharacters', 1000);
    try {
      const { text } = await invokeConfirmed({ sources: ['https://example.com/lm-long-pages-40.pdf'] });
      const md = /Markdown: (.*\.md) \((\d+) lines\)/.exec(text);
      assert.ok(md, text);
      const total = Number(md[2]);
      const shown = /--- Markdown, lines 1-(\d+) of (\d+) ---/.exec(text);
      assert.ok(shown, text);
      const upTo = Number(shown[1]);
      assert.ok(upTo < total);
      assert.ok(text.includes(`lines ${upTo + 1}-${total} of ${md[1]!}`), text);
      const body = text.slice(text.indexOf(shown[0]) + shown[0].length, text.indexOf('--- The rest'));
      assert.ok(body.length <= 1000 + 2, `at most the cap: ${body.length}`);
      const onDisk = await fs.readFile(md[1]!, 'utf8');
      assert.ok(onDisk.startsWith(body.trim()), 'the first lines of the file');

      const paths = textOf(
        await invoke({ sources: ['https://example.com/lm-long-pages-40.pdf'], returnMarkdown: false }),
      );
      assert.ok(!paths.includes('--- Markdown'), 'returnMarkdown false: only the paths');
      assert.ok(paths.includes(md[1]!));
    } finally {
      await configure('tool.maxCharacters', undefined);
    }
  });

  it('cancellation stops the call and removes its task', async () => {
    const cts = new vscode.CancellationTokenSource();
    const url = 'https://example.com/lm-slow-cancel.pdf';
    const call = invoke({ sources: [url] }, cts.token);
    await waitFor('the task to be submitted', () =>
      a.store.all().find((t) => t.source.kind === 'url' && t.source.url === url && t.remote),
    );
    cts.cancel();
    await assert.rejects(Promise.resolve(call), (e: Error) => /cancel/i.test(e.name + e.message));
    await waitFor(
      'the task to be removed',
      () => !a.store.all().some((t) => t.source.kind === 'url' && t.source.url === url),
    );
  });

  describe('errors come back as text the model can act on', () => {
    it('no token in precise mode: names the command that sets it, and quick mode', async () => {
      await a.secrets.delete(TOKEN_SECRET_KEY);
      try {
        await new Promise((r) => setTimeout(r, 200));
        const text = textOf(
          await invoke({ sources: ['https://example.com/lm-no-token.pdf'], mode: 'precise' }),
        );
        assert.match(text, /No MinerU API token/);
        assert.match(text, /mineru\.setToken/);
        assert.match(text, /mode "quick"/);
        assert.equal(fake.requests.length, 0);
      } finally {
        await a.setToken(fake.token);
      }
    });

    it('too many pages for the limit: refused before sending, with the page-range hint', async () => {
      await writePdf('big-book.pdf', 5);
      await configure('maxPages', 3);
      try {
        const text = textOf(await invoke({ sources: ['papers/big-book.pdf'] })); // nothing to confirm
        assert.match(text, /5 pages, over the 3-page limit/);
        assert.match(text, /pageRanges, e\.g\. "1-3"/);
        assert.equal(fake.requests.length, 0);
      } finally {
        await configure('maxPages', undefined);
      }
    });

    it('the service refuses too many pages: the failure and the page-range hint', async () => {
      const { text } = await invokeConfirmed({ sources: ['https://example.com/lm-toomanypages.pdf'] });
      assert.match(text, /failed/);
      assert.match(text, /pageRanges/);
    });

    it("a failed parse: the service's reason, not an exception", async () => {
      const { text } = await invokeConfirmed({ sources: ['https://example.com/lm-fail-doc.pdf'] });
      assert.match(text, /"https:\/\/example\.com\/lm-fail-doc\.pdf" failed\. Parse failed/);
    });

    it('the service is down: the network failure and what to do', async () => {
      await configure('apiBaseUrl', 'http://127.0.0.1:9/api/v4');
      try {
        const { text } = await invokeConfirmed({ sources: ['https://example.com/lm-down.pdf'] });
        assert.match(text, /"https:\/\/example\.com\/lm-down\.pdf" failed\. Submit failed/);
        assert.match(text, /refused|reach|connect|network/i);
      } finally {
        await configure('apiBaseUrl', fake.apiBaseUrl);
      }
    });

    it('bad input and files outside the workspace: refused, saying what is accepted', async () => {
      const none = textOf(await invoke({ sources: [] }));
      assert.match(none, /"sources": a list of 1 to 5/);
      const six = textOf(await invoke({ sources: ['a', 'b', 'c', 'd', 'e', 'f'] }));
      assert.match(six, /1 to 5/);
      const outside = textOf(await invoke({ sources: ['/etc/passwd'] }));
      assert.match(outside, /not a file in the workspace/);
      const escape = textOf(await invoke({ sources: ['../../etc/hosts'] }));
      assert.match(escape, /not a file in the workspace/);
      const ranges = textOf(await invoke({ sources: ['https://example.com/x.pdf'], pageRanges: 'abc' }));
      assert.match(ranges, /page range "abc" was refused/);
      assert.equal(fake.requests.length, 0);
    });
  });

  it('prepareInvocation names the destination and has no side effects (self-hosted: "your server at …")', async () => {
    const file = await writePdf('report.pdf', 1);
    const tokenSource = new vscode.CancellationTokenSource();
    const cloud = await a.tools.parse.prepareInvocation!(
      { input: { sources: ['papers/report.pdf'] } },
      tokenSource.token,
    );
    assert.match(
      String(cloud?.confirmationMessages?.title),
      new RegExp(`Upload papers/report\\.pdf \\(\\d+ KB\\) to ${new URL(fake.apiBaseUrl).host}\\?`),
    );
    await configure('selfHosted.url', 'http://127.0.0.1:8000');
    try {
      const own = await a.tools.parse.prepareInvocation!(
        { input: { sources: ['papers/report.pdf'], mode: 'selfHosted' } },
        tokenSource.token,
      );
      assert.match(
        String(own?.confirmationMessages?.title),
        /to your server at http:\/\/127\.0\.0\.1:8000\?/,
      );
    } finally {
      await configure('selfHosted.url', undefined);
    }
    assert.equal(fake.requests.length, 0, 'nothing sent');
    assert.ok(!a.store.all().some((t) => t.source.kind === 'file' && t.source.path === file), 'no task');
  });
});
