/**
 * The test runner's skip policy (scripts/skip-policy.mjs) and the way a skip reason travels: from
 * skipBecause (helpers/skip.ts) through the results reporter (helpers/resultsReporter.ts)
 * into the results file that `npm test` counts. The second part runs mocha for real on a small
 * suite written to a temp folder.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface ResultTest {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  skip?: { reason: string; detail: string };
}
interface Results {
  passed: number;
  failed: number;
  pending: number;
  tests?: ResultTest[];
}
interface Counted {
  passed: number;
  failed: number;
  skipped: number;
  verdicts: { title: string; why: string; refused?: string }[];
}
interface Policy {
  isCi(env: NodeJS.ProcessEnv): boolean;
  applySkipPolicy(results: Results, opts: { ci: boolean; platform: string }): Counted;
}

async function loadPolicy(): Promise<Policy> {
  const url = pathToFileURL(path.join(ROOT, 'scripts', 'skip-policy.mjs')).href;
  return (await import(url)) as Policy;
}

const platformSkip = { reason: 'platform', detail: 'no binary for this platform' };

describe('npm test: skip policy', () => {
  let policy: Policy;
  before(async () => {
    policy = await loadPolicy();
  });

  const results: Results = {
    passed: 3,
    failed: 1,
    pending: 3,
    tests: [
      { title: 'a', state: 'passed' },
      { title: 'b', state: 'pending', skip: platformSkip },
      { title: 'c', state: 'pending' },
      { title: 'd', state: 'pending', skip: { reason: 'flaky', detail: 'sometimes' } },
    ],
  };

  it('counts a platform skip off linux-x64 as skipped; a skip without a reason or with another one as failed', () => {
    const c = policy.applySkipPolicy(results, { ci: false, platform: 'darwin-arm64' });
    assert.deepEqual([c.passed, c.failed, c.skipped], [3, 3, 1]);
    assert.deepEqual(
      c.verdicts.map((v) => [v.title, v.refused === undefined]),
      [
        ['b', true],
        ['c', false],
        ['d', false],
      ],
    );
    assert.match(c.verdicts[1]!.refused!, /must give a reason/);
  });

  it('accepts no skip on linux-x64, where every test must run', () => {
    const c = policy.applySkipPolicy(results, { ci: false, platform: 'linux-x64' });
    assert.deepEqual([c.failed, c.skipped], [4, 0]);
    assert.match(c.verdicts[0]!.refused!, /linux-x64 must run every test/);
  });

  it('accepts no skip at all on CI', () => {
    const c = policy.applySkipPolicy(results, { ci: true, platform: 'win32-x64' });
    assert.deepEqual([c.failed, c.skipped], [4, 0]);
    assert.match(c.verdicts[0]!.refused!, /CI/);
    assert.equal(policy.isCi({ CI: 'true' }), true);
    assert.equal(policy.isCi({ CI: '1' }), true);
    assert.equal(policy.isCi({ CI: 'false' }), false);
    assert.equal(policy.isCi({}), false);
  });

  it('counts pending tests the results do not list (count-only results) as failed', () => {
    const c = policy.applySkipPolicy(
      { passed: 5, failed: 0, pending: 2 },
      { ci: false, platform: 'darwin-x64' },
    );
    assert.deepEqual([c.passed, c.failed, c.skipped], [5, 2, 0]);
  });
});

describe('npm test: a skip reason reaches the results file', function () {
  this.timeout(30000);
  let dir = '';
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records skipBecause on the suite (before all), the test (it, before each), and nothing for a bare this.skip()', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mineru-skip-'));
    const helper = JSON.stringify(path.join(ROOT, 'out', 'test', 'unit', 'helpers', 'skip.js'));
    writeFileSync(
      path.join(dir, 'fixture.test.js'),
      [
        `const { skipBecause } = require(${helper});`,
        "describe('S', function () {",
        "  before(function () { skipBecause(this, 'platform', 'suite-wide'); });",
        "  it('one', () => {});",
        "  describe('inner', () => { it('two', () => {}); });",
        '});',
        "describe('T', function () {",
        "  it('three', function () { skipBecause(this, 'platform', 'this test'); });",
        "  it('four', function () { this.skip(); });",
        "  it('five', () => {});",
        '});',
        "describe('U', function () {",
        "  beforeEach(function () { skipBecause(this, 'platform', 'each'); });",
        "  it('six', () => {});",
        '});',
      ].join('\n'),
    );
    const out = path.join(dir, 'results.json');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
          '--no-config',
          '--no-color',
          '--reporter',
          path.join(ROOT, 'out', 'test', 'unit', 'helpers', 'resultsReporter.js'),
          '--reporter-option',
          `output=${out}`,
          path.join(dir, 'fixture.test.js'),
        ],
        { cwd: dir },
        (error, so, se) => (error ? reject(new Error(`${error.message}\n${so}${se}`)) : resolve(so)),
      );
    });
    assert.match(stdout, /^MINERU-SKIP platform: suite-wide — S$/m, 'the machine-readable line');
    assert.match(stdout, /1 passing/, 'spec output is still on the console');
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    assert.deepEqual([results.passed, results.failed, results.pending], [1, 0, 5]);
    const detail = (title: string): string | undefined =>
      results.tests?.find((t) => t.title === title)?.skip?.detail;
    assert.equal(detail('S one'), 'suite-wide');
    assert.equal(detail('S inner two'), 'suite-wide', 'a suite skip covers nested suites');
    assert.equal(detail('T three'), 'this test');
    assert.equal(detail('T four'), undefined, 'a bare this.skip() carries no reason');
    assert.equal(detail('U six'), 'each');
    assert.equal(results.tests?.find((t) => t.title === 'T five')?.state, 'passed');
  });
});
