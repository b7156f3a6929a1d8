// Documents beyond the limits in the real host against the fake MinerU: a PDF over mineru.maxPages
// offered "Parse in N Parts" (ask) or split without asking (always), one merged result; a URL the
// service refuses with -60006, downloaded here and parsed in parts. Everything the suite changes
// (settings, tasks, files) is put back after each test (see the watched-folders trap in issue 18).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../src/extension';
import { planSplit } from '../../src/core/split/splitPlan';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { FakeMinerU } from '../fake-mineru/server';
import { makeSplitPdf } from '../unit/helpers/splitPdfs';
import { answerMessages, configure, finished, useFakeMinerU, waitFor, workspaceRoot } from './helpers';

const PAGES = 13;
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

  async function writePdf(name: string): Promise<vscode.Uri> {
    const p = path.join(workspaceRoot(), 'docs', 'split', name);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, await makeSplitPdf(PAGES));
    written.push(p);
    return vscode.Uri.file(p);
  }

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
});
