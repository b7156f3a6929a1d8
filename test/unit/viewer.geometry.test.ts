/** Block boxes → CSS rectangles over the rendered page: scales, page sizes, quarter turns. */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { Bbox } from '../../src/core/viewer/contentList';
import {
  bboxToCss,
  cssToNormalized,
  extraRotation,
  toRotation,
  viewportSize,
  type CssRect,
  type Rotation,
} from '../../src/core/viewer/geometry';

const LETTER = { width: 612, height: 792 };
const A4_LANDSCAPE = { width: 842, height: 595 };

function near(actual: CssRect, expected: CssRect): void {
  for (const k of ['left', 'top', 'width', 'height'] as const)
    assert.ok(Math.abs(actual[k] - expected[k]) < 1e-6, `${k}: ${actual[k]} vs ${expected[k]}`);
}

describe('viewer: coordinate mapping', () => {
  it('maps a 0–1000 box to CSS pixels on pages of different sizes', () => {
    const box: Bbox = [100, 200, 500, 300];
    near(bboxToCss(box, 'normalized', LETTER, { scale: 1, rotation: 0 }), {
      left: 61.2,
      top: 158.4,
      width: 244.8,
      height: 79.2,
    });
    near(bboxToCss(box, 'normalized', A4_LANDSCAPE, { scale: 2, rotation: 0 }), {
      left: 168.4,
      top: 238,
      width: 673.6,
      height: 119,
    });
  });

  it('maps a box in points (layout.json) with the viewport scale only', () => {
    near(bboxToCss([72, 72, 540, 120], 'points', LETTER, { scale: 1.5, rotation: 0 }), {
      left: 108,
      top: 108,
      width: 702,
      height: 72,
    });
  });

  it('turns boxes with the page by 90, 180 and 270 degrees clockwise', () => {
    // A box in the top-left corner of a Letter page, 100 × 50 points.
    const box: Bbox = [0, 0, 100, 50];
    const at = (rotation: Rotation): CssRect => bboxToCss(box, 'points', LETTER, { scale: 1, rotation });
    near(at(0), { left: 0, top: 0, width: 100, height: 50 });
    // Turned clockwise, the top-left corner goes to the top-right of a 792 × 612 view.
    near(at(90), { left: 742, top: 0, width: 50, height: 100 });
    near(at(180), { left: 512, top: 742, width: 100, height: 50 });
    near(at(270), { left: 0, top: 512, width: 50, height: 100 });
    assert.deepEqual(viewportSize(LETTER, { scale: 2, rotation: 90 }), { width: 1584, height: 1224 });
  });

  it('clamps boxes that overshoot the page by MinerU’s rounding', () => {
    near(
      bboxToCss(
        [-5, 990, 1004, 1001],
        'normalized',
        { width: 1000, height: 1000 },
        { scale: 1, rotation: 0 },
      ),
      {
        left: 0,
        top: 990,
        width: 1000,
        height: 10,
      },
    );
  });

  it('extraRotation: the view’s turn minus the page’s own /Rotate', () => {
    assert.equal(extraRotation(90, 90), 0);
    assert.equal(extraRotation(90, 0), 270);
    assert.equal(extraRotation(0, 270), 270);
    assert.equal(extraRotation(270, 90), 180);
    assert.equal(toRotation(-90), 270);
    assert.equal(toRotation(450), 90);
    assert.equal(toRotation(45), undefined);
  });

  it('property: a box stays inside the drawn page, and a click inside it maps back into it', () => {
    const pageSize = fc.record({
      width: fc.integer({ min: 50, max: 3000 }),
      height: fc.integer({ min: 50, max: 3000 }),
    });
    const box = fc
      .tuple(
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
      )
      .map(([a, b, c, d]): Bbox => [
        Math.min(a, c - 1),
        Math.min(b, d - 1),
        Math.max(a + 1, c),
        Math.max(b + 1, d),
      ]);
    fc.assert(
      fc.property(
        pageSize,
        box,
        fc.constantFrom<Rotation>(0, 90, 180, 270),
        fc.double({ min: 0.25, max: 4, noNaN: true }),
        (page, bbox, rotation, scale) => {
          const vp = { scale, rotation };
          const r = bboxToCss(bbox, 'normalized', page, vp);
          const size = viewportSize(page, vp);
          const eps = 1e-6;
          assert.ok(r.left >= -eps && r.top >= -eps);
          assert.ok(r.left + r.width <= size.width + eps && r.top + r.height <= size.height + eps);
          const back = cssToNormalized(r.left + r.width / 2, r.top + r.height / 2, page, vp);
          assert.ok(Math.abs(back.x - (bbox[0] + bbox[2]) / 2) < 1e-6);
          assert.ok(Math.abs(back.y - (bbox[1] + bbox[3]) / 2) < 1e-6);
        },
      ),
      { numRuns: 500 },
    );
  });
});
