#!/usr/bin/env node
// @ts-check
// UI end-to-end tests: the extension packaged as a .vsix, installed into code-server, and driven
// through the workbench with headless Chromium the way a person uses it. The tests are
// out/test/ui/**/*.test.js (compiled from test/ui/); they get the page and helpers through
// out/test/ui/context.js. Compile first (tsc -p .).
//
//   node scripts/run-ui-tests.mjs [--vsix <file>] [--workspace test/fixtures/demo-workspace]
//        [--grep <regexp>] [--results <file.json>]
//
// Without --vsix the extension is packaged first (vsce, which runs the production esbuild) into
// .cache/mineru.vsix. Screenshots of failing tests go to test-results/ui-<test>.png.
// Exit code: 0 all passed, 1 tests failed, 2 infrastructure failure.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { launchBrowser, screenshot, waitForWorkbench } from './browser.mjs';
import {
  REPO_ROOT,
  copyFixture,
  errorText,
  onCleanup,
  runCleanups,
  startHost,
  testLanguagePack,
} from './host.mjs';
import { runSync } from './lib/process.mjs';

const TAG = '[ui-tests]';
const require = createRequire(import.meta.url);
export const DEFAULT_VSIX = path.join(REPO_ROOT, '.cache', 'mineru.vsix');

/** Packages the extension into `out` with vsce (no dependencies: the bundle has them). */
export function packageVsix(out = DEFAULT_VSIX) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  // --no-rewrite-relative-links: the README's screenshots are relative (docs/images); publishing to a
  // marketplace would pass --baseImagesUrl of the public repository instead.
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];
  const res = runSync(vsce, [...args, '-o', out], { cwd: REPO_ROOT, capture: true, timeoutMs: 180_000 });
  if (res.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`vsce package failed (exit ${res.status}):\n${res.stdout}${res.stderr}`);
  }
  return out;
}

const LOCALE_TAG = /\[zh-cn\]/;

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => rel.endsWith('.test.js'))
    .map((rel) => path.join(dir, rel))
    .sort();
}

function slug(text) {
  return text
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** Runs the UI suite; returns { code, passed, failed, pending }. Never throws. */
export async function runUiTests(opts = {}) {
  const started = Date.now();
  const summary = { code: 2, passed: 0, failed: 0, pending: 0 };
  let page;
  try {
    const testsDir = path.join(REPO_ROOT, 'out', 'test', 'ui');
    const files = findTests(testsDir);
    if (files.length === 0) throw new Error(`no UI tests under ${testsDir} (compile first: tsc -p .)`);
    const vsix = opts.vsix ? path.resolve(opts.vsix) : packageVsix();
    console.log(`${TAG} extension package ${path.relative(REPO_ROOT, vsix)}`);
    const workspace = copyFixture(opts.workspace ?? 'test/fixtures/demo-workspace');
    // The fake MinerU service starts first, so the workbench comes up with its endpoints already in
    // the user settings (a settings change made after start-up reaches the remote host late).
    const { startFakeMinerU } = require(path.join(REPO_ROOT, 'out', 'test', 'fake-mineru', 'server.js'));
    const fake = await startFakeMinerU({ progress: 'timed', stepMs: 60 });
    onCleanup(() => fake.close());
    const locale = opts.locale;
    const languagePack = locale ? testLanguagePack(locale) : undefined;
    const host = await startHost({
      label: `code-server (ui${locale ? `, ${locale}` : ''})`,
      installVsix: languagePack ? [vsix, languagePack.vsix] : [vsix],
      ...(languagePack
        ? { args: ['--locale', locale], prepare: (layout) => languagePack.register(layout) }
        : {}),
      userSettings: { 'mineru.apiBaseUrl': fake.apiBaseUrl, 'mineru.agentBaseUrl': fake.agentBaseUrl },
    });
    console.log(`${TAG} code-server ${host.url} (pid ${host.pid}), workspace ${workspace}`);
    const browser = await launchBrowser();
    page = browser.page;
    await page.goto(host.workbenchUrl({ folder: workspace }), { timeout: 60_000 });
    await waitForWorkbench(page);

    const context = require(path.join(testsDir, 'context.js'));
    context.setUiContext({
      page,
      workspaceDir: workspace,
      serverUrl: host.url,
      fake,
      setUserSettings: (s) => host.setUserSettings(s),
      screenshot: (name) => screenshot(page, name),
      onCleanup: (fn) => void onCleanup(fn),
    });

    const mocha = new Mocha({
      ui: 'bdd',
      reporter: 'spec',
      timeout: 60_000,
      color: false,
      // Tests titled "[zh-cn]" run only in the zh-cn run, every other test only in the default run.
      grep: opts.grep ?? LOCALE_TAG,
      invert: !opts.grep && !opts.locale,
      rootHooks: {
        /** @this {import('mocha').Context} */
        async afterEach() {
          const test = this.currentTest;
          if (test?.state === 'failed') {
            const file = await screenshot(page, `ui-${slug(test.fullTitle())}.png`);
            if (file) console.log(`${TAG} screenshot: ${path.relative(REPO_ROOT, file)}`);
          }
        },
      },
    });
    for (const f of files) mocha.addFile(f);
    /** Every test by full title, for reports built from a run (reliability-matrix.mjs, coverage-table.mjs). */
    const tests = [];
    const failures = [];
    const stats = await new Promise((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats));
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed' }));
      runner.on('fail', (test, err) => {
        failures.push({ title: test.fullTitle(), error: err instanceof Error ? err.message : String(err) });
        if (test.type === 'test') tests.push({ title: test.fullTitle(), state: 'failed' });
      });
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
    });
    Object.assign(summary, {
      passed: stats.passes,
      failed: stats.failures,
      pending: stats.pending,
      tests,
      failures,
    });
    summary.code = summary.failed === 0 && summary.passed > 0 ? 0 : 1;
  } catch (err) {
    summary.code = 2;
    summary.error = errorText(err);
    console.error(`${TAG} ERROR: ${summary.error}`);
    if (page) {
      const file = await screenshot(page, 'ui-failure.png');
      if (file) console.error(`${TAG} screenshot: ${path.relative(REPO_ROOT, file)}`);
    }
  } finally {
    await runCleanups();
  }
  summary.durationMs = Date.now() - started;
  if (opts.results) fs.writeFileSync(path.resolve(opts.results), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(
    `${TAG} ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending, ` +
      `${(summary.durationMs / 1000).toFixed(1)} s${summary.code === 2 ? ' — INFRASTRUCTURE FAILURE' : ''}`,
  );
  return summary;
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({
    options: {
      vsix: { type: 'string' },
      workspace: { type: 'string' },
      grep: { type: 'string' },
      locale: { type: 'string' },
      results: { type: 'string' },
    },
  });
  const summary = await runUiTests(values);
  process.exit(summary.code);
}
