/** The viewer's opening milestones: what the webview may report, and the breakdown of the log. */
import * as assert from 'node:assert/strict';
import { describeTimeline, parseMarks, timeline } from '../../src/core/viewer/timing';

describe('viewer: opening milestones', () => {
  it('keeps only known marks with finite, positive times', () => {
    assert.deepEqual(
      parseMarks({ command: 1000, painted: 1500.5, eval: 3, html: -1, pdf: Infinity, frame: '7', boxes: 0 }),
      { command: 1000, painted: 1500.5 },
    );
    assert.deepEqual(parseMarks(null), {});
    assert.deepEqual(parseMarks([1, 2]), {});
    assert.deepEqual(parseMarks('{"command":1}'), {});
  });

  it('orders the marks by time, each from the start and from the one before', () => {
    const steps = timeline({ painted: 1900, command: 1010, frame: 1400, html: 1100 }, 1000);
    assert.deepEqual(steps, [
      { mark: 'command', at: 10, delta: 10 },
      { mark: 'html', at: 100, delta: 90 },
      { mark: 'frame', at: 400, delta: 300 },
      { mark: 'painted', at: 900, delta: 500 },
    ]);
    assert.equal(describeTimeline({ html: 1100, command: 1010 }, 1000), 'command +10 = 10, html +90 = 100');
  });
});
