/** The data the viewer's webview gets: boxes in points where the layout agrees, labels, headings. */
import * as assert from 'node:assert/strict';
import { readContentListValue, type ContentBlock } from '../../src/core/viewer/contentList';
import { readLayoutValue } from '../../src/core/viewer/layout';
import { matchBlocks } from '../../src/core/viewer/matcher';
import {
  blockLabel,
  blockLines,
  buildViewerModel,
  LABEL_CHARS,
  pickResultFiles,
  splitModel,
} from '../../src/core/viewer/viewerModel';

function blocks(raw: unknown[]): ContentBlock[] {
  const r = readContentListValue(raw);
  assert.ok(r.ok);
  return r.value;
}

const LIST = blocks([
  { type: 'text', text: 'Title', text_level: 1, bbox: [100, 50, 900, 90], page_idx: 0 },
  { type: 'text', text: 'First paragraph of the page.', bbox: [100, 100, 900, 200], page_idx: 0 },
  { type: 'page_number', text: '1', bbox: [480, 950, 520, 970], page_idx: 0 },
  {
    type: 'table',
    table_body: '<table><tr><td>a</td><td>b</td></tr></table>',
    bbox: [100, 300, 900, 400],
    page_idx: 1,
  },
]);
const MD = '# Title\n\nFirst paragraph of the page.\n\n<table><tr><td>a</td><td>b</td></tr></table>\n';

describe('viewer: the model sent to the webview', () => {
  it('marks matched blocks, keeps discarded ones unmatched, and lists the headings', () => {
    const match = matchBlocks(LIST, MD);
    const model = buildViewerModel(LIST, match);
    assert.deepEqual(
      model.blocks.map((b) => [b.index, b.kind, b.matched, b.unit]),
      [
        [0, 'heading', true, 'normalized'],
        [1, 'text', true, 'normalized'],
        [2, 'discarded', false, 'normalized'],
        [3, 'table', true, 'normalized'],
      ],
    );
    assert.deepEqual(model.headings, [{ index: 0, page: 0, level: 1, text: 'Title' }]);
    assert.equal(model.pagesSeen, 2);
    assert.deepEqual(blockLines(match, 3), { start: 4, end: 4 });
    assert.equal(blockLines(match, 2), undefined);
  });

  it('uses the layout boxes in points on pages where its blocks line up with content_list', () => {
    const layout = readLayoutValue({
      pdf_info: [
        {
          page_idx: 0,
          page_size: [612, 792],
          para_blocks: [{ bbox: [61, 40, 551, 71] }, { bbox: [61, 79, 551, 158] }],
          discarded_blocks: [{ bbox: [294, 752, 318, 768] }],
        },
        // Page 1 lists two blocks where content_list has one: it keeps the 0–1000 box.
        { page_idx: 1, page_size: [595, 842], para_blocks: [{ bbox: [1, 2, 3, 4] }, { bbox: [5, 6, 7, 8] }] },
      ],
    });
    assert.ok(layout.ok);
    const model = buildViewerModel(LIST, matchBlocks(LIST, MD), layout.value);
    assert.deepEqual(model.blocks[0]?.bbox, [61, 40, 551, 71]);
    assert.equal(model.blocks[0]?.unit, 'points');
    assert.deepEqual(model.blocks[2]?.bbox, [294, 752, 318, 768]);
    assert.equal(model.blocks[3]?.unit, 'normalized');
    assert.deepEqual(model.blocks[3]?.bbox, [100, 300, 900, 400]);
    assert.deepEqual(model.pageSizes, [
      [0, 612, 792],
      [1, 595, 842],
    ]);
  });

  it('labels a block with its first words, on one line, cut at a word', () => {
    assert.equal(blockLabel(LIST[3]!), 'a b');
    const long = blocks([{ type: 'text', text: `word\n${'lorem ipsum '.repeat(20)}`, page_idx: 0 }])[0]!;
    const label = blockLabel(long);
    assert.ok(label.length <= LABEL_CHARS + 1, label);
    assert.ok(label.endsWith('…'));
    assert.ok(!label.includes('\n'));
    assert.match(label, /^word lorem ipsum/);
  });

  it("finds the content list, origin PDF and layout among a result folder's files", () => {
    assert.deepEqual(
      pickResultFiles([
        'a.md',
        'images',
        'u1_model.json',
        'u1_content_list.json',
        'u1_origin.pdf',
        'layout.json',
      ]),
      { contentList: 'u1_content_list.json', originPdf: 'u1_origin.pdf', layout: 'layout.json' },
    );
    assert.deepEqual(pickResultFiles(['doc_middle.json', 'doc_content_list.json', 'doc_origin.pdf']), {
      contentList: 'doc_content_list.json',
      originPdf: 'doc_origin.pdf',
      layout: 'doc_middle.json',
    });
    assert.deepEqual(pickResultFiles(['a.md', 'images']), {});
    assert.deepEqual(pickResultFiles(['report.pdf', 'notes.json']), {});
  });

  it('splits the model: the blocks of the page shown and one each side first, every other block after, none lost', () => {
    const many = blocks(
      Array.from({ length: 12 }, (_, i) => ({
        type: 'text',
        text: `p${i}`,
        bbox: [1, 1, 2, 2],
        page_idx: i % 6,
      })),
    );
    const model = buildViewerModel(many, matchBlocks(many, ''));
    const { first, rest } = splitModel(model, 3);
    assert.deepEqual([...new Set(first.blocks.map((b) => b.page + 1))].sort(), [2, 3, 4]);
    assert.ok(rest.every((b) => ![2, 3, 4].includes(b.page + 1)));
    assert.deepEqual(
      [...first.blocks, ...rest].map((b) => b.index).sort((a, b) => a - b),
      many.map((b) => b.index),
    );
    assert.deepEqual(first.headings, model.headings);
    assert.equal(
      splitModel(model, 1).first.blocks.filter((b) => b.page === 2).length,
      0,
      'page 1: pages 1 and 2 only',
    );
  });
});
