/** What the viewer's webview may send: every message and the persisted state are checked. */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { MAX_PROBLEM_CHARS, parseViewerMessage, parseViewerState } from '../../src/core/viewer/messages';

describe('viewer: messages from the webview', () => {
  it('accepts each message the viewer sends', () => {
    assert.deepEqual(parseViewerMessage({ type: 'ready' }, 3), { type: 'ready' });
    assert.deepEqual(parseViewerMessage({ type: 'reveal', index: 2 }, 3), { type: 'reveal', index: 2 });
    assert.deepEqual(parseViewerMessage({ type: 'state', page: 4, zoom: 'fit' }, 3), {
      type: 'state',
      page: 4,
      zoom: 'fit',
    });
    assert.deepEqual(parseViewerMessage({ type: 'state', page: 1, zoom: 1.5 }, 3), {
      type: 'state',
      page: 1,
      zoom: 1.5,
    });
    assert.deepEqual(parseViewerMessage({ type: 'painted', page: 1, ms: 12.5 }, 3), {
      type: 'painted',
      page: 1,
      ms: 12.5,
    });
    assert.deepEqual(parseViewerMessage({ type: 'problem', reason: 'pdfLoad', detail: 'bad' }, 3), {
      type: 'problem',
      reason: 'pdfLoad',
      detail: 'bad',
    });
  });

  it('refuses a reveal of a block the result does not have, or not an integer', () => {
    for (const index of [3, -1, 1.5, '1', NaN, Infinity, null, undefined])
      assert.equal(parseViewerMessage({ type: 'reveal', index }, 3), undefined, String(index));
    assert.equal(
      parseViewerMessage({ type: 'reveal', index: 0 }, 0),
      undefined,
      'no blocks, nothing to reveal',
    );
  });

  it('refuses out-of-range pages and zooms, and unknown reasons', () => {
    for (const page of [0, -1, 2.5, 100_001, '2'])
      assert.equal(parseViewerMessage({ type: 'state', page, zoom: 1 }, 3), undefined, String(page));
    for (const zoom of [0, 0.1, 5.5, 'auto', NaN, null])
      assert.equal(parseViewerMessage({ type: 'state', page: 1, zoom }, 3), undefined, String(zoom));
    assert.equal(parseViewerMessage({ type: 'painted', page: 1, ms: -1 }, 3), undefined);
    assert.equal(parseViewerMessage({ type: 'painted', page: 1, ms: Infinity }, 3), undefined);
    assert.equal(parseViewerMessage({ type: 'problem', reason: 'eval', detail: 'x' }, 3), undefined);
    assert.equal(parseViewerMessage({ type: 'problem', reason: 'render', detail: 5 }, 3), undefined);
  });

  it('refuses unknown types, non-objects and extra fields', () => {
    for (const raw of [null, undefined, 'ready', 1, [], ['ready'], {}, { type: 'open', path: '/etc/passwd' }])
      assert.equal(parseViewerMessage(raw, 3), undefined, JSON.stringify(raw));
    assert.equal(parseViewerMessage({ type: 'ready', command: 'x' }, 3), undefined);
    assert.equal(parseViewerMessage({ type: 'reveal', index: 1, path: '/etc/passwd' }, 3), undefined);
  });

  it('cuts a long problem text (it only goes to the log)', () => {
    const m = parseViewerMessage({ type: 'problem', reason: 'render', detail: 'x'.repeat(10_000) }, 3);
    assert.equal(m?.type === 'problem' && m.detail.length, MAX_PROBLEM_CHARS);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: 0, max: 10 }), (raw, n) => {
        const m = parseViewerMessage(raw, n);
        if (m?.type === 'reveal') assert.ok(m.index >= 0 && m.index < n);
      }),
    );
  });
});

describe('viewer: the persisted state', () => {
  it('keeps an absolute .md path with its page and zoom', () => {
    assert.deepEqual(parseViewerState({ markdown: '/w/mineru/a/a.md', page: 3, zoom: 2 }), {
      markdown: '/w/mineru/a/a.md',
      page: 3,
      zoom: 2,
    });
    assert.deepEqual(
      parseViewerState({ markdown: 'C:\\w\\a.md', page: 1, zoom: 'fit' })?.markdown,
      'C:\\w\\a.md',
    );
  });

  it('falls back to page 1 and fit width for a bad page or zoom', () => {
    assert.deepEqual(parseViewerState({ markdown: '/w/a.md', page: -3, zoom: 99 }), {
      markdown: '/w/a.md',
      page: 1,
      zoom: 'fit',
    });
  });

  it('refuses relative paths, other files and non-objects', () => {
    for (const raw of [
      undefined,
      null,
      'x',
      { markdown: 'a.md', page: 1 },
      { markdown: '/etc/passwd', page: 1 },
      { markdown: '/w/a.md\0.md', page: 1 },
      { markdown: 5 },
      { markdown: `/${'a'.repeat(5000)}.md` },
    ])
      assert.equal(parseViewerState(raw), undefined, JSON.stringify(raw));
  });
});
