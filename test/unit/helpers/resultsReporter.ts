/**
 * Mocha reporter for the unit suite under `npm test`: mocha's usual spec output on the console,
 * plus a results file for scripts/test.mjs and scripts/reliability-matrix.mjs, in the same shape as
 * the host suite's (test/integration/index.ts):
 *
 *   { passed, failed, pending, failures: [{ title, error }],
 *     tests: [{ title, state: 'passed' | 'failed' | 'pending', skip?: { reason, detail } }] }
 *
 * The file is named by `--reporter-option output=<file>` (or $MINERU_TEST_RESULTS). `skip` is the
 * reason recorded by skipBecause (./skip.ts) on the test or one of its suites.
 *
 *   mocha --reporter out/test/unit/helpers/resultsReporter.js --reporter-option output=unit.json
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as Mocha from 'mocha';
import { skipRecordOf, type SkipRecord } from './skip';

interface ResultTest {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  skip?: SkipRecord;
}

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

class ResultsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions = {}) {
    super(runner, options);
    const reporterOptions = (options as { reporterOption?: Record<string, unknown> }).reporterOption ?? {};
    const output =
      typeof reporterOptions.output === 'string' ? reporterOptions.output : process.env.MINERU_TEST_RESULTS;
    const tests: ResultTest[] = [];
    const failures: { title: string; error: string }[] = [];
    runner.on(EVENT_TEST_PASS, (test) => tests.push({ title: test.fullTitle(), state: 'passed' }));
    runner.on(EVENT_TEST_FAIL, (test, err: unknown) => {
      // A failing hook is listed too: it is a failure even though no test has that title.
      tests.push({ title: test.fullTitle(), state: 'failed' });
      failures.push({ title: test.fullTitle(), error: err instanceof Error ? err.message : String(err) });
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      const skip = skipRecordOf(test);
      tests.push({ title: test.fullTitle(), state: 'pending', ...(skip ? { skip } : {}) });
    });
    runner.once(EVENT_RUN_END, () => {
      if (!output) return;
      const results = {
        passed: this.stats.passes,
        failed: this.stats.failures,
        pending: this.stats.pending,
        failures,
        tests,
        nodeVersion: process.version,
        durationMs: this.stats.duration ?? 0,
      };
      fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
      fs.writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);
    });
  }
}

export = ResultsReporter;
