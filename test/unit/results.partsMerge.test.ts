/** The merge of a document parsed in parts (issue 18): mergePartResults, its JSON scanner and link rewriting. */
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { markdownSeparator, mergePartResults, type MergePart } from '../../src/core/results/partsMerge';

interface PartSpec {
  firstPage: number;
  lastPage: number;
  markdown: string;
  images?: Record<string, Buffer | string>;
  contentList?: unknown;
  layout?: unknown;
  files?: Record<string, Buffer | string>;
}

let root: string;

async function makePart(k: number, spec: PartSpec): Promise<MergePart> {
  const folder = path.join(root, 'parts', `doc.part-${k}`);
  await fs.mkdir(path.join(folder, 'images'), { recursive: true });
  await fs.writeFile(path.join(folder, `doc.part-${k}.md`), spec.markdown);
  for (const [name, bytes] of Object.entries(spec.images ?? {}))
    await fs.writeFile(path.join(folder, 'images', name), bytes);
  if (spec.contentList !== undefined)
    await fs.writeFile(
      path.join(folder, `uuid${k}_content_list.json`),
      JSON.stringify(spec.contentList, null, 2),
    );
  if (spec.layout !== undefined)
    await fs.writeFile(path.join(folder, 'layout.json'), JSON.stringify(spec.layout));
  for (const [name, bytes] of Object.entries(spec.files ?? {}))
    await fs.writeFile(path.join(folder, name), bytes);
  return { folder, firstPage: spec.firstPage, lastPage: spec.lastPage };
}

const outDir = (): string => path.join(root, 'out');

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
}

function pagesOf(first: number, count: number): { type: string; text: string; page_idx: number }[] {
  return Array.from({ length: count }, (_, p) => ({ type: 'text', text: `page ${first + p}`, page_idx: p }));
}

describe('Merging the results of a document parsed in parts (issue 18)', () => {
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(tmpdir(), 'mineru-merge-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('rebases every page_idx of the content list and layout.json to the whole document (part 2 from page 435: 0 → 434)', async () => {
    const parts = [
      await makePart(1, {
        firstPage: 1,
        lastPage: 434,
        markdown: '# Part one\n',
        contentList: pagesOf(1, 3),
        layout: { pdf_info: [0, 1, 2].map((i) => ({ page_idx: i, page_size: [612, 792] })), _backend: 'vlm' },
      }),
      await makePart(2, {
        firstPage: 435,
        lastPage: 867,
        markdown: 'Part two\n',
        contentList: pagesOf(435, 2),
        // The second page names no page_idx: it is read by position, so the merge writes it.
        layout: {
          pdf_info: [{ page_idx: 0, page_size: [612, 792] }, { page_size: [595, 842] }],
          _backend: 'x',
        },
      }),
    ];
    const summary = await mergePartResults({ parts, name: 'doc', outputDir: outDir() });
    const list = (await readJson(path.join(summary.folder, 'doc_content_list.json'))) as {
      page_idx: number;
      text: string;
    }[];
    assert.deepEqual(
      list.map((b) => [b.text, b.page_idx]),
      [
        ['page 1', 0],
        ['page 2', 1],
        ['page 3', 2],
        ['page 435', 434],
        ['page 436', 435],
      ],
    );
    const layout = (await readJson(path.join(summary.folder, 'layout.json'))) as {
      pdf_info: { page_idx: number; page_size: number[] }[];
      _backend: string;
    };
    assert.deepEqual(
      layout.pdf_info.map((p) => p.page_idx),
      [0, 1, 2, 434, 435],
    );
    assert.deepEqual(layout.pdf_info[4]!.page_size, [595, 842]);
    assert.equal(layout._backend, 'vlm', "the first part's frame");
    assert.deepEqual(summary.extras.map((e) => [e.format, path.basename(e.path)]).sort(), [
      ['json', 'doc_content_list.json'],
      ['json', 'layout.json'],
    ]);
  });

  it('keeps an image of the same name and bytes once, both parts linking to it', async () => {
    const logo = Buffer.from('the same logo bytes');
    const parts = [
      await makePart(1, {
        firstPage: 1,
        lastPage: 2,
        markdown: '![](images/logo.jpg)\n',
        images: { 'logo.jpg': logo },
      }),
      await makePart(2, {
        firstPage: 3,
        lastPage: 4,
        markdown: '![](images/logo.jpg)\n',
        images: { 'logo.jpg': logo },
      }),
    ];
    const summary = await mergePartResults({ parts, name: 'doc', outputDir: outDir() });
    assert.deepEqual(await fs.readdir(path.join(summary.folder, 'images')), ['logo.jpg']);
    assert.equal(
      await fs.readFile(summary.markdownPath, 'utf8'),
      '![](images/logo.jpg)\n\n![](images/logo.jpg)\n',
    );
    assert.equal(summary.brokenImageLinks, 0);
    // A link to an image no part has counts as broken (and a ./-prefixed one to a kept image does not).
    const again = await mergePartResults({
      parts: [
        parts[0]!,
        await makePart(3, {
          firstPage: 3,
          lastPage: 3,
          markdown: '![](./images/logo.jpg) ![](images/gone.jpg)\n',
        }),
      ],
      name: 'doc',
      outputDir: outDir(),
    });
    assert.equal(again.brokenImageLinks, 1);
  });

  it("renames an image of the same name with other bytes to name.part-k.ext and rewrites that part's links (inline, reference, HTML, JSON), not the other part's", async () => {
    const part2Md = [
      'Inline ![fig](images/fig.jpg "title") and <images/fig.jpg> as text.',
      '',
      '![ref][r] and ![][other]',
      '',
      '[r]: images/fig.jpg',
      '[other]: <./images/fig.jpg>',
      '',
      '<img src="images/fig.jpg" alt="x"> <img src=\'images/fig.jpg\'>',
      '',
      '![](images/own.jpg)',
      '',
    ].join('\n');
    const parts = [
      await makePart(1, {
        firstPage: 1,
        lastPage: 1,
        markdown: '![](images/fig.jpg)\n[r]: images/fig.jpg\n',
        images: { 'fig.jpg': 'first part bytes' },
        contentList: [{ type: 'image', img_path: 'images/fig.jpg', page_idx: 0 }],
        layout: { pdf_info: [{ page_idx: 0, page_size: [1, 1], para_blocks: [{ image_path: 'fig.jpg' }] }] },
      }),
      await makePart(2, {
        firstPage: 2,
        lastPage: 2,
        markdown: part2Md,
        images: { 'fig.jpg': 'second part, other bytes', 'own.jpg': 'own' },
        contentList: [
          { type: 'image', img_path: 'images/fig.jpg', page_idx: 0 },
          { type: 'image', img_path: 'images/own.jpg', page_idx: 0 },
        ],
        layout: { pdf_info: [{ page_idx: 0, page_size: [1, 1], para_blocks: [{ image_path: 'fig.jpg' }] }] },
      }),
    ];
    const summary = await mergePartResults({ parts, name: 'doc', outputDir: outDir() });
    const images = path.join(summary.folder, 'images');
    assert.deepEqual((await fs.readdir(images)).sort(), ['fig.jpg', 'fig.part-2.jpg', 'own.jpg']);
    assert.equal(await fs.readFile(path.join(images, 'fig.jpg'), 'utf8'), 'first part bytes');
    assert.equal(await fs.readFile(path.join(images, 'fig.part-2.jpg'), 'utf8'), 'second part, other bytes');
    const md = await fs.readFile(summary.markdownPath, 'utf8');
    const expected2 = part2Md
      .replace('![fig](images/fig.jpg "title")', '![fig](images/fig.part-2.jpg "title")')
      .replace('[r]: images/fig.jpg', '[r]: images/fig.part-2.jpg')
      .replace('[other]: <./images/fig.jpg>', '[other]: <./images/fig.part-2.jpg>')
      .replace('<img src="images/fig.jpg"', '<img src="images/fig.part-2.jpg"')
      .replace("<img src='images/fig.jpg'>", "<img src='images/fig.part-2.jpg'>");
    assert.equal(md, `![](images/fig.jpg)\n[r]: images/fig.jpg\n\n${expected2}`);
    assert.equal(summary.brokenImageLinks, 0);
    const list = (await readJson(path.join(summary.folder, 'doc_content_list.json'))) as {
      img_path: string;
    }[];
    assert.deepEqual(
      list.map((b) => b.img_path),
      ['images/fig.jpg', 'images/fig.part-2.jpg', 'images/own.jpg'],
    );
    const layout = (await readJson(path.join(summary.folder, 'layout.json'))) as {
      pdf_info: { para_blocks: { image_path: string }[] }[];
    };
    assert.deepEqual(
      layout.pdf_info.map((p) => p.para_blocks[0]!.image_path),
      ['fig.jpg', 'fig.part-2.jpg'],
    );
  });

  it("joins the parts' Markdown in order, byte for byte as the whole document's (one blank line between MinerU blocks, nothing inserted)", async () => {
    // MinerU writes a document's Markdown as its blocks joined by a blank line ('\n\n'.join);
    // the fakes end theirs with one line break. Cut anywhere, the parts join back to the whole.
    const block = fc.stringMatching(/^[A-Za-z0-9 #*|-]{1,12}(\n[A-Za-z0-9 ]{1,8})?$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(block, { minLength: 2, maxLength: 12 }),
        fc.integer({ min: 1, max: 11 }),
        fc.constantFrom('', '\n'),
        async (blocks, cutAt, ending) => {
          const cut = Math.min(cutAt, blocks.length - 1);
          const whole = blocks.join('\n\n') + ending;
          const one = blocks.slice(0, cut).join('\n\n') + ending;
          const two = blocks.slice(cut).join('\n\n') + ending;
          const dir = await fs.mkdtemp(path.join(root, 'p-'));
          const mk = async (k: number, md: string, first: number): Promise<MergePart> => {
            const folder = path.join(dir, `p${k}`);
            await fs.mkdir(folder);
            await fs.writeFile(path.join(folder, `p${k}.md`), md);
            return { folder, firstPage: first, lastPage: first };
          };
          const summary = await mergePartResults({
            parts: [await mk(1, one, 1), await mk(2, two, 2)],
            name: 'doc',
            outputDir: path.join(dir, 'out'),
          });
          assert.equal(await fs.readFile(summary.markdownPath, 'utf8'), whole);
        },
      ),
      { numRuns: 40 },
    );
    assert.equal(markdownSeparator('a\n\n'), '');
    assert.equal(markdownSeparator('a\n'), '\n');
    assert.equal(markdownSeparator('a'), '\n\n');
    assert.equal(markdownSeparator('a\r\n'), '\r\n');
  });

  it("names extra formats <name>.part-k.<ext>, makes the original PDF <name>_origin.pdf and drops the parts' origins", async () => {
    const origin = path.join(root, 'whole.pdf');
    await fs.writeFile(origin, '%PDF-1.7 the whole document');
    const parts = [
      await makePart(1, {
        firstPage: 1,
        lastPage: 5,
        markdown: 'one\n',
        files: { 'doc.part-1.docx': 'docx 1', 'uuid1_origin.pdf': '%PDF part 1', 'notes.txt': 'n1' },
      }),
      await makePart(2, {
        firstPage: 6,
        lastPage: 9,
        markdown: 'two\n',
        files: {
          'doc.part-2.docx': 'docx 2',
          'doc.part-2.html': '<p>2</p>',
          'uuid2_origin.pdf': '%PDF part 2',
        },
      }),
    ];
    const summary = await mergePartResults({ parts, name: 'Manual', outputDir: outDir(), originPdf: origin });
    assert.equal(path.basename(summary.folder), 'Manual');
    assert.deepEqual((await fs.readdir(summary.folder)).sort(), [
      'Manual.md',
      'Manual.part-1.docx',
      'Manual.part-2.docx',
      'Manual.part-2.html',
      'Manual_origin.pdf',
      'notes.part-1.txt',
    ]);
    assert.equal(await fs.readFile(path.join(summary.folder, 'Manual.part-2.docx'), 'utf8'), 'docx 2');
    assert.equal(
      await fs.readFile(path.join(summary.folder, 'Manual_origin.pdf'), 'utf8'),
      '%PDF-1.7 the whole document',
    );
    assert.deepEqual(summary.extras.map((e) => [e.format, path.basename(e.path)]).sort(), [
      ['docx', 'Manual.part-1.docx'],
      ['docx', 'Manual.part-2.docx'],
      ['html', 'Manual.part-2.html'],
      ['pdf', 'Manual_origin.pdf'],
    ]);
  });

  it('never overwrites: an existing folder of the name stays as it was and the merge becomes "<name> (2)"', async () => {
    const taken = path.join(outDir(), 'doc');
    await fs.mkdir(taken, { recursive: true });
    await fs.writeFile(path.join(taken, 'doc.md'), 'the user’s own file');
    const parts = [await makePart(1, { firstPage: 1, lastPage: 1, markdown: 'merged\n' })];
    const summary = await mergePartResults({ parts, name: 'doc', outputDir: outDir() });
    assert.equal(summary.folder, path.join(outDir(), 'doc (2)'));
    assert.equal(await fs.readFile(path.join(taken, 'doc.md'), 'utf8'), 'the user’s own file');
    assert.deepEqual(await fs.readdir(taken), ['doc.md']);
    assert.equal(await fs.readFile(summary.markdownPath, 'utf8'), 'merged\n');
  });

  it('a part folder missing fails before anything is written; a failure mid-merge leaves no half-written folder', async () => {
    const one = await makePart(1, { firstPage: 1, lastPage: 1, markdown: 'one\n', images: { 'a.jpg': 'a' } });
    await fs.mkdir(outDir(), { recursive: true });
    await assert.rejects(
      mergePartResults({
        parts: [one, { folder: path.join(root, 'parts', 'gone'), firstPage: 2, lastPage: 2 }],
        name: 'doc',
        outputDir: outDir(),
      }),
      (e: { reason?: string; params?: { part?: number } }) =>
        e.reason === 'merge.partMissing' && e.params?.part === 2,
    );
    assert.deepEqual(await fs.readdir(outDir()), []);
    // The original "PDF" is a folder: its copy fails after images, Markdown and JSON were written.
    const notAFile = path.join(root, 'origin-folder');
    await fs.mkdir(notAFile);
    await assert.rejects(
      mergePartResults({
        parts: [one, await makePart(2, { firstPage: 2, lastPage: 2, markdown: 'two\n', contentList: [] })],
        name: 'doc',
        outputDir: outDir(),
        originPdf: notAFile,
      }),
    );
    assert.deepEqual(await fs.readdir(outDir()), [], 'no result folder, no temporary folder');
  });

  it('an abort before or during the merge rejects and leaves nothing in the output folder', async () => {
    // A large content list, so that the merge is still scanning when the abort comes.
    const big = Array.from({ length: 60_000 }, (_, i) => ({
      type: 'text',
      text: `block ${i}`,
      page_idx: i % 200,
    }));
    const parts = [
      await makePart(1, { firstPage: 1, lastPage: 200, markdown: 'one\n', contentList: big }),
      await makePart(2, { firstPage: 201, lastPage: 400, markdown: 'two\n', contentList: big }),
    ];
    const before = new AbortController();
    before.abort();
    await assert.rejects(
      mergePartResults({ parts, name: 'doc', outputDir: outDir(), signal: before.signal }),
      /abort/i,
    );
    assert.equal(existsSync(outDir()), false);
    const during = new AbortController();
    const merging = mergePartResults({ parts, name: 'doc', outputDir: outDir(), signal: during.signal });
    // Abort once the temporary folder exists, that is, mid-merge.
    for (let i = 0; i < 2000 && !(existsSync(outDir()) && (await fs.readdir(outDir())).length > 0); i++)
      await new Promise((r) => setImmediate(r));
    during.abort();
    await assert.rejects(merging, /abort/i);
    assert.deepEqual(await fs.readdir(outDir()), []);
  });
});
