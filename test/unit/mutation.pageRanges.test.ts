/**
 * Tests written from the surviving mutants of src/core/options/pageRanges.ts (npm run mutation):
 * each pins a boundary or a message that no other test checked.
 */
import * as assert from 'node:assert/strict';
import { MAX_PAGE_NUMBER, parseAgentPageRange, parsePageRanges } from '../../src/core/options/pageRanges';

function message(result: ReturnType<typeof parsePageRanges>): string {
  assert.equal(result.ok, false, `expected a rejection, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.message;
}

describe('mutation: pageRanges', () => {
  it('accepts the largest page number and refuses the next one', () => {
    assert.deepEqual(parsePageRanges(String(MAX_PAGE_NUMBER)), {
      ok: true,
      normalized: String(MAX_PAGE_NUMBER),
      ranges: [{ from: MAX_PAGE_NUMBER, to: MAX_PAGE_NUMBER }],
    });
    assert.match(message(parsePageRanges(String(MAX_PAGE_NUMBER + 1))), /too large a page number/);
    assert.equal(parseAgentPageRange(String(MAX_PAGE_NUMBER)).ok, true);
    assert.match(message(parseAgentPageRange(`1-${MAX_PAGE_NUMBER + 1}`)), /too large a page number/);
  });

  it('accepts 2000 characters of page ranges and refuses 2001 as too long', () => {
    const exactly = `${'1,'.repeat(999)}11`;
    assert.equal(exactly.length, 2000);
    const ok = parsePageRanges(exactly);
    assert.equal(ok.ok, true);
    const tooLong = `${'1,'.repeat(1000)}1`;
    assert.equal(tooLong.length, 2001);
    assert.match(
      message(parsePageRanges(tooLong)),
      /^Page ranges are too long\. Enter pages, for example "2,4-6"/,
    );
  });

  it('quotes a bad part with its runs of white space collapsed to one space', () => {
    assert.match(message(parsePageRanges('1,a \t\t b')), /"a b" is not a page or a range/);
  });

  it('agent range: takes numbers of several digits on both sides', () => {
    assert.deepEqual(parseAgentPageRange('12-345'), {
      ok: true,
      normalized: '12-345',
      ranges: [{ from: 12, to: 345 }],
    });
  });

  it('agent range: an invalid end page is refused with its reason and the example', () => {
    const msg = message(parseAgentPageRange('1-0'));
    assert.equal(
      msg,
      'Invalid page range: page 0 does not exist (pages start at 1; -1 is the last page). Use for example "5" or "1-10".',
    );
  });

  it('agent range: only a leading minus or a minus after the dash means "from the end"', () => {
    assert.equal(
      message(parseAgentPageRange('1-x')),
      'Invalid page range: "1-x" is not a page or a range. Use for example "5" or "1-10".',
    );
    assert.match(message(parseAgentPageRange('-2')), /cannot count pages from the end/);
    assert.match(message(parseAgentPageRange('1 - -2')), /cannot count pages from the end/);
  });
});
