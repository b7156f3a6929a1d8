/** Watched folders, the pure part: usable globs, files never watched, when a file is complete. */
import * as assert from 'node:assert/strict';
import { StabilityTracker, type FileStamp } from '../../src/core/watch/stability';
import { checkWatchGlob, globBase, isWatchable, outermostPaths } from '../../src/core/watch/watchRules';
import { FakeClock } from './helpers/fakeClock';

describe('watch: checkWatchGlob', () => {
  it('accepts workspace-relative globs, normalised', () => {
    assert.deepEqual(checkWatchGlob(' papers/inbox/**/*.pdf '), { ok: true, glob: 'papers/inbox/**/*.pdf' });
    assert.deepEqual(checkWatchGlob('./in\\*.pdf'), { ok: true, glob: 'in/*.pdf' });
  });
  for (const [glob, problem] of [
    ['', 'empty'],
    ['/home/me/*.pdf', 'absolute'],
    ['C:/papers/*.pdf', 'absolute'],
    ['~/Downloads/*.pdf', 'absolute'],
    ['../other/*.pdf', 'parent'],
    ['papers/../../x/*.pdf', 'parent'],
  ] as const) {
    it(`refuses "${glob}" (${problem})`, () => {
      assert.equal(checkWatchGlob(glob).ok, false);
      assert.equal((checkWatchGlob(glob) as { problem: string }).problem, problem);
    });
  }
});

describe('watch: globBase', () => {
  it('is the leading folders without a wildcard', () => {
    assert.equal(globBase('papers/inbox/**/*.pdf'), 'papers/inbox');
    assert.equal(globBase('inbox-b/*.pdf'), 'inbox-b');
    assert.equal(globBase('in{a,b}/*.pdf'), '');
    assert.equal(globBase('**/*.pdf'), '');
    assert.equal(globBase('inbox/report.pdf'), 'inbox');
    assert.equal(globBase('report.pdf'), '');
  });
});

describe('watch: outermostPaths', () => {
  it('keeps the paths not inside another, once each', () => {
    assert.deepEqual(
      outermostPaths(['/w/in/b/x.pdf', '/w/in/b', '/w/in/bb', '/w/in/b/deep', '/w/in/a.pdf', '/w/in/b'], '/'),
      ['/w/in/a.pdf', '/w/in/b', '/w/in/bb'],
    );
    assert.deepEqual(outermostPaths(['C:\\w\\a', 'C:\\w\\a\\b.pdf'], '\\'), ['C:\\w\\a']);
    assert.deepEqual(outermostPaths([], '/'), []);
  });
});

describe('watch: isWatchable', () => {
  for (const rel of ['papers/inbox/a.pdf', 'a.pdf', 'papers\\b.pdf', 'mineru-old/a.pdf', 'x/mineru/a.pdf']) {
    it(`watches ${rel}`, () => assert.equal(isWatchable(rel, 'mineru'), true));
  }
  for (const rel of [
    'mineru/a/a.pdf',
    'mineru/a.pdf',
    '.git/a.pdf',
    'papers/.hidden/a.pdf',
    'papers/.a.pdf',
    'node_modules/pkg/a.pdf',
    'papers/node_modules/a.pdf',
    'papers/~$report.docx',
    'papers/a.pdf.crdownload',
    'papers/a.pdf.part',
    '../a.pdf',
    '',
  ]) {
    it(`never watches "${rel}"`, () => assert.equal(isWatchable(rel, 'mineru'), false));
  }
  it('follows a nested results folder', () => {
    assert.equal(isWatchable('out/results/a.pdf', './out/results/'), false);
    assert.equal(isWatchable('out/a.pdf', 'out/results'), true);
  });
});

describe('watch: StabilityTracker (fake clock)', () => {
  function setup(): {
    clock: FakeClock;
    files: Map<string, FileStamp>;
    stable: string[];
    tracker: StabilityTracker;
  } {
    const clock = new FakeClock();
    const files = new Map<string, FileStamp>();
    const stable: string[] = [];
    const tracker = new StabilityTracker({
      clock,
      stat: (p) => Promise.resolve(files.get(p) ? { ...files.get(p)! } : undefined),
      debounceMs: 1000,
      checkMs: 500,
      onStable: (p) => stable.push(p),
    });
    return { clock, files, stable, tracker };
  }

  it('reports a file once two looks in a row see the same size and time', async () => {
    const { clock, files, stable, tracker } = setup();
    files.set('a.pdf', { size: 10, mtimeMs: 1 });
    tracker.touch('a.pdf');
    await clock.tick(999);
    assert.deepEqual(stable, []);
    await clock.tick(1); // first look
    assert.deepEqual(stable, []);
    await clock.tick(500); // second look, unchanged
    assert.deepEqual(stable, ['a.pdf']);
    await clock.tick(10_000);
    assert.deepEqual(stable, ['a.pdf'], 'once');
    assert.deepEqual(tracker.pending, []);
  });

  it('does not report a file that grows between looks, even without events', async () => {
    const { clock, files, stable, tracker } = setup();
    files.set('a.pdf', { size: 10, mtimeMs: 1 });
    tracker.touch('a.pdf');
    await clock.tick(1000);
    for (let i = 2; i < 8; i++) {
      files.set('a.pdf', { size: 10 * i, mtimeMs: i });
      await clock.tick(500);
      assert.deepEqual(stable, [], `still written at look ${i}`);
    }
    await clock.tick(500);
    assert.deepEqual(stable, ['a.pdf']);
  });

  it('a change of time alone (same size) is not stable yet', async () => {
    const { clock, files, stable, tracker } = setup();
    files.set('a.pdf', { size: 10, mtimeMs: 1 });
    tracker.touch('a.pdf');
    await clock.tick(1000);
    files.set('a.pdf', { size: 10, mtimeMs: 2 });
    await clock.tick(500);
    assert.deepEqual(stable, []);
    await clock.tick(500);
    assert.deepEqual(stable, ['a.pdf']);
  });

  it('every event restarts the debounce: a file written in bursts is reported after the last', async () => {
    const { clock, files, stable, tracker } = setup();
    for (let i = 1; i <= 5; i++) {
      files.set('a.pdf', { size: i, mtimeMs: i });
      tracker.touch('a.pdf');
      await clock.tick(900);
    }
    assert.deepEqual(stable, []);
    await clock.tick(100 + 500);
    assert.deepEqual(stable, ['a.pdf']);
  });

  it('an empty file is never reported, a deleted one is dropped', async () => {
    const { clock, files, stable, tracker } = setup();
    files.set('empty.pdf', { size: 0, mtimeMs: 1 });
    files.set('gone.pdf', { size: 5, mtimeMs: 1 });
    tracker.touch('empty.pdf');
    tracker.touch('gone.pdf');
    await clock.tick(1000);
    files.delete('gone.pdf');
    await clock.tick(5000);
    assert.deepEqual(stable, []);
    assert.deepEqual(tracker.pending, ['empty.pdf']);
    tracker.dispose();
    assert.equal(clock.pending, 0);
  });
});
