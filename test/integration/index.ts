// Entry point of the integration suite inside the VS Code extension host (desktop via
// @vscode/test-electron, or code-server via scripts/run-host-tests.mjs): the host requires this
// module and awaits run(). It runs every out/test/integration/**/*.test.js with mocha, and writes
// { passed, failed, pending, ... } as JSON to the file named by $MINERU_TEST_RESULTS, if set.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { skipRecordOf, type SkipRecord } from '../unit/helpers/skip';
import { ENV_RESULTS_FILE } from './tripwire';

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  /** Every test by full title, for reports built from a run (scripts/reliability-matrix.mjs). */
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; skip?: SkipRecord }[];
  vscodeVersion: string;
  nodeVersion: string;
  durationMs: number;
}

function findTestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => rel.endsWith('.test.js'))
    .map((rel) => path.join(dir, rel))
    .sort();
}

export function run(): Promise<void> {
  return runSuite(__dirname);
}

/** Runs every *.test.js under `dir` (another host suite, e.g. ../integration-zh, reuses this). */
export function runSuite(dir: string): Promise<void> {
  console.log(
    `[integration] vscode.version ${vscode.version}, process.version ${process.version}, ` +
      `uiKind ${vscode.UIKind[vscode.env.uiKind]}, remoteName ${vscode.env.remoteName ?? '(local)'}, appHost ${vscode.env.appHost}`,
  );
  const grep = process.env.MINERU_TEST_GREP;
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 60_000,
    ...(grep ? { grep: new RegExp(grep) } : {}),
  });
  const files = findTestFiles(dir);
  for (const file of files) mocha.addFile(file);
  const resultsFile = process.env[ENV_RESULTS_FILE];
  const started = Date.now();

  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files found under ${dir}`));
      return;
    }
    const failures: SuiteResults['failures'] = [];
    const tests: SuiteResults['tests'] = [];
    try {
      const runner = mocha.run((failed) => {
        const stats = runner.stats;
        const results: SuiteResults = {
          passed: stats?.passes ?? 0,
          failed: stats?.failures ?? failed,
          pending: stats?.pending ?? 0,
          failures,
          tests,
          vscodeVersion: vscode.version,
          nodeVersion: process.version,
          durationMs: Date.now() - started,
        };
        console.log(
          `[integration] ${results.passed} passing, ${results.failed} failing, ${results.pending} pending`,
        );
        if (resultsFile) fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
        if (failed > 0) reject(new Error(`${failed} integration test(s) failed.`));
        else if (results.passed === 0) reject(new Error('no integration test ran.'));
        else resolve();
      });
      runner.on('fail', (test, err: unknown) => {
        failures.push({ title: test.fullTitle(), error: err instanceof Error ? err.message : String(err) });
        if (test.type === 'test') tests.push({ title: test.fullTitle(), state: 'failed' });
      });
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed' }));
      // A pending test carries the reason recorded by skipBecause (test/unit/helpers/skip.ts), if any;
      // scripts/test.mjs counts one without an accepted reason as failed.
      runner.on('pending', (test) => {
        const skip = skipRecordOf(test);
        tests.push({ title: test.fullTitle(), state: 'pending', ...(skip ? { skip } : {}) });
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
