/** The merge's JSON scanner (page rebasing, image paths) and rewriteLinkTargets, as properties (issue 18). */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { rewriteLinkTargets } from '../../src/core/results/markdownLinks';
import { imageLinkMapper } from '../../src/core/results/partImages';
import { scanPartJson } from '../../src/core/results/partJson';

describe('Merging parts: the JSON scanner and link rewriting (issue 18)', () => {
  it('the JSON scanner rebases page numbers and image paths exactly as a parse would, keeping everything else', async () => {
    const renames = new Map([['images/x.jpg', 'images/x.part-3.jpg']]);
    const map = imageLinkMapper(renames);
    const blockArb = fc.record({
      type: fc.constantFrom('text', 'image', 'table'),
      page_idx: fc.nat(500),
      img_path: fc.constantFrom('images/x.jpg', 'images/y.jpg', 'x.jpg', 'images/x.jpg#f'),
      text: fc.string(),
      extra: fc.jsonValue({ maxDepth: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(blockArb, { maxLength: 8 }),
        fc.nat(2000),
        fc.boolean(),
        async (blocks, offset, pretty) => {
          const text = JSON.stringify(blocks, null, pretty ? 2 : undefined);
          const scanned = await scanPartJson(text, 'contentList', { offset, image: map });
          assert.ok(scanned);
          assert.equal(scanned.count, blocks.length);
          const expected = (JSON.parse(text) as typeof blocks).map((b) => ({
            ...b,
            page_idx: b.page_idx + offset,
            img_path: map(b.img_path) ?? b.img_path,
          }));
          assert.deepEqual(JSON.parse(`[${scanned.inner}]`), expected);
          assert.equal(scanned.head.trim() + scanned.tail.trim(), '[]');
        },
      ),
      { numRuns: 150 },
    );
    assert.equal(await scanPartJson('{"not":"a list"}', 'contentList', { offset: 1 }), undefined);
    assert.equal(await scanPartJson('[1, 2', 'contentList', { offset: 1 }), undefined);
    assert.equal(await scanPartJson('[] trailing', 'contentList', { offset: 1 }), undefined);
  });

  it('rewriteLinkTargets changes only the link targets the map renames, keeping every other byte', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9 ]{0,10}$/);
    const name = fc.constantFrom('a.jpg', 'b.png', 'c d.jpg');
    const piece = fc.oneof(
      word.map((w) => ({ text: w, renamed: w })),
      name.map((n) => ({
        text: `![](images/${n})`,
        renamed: `![](images/${n === 'a.jpg' ? 'a.part-2.jpg' : n})`,
      })),
      name.map((n) => ({
        text: `\n[id]: images/${n}\n`,
        renamed: `\n[id]: images/${n === 'a.jpg' ? 'a.part-2.jpg' : n}\n`,
      })),
      name.map((n) => ({
        text: `<img src="images/${n}">`,
        renamed: `<img src="images/${n === 'a.jpg' ? 'a.part-2.jpg' : n}">`,
      })),
    );
    const map = (t: string): string | undefined => (t === 'images/a.jpg' ? 'images/a.part-2.jpg' : undefined);
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const md = pieces.map((p) => p.text).join('');
        assert.equal(rewriteLinkTargets(md, map), pieces.map((p) => p.renamed).join(''));
        assert.equal(
          rewriteLinkTargets(md, () => undefined),
          md,
        );
      }),
      { numRuns: 200 },
    );
  });
});
