/** page_ranges (precise API) and page_range (agent API) parsing. */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { parseAgentPageRange, parsePageRanges, type PageRange } from '../../src/core/options/pageRanges';

const r = (from: number, to = from): PageRange => ({ from, to });

describe('pageRanges: parsePageRanges', () => {
  const good: [string, string, PageRange[]][] = [
    ['2', '2', [r(2)]],
    ['2,4-6', '2,4-6', [r(2), r(4, 6)]],
    ['2--2', '2--2', [r(2, -2)]],
    [' 1 - 3 , 5 ', '1-3,5', [r(1, 3), r(5)]],
    ['-1', '-1', [r(-1)]],
    ['-3--1', '-3--1', [r(-3, -1)]],
    ['-5-3', '-5-3', [r(-5, 3)]],
    ['2 - -2', '2--2', [r(2, -2)]],
    ['007', '7', [r(7)]],
    ['4-4', '4', [r(4)]],
    ['1,1', '1,1', [r(1), r(1)]],
    ['１，３－５', '1,3-5', [r(1), r(3, 5)]],
    ['1–3', '1-3', [r(1, 3)]],
  ];
  for (const [input, normalized, ranges] of good) {
    it(`accepts ${JSON.stringify(input)} → ${normalized}`, () => {
      assert.deepEqual(parsePageRanges(input), { ok: true, normalized, ranges });
    });
  }

  const bad: [string, RegExp][] = [
    ['', /No pages given/],
    ['   ', /No pages given/],
    ['0', /page 0 does not exist/],
    ['0-3', /page 0/],
    ['5-2', /"5-2" is reversed; write 2-5/],
    ['-1--3', /reversed; write -3--1/],
    ['1,,2', /empty part/],
    ['1,', /empty part/],
    [',1', /empty part/],
    ['abc', /"abc" is not a page or a range/],
    ['1-2-3', /not a page or a range/],
    ['1.5', /not a page or a range/],
    ['+3', /not a page or a range/],
    ['1 2', /not a page or a range/],
    ['3-', /not a page or a range/],
    ['--2', /not a page or a range/],
    ['999999999', /too large/],
  ];
  for (const [input, message] of bad) {
    it(`[R-IN-6] rejects ${JSON.stringify(input)} with a message that shows an example`, () => {
      const result = parsePageRanges(input);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.match(result.message, message);
        assert.match(result.message, /for example "2,4-6" \(pages 2, 4, 5 and 6\)/);
      }
    });
  }

  const rangeArb = fc
    .tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -500, max: 500 }))
    .filter(([a, b]) => a !== 0 && b !== 0 && !(Math.sign(a) === Math.sign(b) && a > b));

  it('[R-PROP-4] property: the normalized form re-parses to the same ranges', () => {
    fc.assert(
      fc.property(
        fc.array(rangeArb, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('', ' '),
        (pairs, sp) => {
          const text = pairs.map(([a, b]) => `${sp}${a}${sp}-${sp}${b}${sp}`).join(',');
          const first = parsePageRanges(text);
          assert.ok(first.ok, text);
          if (!first.ok) return;
          assert.deepEqual(
            first.ranges,
            pairs.map(([a, b]) => r(a, b)),
          );
          const again = parsePageRanges(first.normalized);
          assert.ok(again.ok);
          if (again.ok) {
            assert.deepEqual(again.ranges, first.ranges);
            assert.equal(again.normalized, first.normalized);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('[R-PROP-4] property: arbitrary input never throws; accepted input has valid, non-reversed ranges', () => {
    const garbage = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(fc.constantFrom(...'0123456789-, a'.split('')), { maxLength: 30 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(garbage, (s) => {
        const result = parsePageRanges(s);
        if (!result.ok) {
          assert.ok(result.message.length > 0);
          return;
        }
        assert.match(result.normalized, /^-?\d+(--?\d+)?(,-?\d+(--?\d+)?)*$/);
        for (const { from, to } of result.ranges) {
          assert.ok(Number.isInteger(from) && from !== 0 && Number.isInteger(to) && to !== 0);
          if (Math.sign(from) === Math.sign(to)) assert.ok(from <= to);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('pageRanges: parseAgentPageRange', () => {
  const good: [string, string, PageRange][] = [
    ['5', '5', r(5)],
    ['1-10', '1-10', r(1, 10)],
    [' 3 - 7 ', '3-7', r(3, 7)],
    ['2-2', '2', r(2)],
  ];
  for (const [input, normalized, range] of good) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseAgentPageRange(input), { ok: true, normalized, ranges: [range] });
    });
  }
  const bad: [string, RegExp][] = [
    ['1,3', /without commas/],
    ['2--2', /cannot count pages from the end/],
    ['-1', /cannot count pages from the end/],
    ['0', /page 0/],
    ['0-4', /page 0/],
    ['9-3', /reversed; write 3-9/],
    ['x', /not a page or a range/],
    ['', /No pages given/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const result = parseAgentPageRange(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.message, message);
    });
  }

  it('[R-PROP-4] property: never throws; accepted output matches N or N-M', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const result = parseAgentPageRange(s);
        if (result.ok) assert.match(result.normalized, /^[1-9]\d*(-[1-9]\d*)?$/);
      }),
      { numRuns: 300 },
    );
  });
});
