// Documents beyond the limits in the real host against the fake MinerU: a PDF over mineru.maxPages
// offered "Parse in N Parts" (ask) or split without asking (always), one merged result; a URL the
// service refuses with -60006, downloaded here and parsed in parts. Everything the suite changes
// (settings, tasks, files) is put back after each test (see the watched-folders trap in issue 18).
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../src/extension';
import { planSplit } from '../../src/core/split/splitPlan';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { FakeMinerU } from '../fake-mineru/server';
import { makeNumberedPdf, makeSplitPdf } from '../unit/helpers/splitPdfs';
import {
  answerMessages,
  configure,
  EXTENSION_ID,
  finished,
  useFakeMinerU,
  waitFor,
  workspaceRoot,
} from './helpers';

/** The tree's context-menu commands whose `viewItem =~ /…/` clauses all match `contextValue`. */
function rowMenu(contextValue: string): string[] {
  const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
    contributes: { menus: Record<string, { command: string; when?: string }[]> };
  };
  const entries = manifest.contributes.menus['view/item/context'] ?? [];
  const shown = entries.filter((e) =>
    [...(e.when ?? '').matchAll(/viewItem =~ \/(.*?)\/(?=\s|$)/g)].every((m) =>
      new RegExp(m[1]!).test(contextValue),
    ),
  );
  return [...new Set(shown.map((e) => e.command))].sort();
}

const PAGES = 13;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const MAX_PAGES = 5;

describe('Documents in parts', function () {
  this.timeout(90_000);
  let fake: FakeMinerU;
  let a: MinerUTestApi;
  const written: string[] = [];

  const suite = useFakeMinerU({ uploadUrlsLocally: undefined });
  before(() => ({ fake, api: a } = suite));

  beforeEach(async () => {
    await a.engine.clearFinished();
    fake.reset();
    await configure('maxPages', MAX_PAGES);
  });

  afterEach(async () => {
    await configure('maxPages', undefined);
    await configure('splitLargeDocuments', undefined);
    const ids = a.store.all().map((t) => t.id);
    const folders = a.store.all().flatMap((t) => (t.result && !t.part ? [t.result.folder] : []));
    await a.engine.remove(ids);
    for (const f of [...folders, ...written.splice(0)]) await fs.rm(f, { recursive: true, force: true });
    fake.reset();
  });

  async function writePdf(name: string, bytes?: Uint8Array): Promise<vscode.Uri> {
    const p = path.join(workspaceRoot(), 'docs', 'split', name);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, bytes ?? (await makeSplitPdf(PAGES)));
    written.push(p);
    return vscode.Uri.file(p);
  }

  /** The document's part records, in page order. */
  function partsOf(doc: TaskRecord): TaskRecord[] {
    const parent = a.store.get(doc.id) ?? doc;
    return (parent.parts?.ids ?? []).map((id) => a.store.get(id)!).filter(Boolean);
  }

  /** The page numbers of the "## Page k" sections of a Markdown file, in order. */
  async function pageSections(markdownPath: string): Promise<number[]> {
    const text = await fs.readFile(markdownPath, 'utf8');
    return [...text.matchAll(/^## Page (\d+)$/gm)].map((m) => Number(m[1]));
  }

  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  /** Batch submissions of uploads (the upload URLs request), each with the names it sent. */
  const uploadBatches = (): string[][] =>
    fake.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/file-urls/batch'))
      .map((r) => ((r.body as { files?: { name: string }[] }).files ?? []).map((f) => f.name));

  function partsFor(size: number): number {
    return planSplit(PAGES, size, { maxPages: MAX_PAGES, maxBytes: 200 * 1_048_576 }).length;
  }

  async function merged(doc: TaskRecord, size: number): Promise<TaskRecord> {
    const [done] = await waitFor('the document to be merged', () => finished(a, [doc.id]), 80_000);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.equal(done!.parts?.ids.length, partsFor(size), 'one task per planned part');
    await fs.access(done!.result!.markdownPath);
    return done!;
  }

  it('ask: a PDF over mineru.maxPages is offered "Parse in N Parts", and its parts are shown under it [setting:mineru.splitLargeDocuments]', async () => {
    const uri = await writePdf('long.pdf');
    const size = (await fs.stat(uri.fsPath)).size;
    const count = partsFor(size);
    const label = `Parse in ${count} Parts`;
    const doc = await answerMessages(
      (m) => (m.items.includes(label) ? label : undefined),
      async (shown) => {
        const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]);
        assert.deepEqual(tasks, [], 'nothing sent before the answer');
        return waitFor('the document', () => {
          const warned = shown.find((m) => m.items.includes(label));
          assert.ok(!warned || warned.items.includes('Parse Pages 1-5'), 'Parse Pages 1-N kept');
          return a.store.all().find((t) => t.parts && !t.part);
        });
      },
    );
    const done = await merged(doc, size);
    const node = a.tree.nodeFor(done.id)!;
    const children = a.tree.getChildren(node);
    assert.equal(children.length, done.parts!.ids.length, 'the parts below the document');
    const first = a.tree.getTreeItem(children[0]!);
    assert.equal(first.label, `Part 1 of ${count}`);
    assert.match(String(first.description), /^pages 1–\d+ · done/);
    assert.ok(
      !a.tree.getChildren().some((n) => n.kind === 'task' && a.store.get(n.taskId)?.part),
      'no part at top level',
    );
  });

  it('always: split without asking, an info message says so; "Parse in Parts" from the Explorer [cmd:mineru.parseInParts] [menu:explorer/context:mineru.parseInParts]', async () => {
    await configure('splitLargeDocuments', 'always');
    const uri = await writePdf('always.pdf');
    const tasks = await answerMessages(
      () => undefined,
      async (shown) => {
        const t = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseInParts', uri);
        assert.ok(shown.some((m) => m.kind === 'info' && /parsed in \d+ parts/.test(m.message)));
        assert.ok(!shown.some((m) => m.kind === 'warning'), 'no question asked');
        return t;
      },
    );
    assert.equal(tasks?.length, 1);
    await merged(tasks[0]!, (await fs.stat(uri.fsPath)).size);
  });

  it('a URL answered -60006 is downloaded here and parsed in parts [menu:view/item/context:mineru.parseInParts]', async () => {
    const pdf = Buffer.from(await makeSplitPdf(PAGES));
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length }).end(pdf);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/toomanypages/book.pdf`;
      const submitted = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseUrl', url);
      const [failed] = await waitFor('the service to refuse the URL', () => finished(a, [submitted[0]!.id]));
      assert.equal(failed!.state, 'failed');
      const item = a.tree.getTreeItem(a.tree.nodeFor(failed!.id)!);
      assert.match(item.contextValue ?? '', /\bcanParseInParts\b/, 'the tree offers Parse in Parts');
      const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseInParts', failed!.id);
      assert.equal(tasks?.length, 1);
      assert.equal(a.store.get(failed!.id), undefined, 'the document replaces the failed URL task');
      const done = await merged(tasks[0]!, pdf.length);
      assert.equal(path.basename(done.result!.markdownPath), 'book.md');
    } finally {
      server.close();
    }
  });
  it('a 1,300-page local PDF becomes 3 parts (limit 600) and one .md whose sections run from page 1 to 1,300 in order, every image resolving', async () => {
    await configure('maxPages', undefined); // the service's own 600
    await configure('splitLargeDocuments', 'always');
    assert.equal(fake.limits.maxPages, 600, 'the fake refuses a document over 600 pages');
    const uri = await writePdf('book-1300.pdf', makeNumberedPdf(1300));
    // The notifier gathers what finishes within 1.5 s: let the earlier tests' notices go first.
    await sleep(2000);
    const { done, shown } = await answerMessages(
      () => undefined,
      async (shown) => {
        const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseFile', uri, [uri]);
        assert.equal(tasks?.length, 1, 'one document');
        const [doc] = await waitFor('the document to be merged', () => finished(a, [tasks[0]!.id]), 80_000);
        // Longer than the notifier's settling time (1.5 s): every notification of the parse is shown.
        await sleep(2500);
        return { done: doc!, shown };
      },
    );
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    const parts = partsOf(done);
    assert.equal(a.store.all().filter((t) => t.part?.parentId === done.id).length, 3, 'exactly 3 parts');
    assert.deepEqual(
      parts.map((p) => [p.part!.index, p.part!.firstPage, p.part!.lastPage, p.state]),
      [
        [1, 1, 434, 'done'],
        [2, 435, 867, 'done'],
        [3, 868, 1300, 'done'],
      ],
    );
    // The fake read each part's real pages and held them against its limit: each was accepted.
    const remote = fake.tasks();
    assert.equal(remote.length, 3, 'three tasks at the service');
    assert.deepEqual(remote.map((t) => [t.pages, t.state]).sort(), [
      [433, 'done'],
      [433, 'done'],
      [434, 'done'],
    ]);
    assert.deepEqual(uploadBatches(), [
      ['book-1300.part-1.pdf', 'book-1300.part-2.pdf', 'book-1300.part-3.pdf'],
    ]);

    const md = done.result!.markdownPath;
    assert.equal(path.basename(md), 'book-1300.md');
    assert.deepEqual(await pageSections(md), range(1300), 'pages 1 to 1,300, each once, in order');
    const text = await fs.readFile(md, 'utf8');
    const links = [...text.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]*\ssrc="([^"]+)"/g)].map(
      (m) => m[1] ?? m[2]!,
    );
    assert.equal(new Set(links).size, 130, 'a figure on pages 1, 11, … 1,291');
    for (const link of links) {
      const file = path.resolve(path.dirname(md), decodeURI(link));
      assert.ok(file.startsWith(done.result!.folder + path.sep), `${link} inside the result`);
      await fs.access(file);
    }
    const names = await fs.readdir(done.result!.folder);
    const list = names.find((n) => n.endsWith('_content_list.json'));
    assert.ok(list, `a content list in ${names.join(', ')}`);
    const pageIdx = (
      JSON.parse(await fs.readFile(path.join(done.result!.folder, list), 'utf8')) as { page_idx: number }[]
    ).map((b) => b.page_idx);
    assert.deepEqual(
      [...new Set(pageIdx)],
      range(1300).map((k) => k - 1),
      'page_idx rebased to the whole document, in order',
    );
    await waitFor('the work folder to be deleted', () => !existsSync(done.parts!.workDir));

    const ready = shown.filter((m) => /is ready|are ready/.test(m.message));
    assert.deepEqual(
      ready.map((m) => m.message),
      ['MinerU: "book-1300" is ready: book-1300.md'],
      'one notification for the document, none for its parts',
    );
  });

  it('a failed part is retried alone', async () => {
    await configure('splitLargeDocuments', 'always');
    fake.faults.failTaskOnce('retried.part-2.pdf');
    const uri = await writePdf('retried.pdf', makeNumberedPdf(12));
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseInParts', uri);
    const [failed] = await waitFor('the document to fail', () => finished(a, [tasks[0]!.id]), 30_000);
    assert.equal(failed!.state, 'failed');
    assert.match(
      failed!.error!.message,
      /^Part 2 of 3 \(pages 5–8\) failed: .*parsing failed, please try again later/,
    );
    const parts = await waitFor('the other parts to finish', () => {
      const p = partsOf(failed!);
      return p.length === 3 && p[0]!.state === 'done' && p[2]!.state === 'done' && p;
    });
    assert.equal(parts[1]!.state, 'failed');
    const row = a.tree.getTreeItem(a.tree.nodeFor(parts[1]!.id)!);
    assert.match(row.contextValue ?? '', /\bcanRetry\b/, 'the part row offers Retry');
    assert.deepEqual(
      rowMenu(row.contextValue ?? ''),
      ['mineru.copyTaskId', 'mineru.retryTask'],
      'a failed part: Retry (alone) and its id; no Remove, Open or Re-run with Page Ranges',
    );
    assert.equal(uploadBatches().length, 1);
    const puts = fake.requests.filter((r) => r.method === 'PUT').length;

    await vscode.commands.executeCommand('mineru.retryTask', parts[1]!.id);
    const [done] = await waitFor('the document to be merged', () => finished(a, [failed!.id]), 30_000);
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(uploadBatches().slice(1), [['retried.part-2.pdf']], 'only part 2 sent again');
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, puts + 1, 'one more upload');
    assert.equal(fake.tasks().length, 4, 'three parts and one retry at the service');
    const after = partsOf(done!);
    assert.deepEqual(
      [after[0]!.remote, after[2]!.remote],
      [parts[0]!.remote, parts[2]!.remote],
      'parts 1 and 3 kept their tasks',
    );
    assert.deepEqual(await pageSections(done!.result!.markdownPath), range(12));
  });

  it('a reload mid-way resumes every part', async () => {
    await configure('splitLargeDocuments', 'always');
    const uri = await writePdf('reloaded.pdf', makeNumberedPdf(12));
    const tasks = await vscode.commands.executeCommand<TaskRecord[]>('mineru.parseInParts', uri);
    const doc = tasks[0]!;
    const parts = partsOf(doc);
    assert.equal(parts.length, 3);
    assert.ok(
      parts.every(
        (p) => (p.remote?.taskId || p.remote?.batchId) && p.state !== 'done' && p.state !== 'importing',
      ),
      `every part sent, none finished: ${parts.map((p) => p.state).join(', ')}`,
    );
    await a.store.flush();
    a = a.restart();
    assert.deepEqual(
      partsOf(doc).map((p) => p.id),
      parts.map((p) => p.id),
      'the parts were restored',
    );
    const [done] = await waitFor(
      'the document to be merged after the reload',
      () => finished(a, [doc.id]),
      30_000,
    );
    assert.equal(done!.state, 'done', JSON.stringify(done!.error));
    assert.deepEqual(await pageSections(done!.result!.markdownPath), range(12), 'every page once');
    assert.equal(uploadBatches().length, 1, 'nothing sent again after the reload');
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 3);
    assert.deepEqual(
      partsOf(done!).map((p) => p.state),
      ['done', 'done', 'done'],
    );
  });
});
