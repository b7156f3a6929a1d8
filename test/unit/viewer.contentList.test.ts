/** Reading content_list.json and layout.json / middle.json into typed blocks and page geometry. */
import * as assert from 'node:assert/strict';
import {
  isContentListName,
  readContentList,
  readContentListValue,
  stripMathDelimiters,
} from '../../src/core/viewer/contentList';
import { isLayoutName, pointBoxes, readLayout } from '../../src/core/viewer/layout';

// The shapes of MinerU 3.4.4's docs/en/reference/output_files.md and vlm_middle_json_mkcontent.py.
const SAMPLE = [
  { type: 'text', text: 'The response of flow', text_level: 1, bbox: [62, 480, 946, 904], page_idx: 0 },
  { type: 'text', text: 'Body.', bbox: [62, 480, 946, 904], page_idx: 0 },
  {
    type: 'image',
    img_path: 'images/a8.jpg',
    image_caption: ['Fig. 1.'],
    image_footnote: [],
    bbox: [62, 480, 946, 904],
    page_idx: 1,
  },
  {
    type: 'equation',
    img_path: 'images/18.jpg',
    text: '$$\nQ = f ( P )\n$$',
    text_format: 'latex',
    bbox: [1, 2, 3, 4],
    page_idx: 2,
  },
  {
    type: 'table',
    img_path: 'images/e3.jpg',
    table_caption: ['Table 2'],
    table_footnote: ['note'],
    table_body: '<html><body><table><tr><td>1</td></tr></table></body></html>',
    bbox: [62, 480, 946, 904],
    page_idx: 5,
  },
  { type: 'list', sub_type: 'ref_text', list_items: ['[1] A.', '[2] B.'], bbox: [1, 1, 2, 2], page_idx: 5 },
  {
    type: 'code',
    sub_type: 'code',
    code_body: '```python\nx = 1\n```',
    code_caption: ['Listing 1'],
    page_idx: 5,
  },
  { type: 'page_number', text: '6', bbox: [480, 950, 520, 970], page_idx: 5 },
  { type: 'seal_of_the_future', text: 'x', page_idx: 5 },
];

describe('viewer: content list reader', () => {
  it('types every block of a MinerU content list, discarded and unknown kinds included', () => {
    const r = readContentList(`\uFEFF${JSON.stringify(SAMPLE)}`);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((b) => [b.index, b.page, b.kind, b.type]),
      [
        [0, 0, 'heading', 'text'],
        [1, 0, 'text', 'text'],
        [2, 1, 'image', 'image'],
        [3, 2, 'equation', 'equation'],
        [4, 5, 'table', 'table'],
        [5, 5, 'list', 'list'],
        [6, 5, 'code', 'code'],
        [7, 5, 'discarded', 'page_number'],
        [8, 5, 'unknown', 'seal_of_the_future'],
      ],
    );
    const [h, , img, eq, table, list, code] = r.value;
    assert.equal(h?.textLevel, 1);
    assert.deepEqual(h?.bbox, [62, 480, 946, 904]);
    assert.equal(img?.imgPath, 'images/a8.jpg');
    assert.deepEqual(img?.captions, ['Fig. 1.']);
    assert.equal(eq?.latex, 'Q = f ( P )');
    assert.equal(eq?.text, undefined);
    assert.deepEqual([table?.captions, table?.footnotes], [['Table 2'], ['note']]);
    assert.match(table?.tableBody ?? '', /^<html><body><table>/);
    assert.deepEqual(list?.listItems, ['[1] A.', '[2] B.']);
    assert.equal(list?.subType, 'ref_text');
    assert.equal(code?.codeBody, '```python\nx = 1\n```');
    assert.equal(code?.bbox, undefined, 'a block without a box keeps none');
    assert.deepEqual(r.warnings, [
      { reason: 'contentList.unknownType', params: { index: 8, value: 'seal_of_the_future' } },
    ]);
  });

  it('refuses malformed input with a reason code and where it is', () => {
    const cases: [string, unknown][] = [
      ['{"not":"an array"}', { reason: 'contentList.notArray', params: {} }],
      ['[{"type":"text"', { reason: 'contentList.notJson', params: {} }],
      ['[1]', { reason: 'contentList.blockNotObject', params: { index: 0 } }],
      ['[{"page_idx":0}]', { reason: 'contentList.noType', params: { index: 0 } }],
      [
        '[{"type":"text","page_idx":-1}]',
        { reason: 'contentList.badPage', params: { index: 0, value: '-1' } },
      ],
      [
        '[{"type":"text","page_idx":1.5}]',
        { reason: 'contentList.badPage', params: { index: 0, value: '1.5' } },
      ],
      [
        '[{"type":"text","page_idx":0,"bbox":[1,2,3]}]',
        { reason: 'contentList.badBbox', params: { index: 0 } },
      ],
      [
        '[{"type":"text","page_idx":0,"bbox":[5,2,3,4]}]',
        { reason: 'contentList.badBbox', params: { index: 0 } },
      ],
      [
        '[{"type":"text","page_idx":0,"bbox":["1",2,3,4]}]',
        { reason: 'contentList.badBbox', params: { index: 0 } },
      ],
      [
        '[{"type":"text","page_idx":0},{"type":"text","page_idx":0,"text":7}]',
        { reason: 'contentList.badField', params: { index: 1, field: 'text' } },
      ],
      [
        '[{"type":"text","page_idx":0,"text_level":"1"}]',
        { reason: 'contentList.badField', params: { index: 0, field: 'text_level' } },
      ],
      [
        '[{"type":"image","page_idx":0,"image_caption":"one"}]',
        { reason: 'contentList.badField', params: { index: 0, field: 'caption' } },
      ],
      [
        '[{"type":"list","page_idx":0,"list_items":[1]}]',
        { reason: 'contentList.badField', params: { index: 0, field: 'list_items' } },
      ],
    ];
    for (const [text, error] of cases) assert.deepEqual(readContentList(text), { ok: false, error }, text);
    assert.deepEqual(readContentListValue([]), { ok: true, value: [], warnings: [] });
  });

  it('knows the file names and strips display maths delimiters', () => {
    assert.ok(isContentListName('4c036e1e-aa_content_list.json'));
    assert.ok(isContentListName('sub/report_content_list.json'));
    assert.ok(!isContentListName('4c036e1e_content_list_v2.json'));
    assert.ok(isLayoutName('layout.json') && isLayoutName('report_middle.json'));
    assert.ok(!isLayoutName('report_model.json'));
    assert.equal(stripMathDelimiters('$$\nx^2\n$$'), 'x^2');
    assert.equal(stripMathDelimiters('\\[ a \\]'), 'a');
    assert.equal(stripMathDelimiters('a+b'), 'a+b');
  });
});

describe('viewer: layout.json / middle.json reader', () => {
  const layout = {
    pdf_info: [
      {
        page_idx: 0,
        page_size: [612, 792],
        para_blocks: [
          { type: 'title', bbox: [61.2, 47.5, 550.8, 79.2], angle: 0 },
          { type: 'text', bbox: [61.2, 95, 550.8, 118.8], angle: 90 },
        ],
        discarded_blocks: [{ type: 'page_number', bbox: [300, 760, 312, 780] }],
      },
      {
        page_idx: 1,
        page_size: [842, 595],
        para_blocks: [{ type: 'text', bbox: [1, 1, 2, 2] }],
        discarded_blocks: [],
      },
    ],
    _backend: 'vlm',
    _version_name: '3.4.4',
  };

  it('reads page sizes in points and the boxes of para then discarded blocks', () => {
    const r = readLayout(JSON.stringify(layout));
    assert.ok(r.ok);
    assert.equal(r.value.backend, 'vlm');
    assert.equal(r.value.version, '3.4.4');
    const p0 = r.value.pages.get(0);
    assert.deepEqual([p0?.width, p0?.height], [612, 792]);
    assert.deepEqual(
      p0?.blocks.map((b) => [b.angle, b.discarded]),
      [
        [0, false],
        [90, false],
        [0, true],
      ],
    );
    assert.deepEqual([r.value.pages.get(1)?.width, r.value.pages.get(1)?.height], [842, 595]);
  });

  it('gives content_list blocks their exact boxes where a page lists as many blocks', () => {
    const r = readLayout(JSON.stringify(layout));
    const cl = readContentList(
      JSON.stringify([
        { type: 'text', text: 'T', text_level: 1, bbox: [100, 60, 900, 100], page_idx: 0 },
        { type: 'text', text: 'B', bbox: [100, 120, 900, 150], page_idx: 0 },
        { type: 'page_number', text: '1', bbox: [490, 960, 510, 985], page_idx: 0 },
        // Page 1 lists one block, content_list two: that page keeps its normalised boxes only.
        { type: 'text', text: 'C', bbox: [1, 1, 2, 2], page_idx: 1 },
        { type: 'text', text: 'D', bbox: [1, 1, 2, 2], page_idx: 1 },
      ]),
    );
    assert.ok(r.ok && cl.ok);
    const boxes = pointBoxes(cl.value, r.value);
    assert.deepEqual([...boxes.keys()], [0, 1, 2]);
    assert.deepEqual(boxes.get(2), [300, 760, 312, 780]);
  });

  it('refuses a file without pages or with a bad page size', () => {
    assert.deepEqual(readLayout('[]'), { ok: false, error: { reason: 'layout.noPages', params: {} } });
    assert.deepEqual(readLayout('nope'), { ok: false, error: { reason: 'layout.notJson', params: {} } });
    assert.deepEqual(readLayout('{"pdf_info":[{"page_idx":0,"page_size":[0,792]}]}'), {
      ok: false,
      error: { reason: 'layout.badPageSize', params: { index: 0 } },
    });
    assert.deepEqual(readLayout('{"pdf_info":[7]}'), {
      ok: false,
      error: { reason: 'layout.badPage', params: { index: 0 } },
    });
  });
});
