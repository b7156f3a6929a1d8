/** The block matcher: content_list blocks → Markdown lines, by order and content, never wrongly. */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { readContentListValue, type ContentBlock } from '../../src/core/viewer/contentList';
import { lineIndex, matchBlocks, type MatchResult } from '../../src/core/viewer/matcher';
import { renderDoc, syntheticDoc, type DocBlock } from './helpers/mineruDoc';

function blocksOf(list: unknown): ContentBlock[] {
  const r = readContentListValue(list);
  if (!r.ok) throw new Error(`content list refused: ${r.error.reason}`);
  return r.value;
}

function match(doc: { markdown: string; contentList: unknown }): MatchResult {
  return matchBlocks(blocksOf(doc.contentList), doc.markdown);
}

// A small vocabulary, so that generated documents repeat themselves often.
const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'Table 1', 'x');
const phrase = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
const docBlock: fc.Arbitrary<DocBlock> = fc.oneof(
  fc.record({ kind: fc.constant('heading' as const), level: fc.integer({ min: 1, max: 3 }), text: phrase }),
  fc.record({ kind: fc.constant('text' as const), text: phrase }),
  fc.record({
    kind: fc.constant('image' as const),
    path: fc.constantFrom('a', 'b', 'c', 'd').map((p) => `images/${p}.jpg`),
    caption: fc.option(phrase, { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('table' as const),
    body: phrase.map((p) => `<table><tr><td>${p}</td></tr></table>`),
    caption: fc.option(phrase, { nil: undefined }),
    footnote: fc.option(phrase, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('equation' as const), latex: phrase }),
  fc.record({ kind: fc.constant('list' as const), items: fc.array(phrase, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('code' as const), body: phrase }),
  fc.record({ kind: fc.constant('header' as const), text: phrase }),
);
const docBlocks = fc.array(docBlock, { minLength: 1, maxLength: 40 });

describe('viewer: block matcher', () => {
  it('matches every kind of block of a MinerU-style result to the lines that render it', () => {
    const blocks: DocBlock[] = [
      { kind: 'heading', level: 1, text: 'Report' },
      { kind: 'header', text: 'Running head' },
      { kind: 'text', text: 'Intro \\*with\\* escapes and  spaces.' },
      { kind: 'image', path: 'images/f1.jpg', caption: 'Figure 1. A fox.' },
      { kind: 'table', body: '<table><tr><td>1</td></tr></table>', caption: 'Table 1.', footnote: 'n = 3' },
      { kind: 'equation', latex: 'E = mc^2' },
      { kind: 'list', items: ['one', 'two'] },
      { kind: 'code', body: 'print(1)\nprint(2)' },
      { kind: 'heading', level: 2, text: 'Section 2' },
    ];
    const doc = renderDoc(blocks);
    const r = match(doc);
    assert.equal(r.eligible, 8);
    assert.equal(r.matched, 8);
    r.blocks.forEach((m, i) => {
      const want = doc.lines[i];
      if (!want) return assert.deepEqual(m, { index: i, matched: false, why: 'discarded' });
      assert.deepEqual(
        m,
        { index: i, matched: true, startLine: want.start, endLine: want.end },
        `block ${i}`,
      );
    });
    const at = lineIndex(r);
    const section2 = doc.markdown.split('\n').indexOf('## Section 2');
    assert.deepEqual(at(section2, section2), [8]);
    const tableLine = doc.markdown.split('\n').indexOf('<table><tr><td>1</td></tr></table>');
    assert.deepEqual(at(tableLine, tableLine), [4]);
  });

  it('leaves a repeated paragraph unmatched when nothing in the order tells the copies apart', () => {
    const blocks: DocBlock[] = [
      { kind: 'text', text: 'same' },
      { kind: 'text', text: 'same' },
      { kind: 'text', text: 'unique' },
    ];
    // The Markdown has one more copy than content_list: no copy can be told to be a given block's.
    const doc = renderDoc(blocks, { extra: [{ at: 1, block: { kind: 'text', text: 'same' } }] });
    const r = match(doc);
    assert.deepEqual(
      r.blocks.map((m) => (m.matched ? 'ok' : m.why)),
      ['ambiguous', 'ambiguous', 'ok'],
    );
  });

  it('tells repeated paragraphs apart by the unique blocks around them', () => {
    const blocks: DocBlock[] = [
      { kind: 'heading', level: 1, text: 'A' },
      { kind: 'text', text: 'Continued.' },
      { kind: 'heading', level: 1, text: 'B' },
      { kind: 'text', text: 'Continued.' },
    ];
    const doc = renderDoc(blocks);
    const r = match(doc);
    assert.equal(r.matched, 4);
    assert.deepEqual(
      r.blocks.map((m) => (m.matched ? m.startLine : -1)),
      doc.lines.map((l) => l?.start ?? -1),
    );
  });

  it('reports a block the Markdown does not show as not found, and an image by its unique path', () => {
    const blocks = blocksOf([
      { type: 'image', img_path: 'images/a.jpg', page_idx: 0, bbox: [0, 0, 10, 10] },
      { type: 'text', text: 'Nowhere in the Markdown', page_idx: 0 },
      { type: 'text', text: '', page_idx: 0 },
    ]);
    const r = matchBlocks(blocks, 'Intro\n\n![](./images/a.jpg)\n');
    assert.deepEqual(r.blocks, [
      { index: 0, matched: true, startLine: 2, endLine: 2 },
      { index: 1, matched: false, why: 'notFound' },
      { index: 2, matched: false, why: 'empty' },
    ]);
  });

  it('property: in order, every matched block points inside the lines written for it', () => {
    fc.assert(
      fc.property(docBlocks, (blocks) => {
        const doc = renderDoc(blocks);
        const r = match(doc);
        r.blocks.forEach((m, i) => {
          if (!m.matched) return;
          const want = doc.lines[i];
          assert.ok(want, `block ${i} is discarded yet matched`);
          assert.ok(m.startLine >= want.start && m.endLine <= want.end, `block ${i} outside its lines`);
          assert.ok(m.startLine <= want.bodyStart && m.endLine >= want.bodyEnd, `block ${i} misses its body`);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('property: with distinct contents, every block in the Markdown is matched', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (n) => {
        const blocks = syntheticDoc(n).filter((b) => b.kind !== 'text' || !b.text.startsWith('Continued'));
        const r = match(renderDoc(blocks));
        assert.equal(r.matched, r.eligible);
      }),
      { numRuns: 50 },
    );
  });

  it('property: shuffled or duplicated units leave blocks unmatched, never matched to another block', () => {
    const shuffled = docBlocks.chain((blocks) =>
      fc.record({
        blocks: fc.constant(blocks),
        order: fc.shuffledSubarray(
          blocks.map((_, i) => i),
          { minLength: blocks.length, maxLength: blocks.length },
        ),
        extra: fc.array(
          fc.record({ at: fc.nat({ max: blocks.length }), copy: fc.nat({ max: blocks.length - 1 }) }),
          { maxLength: 4 },
        ),
        keepOrder: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(shuffled, ({ blocks, order, extra, keepOrder }) => {
        const written = keepOrder ? blocks.map((_, i) => i) : order;
        const copies = extra.map((e) => ({ at: e.at, block: blocks[e.copy] as DocBlock }));
        const doc = renderDoc(blocks, { order: written, extra: copies });
        const r = match(doc);
        r.blocks.forEach((m, i) => {
          if (!m.matched) return;
          // Ordered: its own lines, never a copy's. Shuffled (the order rule broken): lines that on
          // their own show this block's content, whoever wrote them.
          const own = doc.lines[i];
          const hitsOwn = own !== undefined && m.startLine >= own.start && m.endLine <= own.end;
          if (keepOrder) return assert.ok(hitsOwn, `block ${i} matched a copy in an ordered document`);
          const text = doc.markdown
            .split('\n')
            .slice(m.startLine, m.endLine + 1)
            .join('\n');
          const alone = matchBlocks([{ ...(blocksOf(doc.contentList)[i] as ContentBlock), index: 0 }], text);
          assert.equal(alone.matched, 1, `block ${i} matched lines that do not show it: ${text}`);
        });
      }),
      { numRuns: 300 },
    );
  });
});
