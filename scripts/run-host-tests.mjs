#!/usr/bin/env node
// @ts-check
// Runs the integration suite (out/test/integration/index.js) INSIDE the extension host of a real
// VS Code (code-server), driven by headless Chromium. Builds nothing: compile first (tsc + esbuild).
//
//   node scripts/run-host-tests.mjs [--tests out/test/integration/index.js] [--ext <repo root>]
//        [--workspace test/integration/workspace] [--timeout 300000] [--results <file.json>]
//        [--locale zh-cn]   [--install <file.vsix>]   [--grep <regexp>]   [--untrusted]
//
// --locale zh-cn runs the workbench in Simplified Chinese: the test language pack
// (test/fixtures/zh-cn-language-pack, see testLanguagePack in host.mjs) is installed and registered
// before code-server starts, so vscode.env.language is zh-cn and the extension loads its zh-cn
// strings. Without --tests it then runs out/test/integration-zh/index.js, the suite that asserts
// them, instead of the default (English) suite.
// --install installs a .vsix first, as a user installs it (ExtensionMode Production), next to the
// extension under test (scripts/run-probe-tests.mjs).
// --grep runs only the tests whose full title matches; --untrusted starts the host with workspace
// trust on, so the folder opens in restricted mode (the suite may check it: MINERU_EXPECT_UNTRUSTED).
//
// How: the workbench URL carries ?folder=<temp copy of the workspace fixture> and a `payload` with
// extensionDevelopmentPath/extensionTestsPath as vscode-remote:// URIs, so the server's Node
// extension host loads the extension from source and require()s the test module, then calls run().
// Its console output comes back through window.codeAutomationLog, its end through
// window.codeAutomationExit(code). Counts come from the JSON the suite writes to $MINERU_TEST_RESULTS.
//
// Exit code: 0 all passed, 1 tests failed, 2 infrastructure failure (host, browser, timeout).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exposeAutomationHooks, launchBrowser, screenshot } from './browser.mjs';
import {
  REPO_ROOT,
  copyFixture,
  errorText,
  onCleanup,
  runCleanups,
  startHost,
  tempDir,
  testLanguagePack,
} from './host.mjs';

const TAG = '[host-tests]';
const LOCALE_SUITES = { 'zh-cn': 'out/test/integration-zh/index.js' };
// Workbench start-up chatter forwarded with the extension host's output; not test output.
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin|Updating additional builtin|ChatSessionStore:|Creation of workbench contribution|\[Service Worker\])/;
const T0 = Date.now();
const trace = (m) =>
  process.env.TRACE_HOST_TESTS === '1' &&
  console.error(`${TAG} +${((Date.now() - T0) / 1000).toFixed(1)}s ${m}`);

/** The file an extension's manifest names as `main`. */
function mainOf(extPath) {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(extPath, 'package.json'), 'utf8')).main ?? 'dist/extension.js'
    );
  } catch {
    return 'dist/extension.js';
  }
}

/** Runs the suite; returns { code, passed, failed, pending, vscodeVersion, ... }. Never throws. */
export async function runHostTests(opts = {}) {
  const locale = opts.locale?.toLowerCase();
  // The suite a display language runs when no --tests is given.
  const defaultTests = locale ? LOCALE_SUITES[locale] : 'out/test/integration/index.js';
  const testsPath = path.resolve(REPO_ROOT, opts.tests ?? defaultTests ?? `(no suite for ${locale})`);
  const extPath = path.resolve(REPO_ROOT, opts.ext ?? '.');
  const timeoutMs = Number(opts.timeout ?? 300_000);
  const started = Date.now();
  /** @type {{ code: number, passed: number, failed: number, pending: number, error?: string, durationMs?: number, [more: string]: unknown }} */
  const summary = { code: 2, passed: 0, failed: 0, pending: 0, error: undefined };
  let shotName = 'integration-failure.png';
  let page;
  try {
    for (const [what, p] of [
      ['test module', testsPath],
      ['extension bundle', path.join(extPath, mainOf(extPath))],
    ]) {
      if (!fs.existsSync(p))
        throw new Error(`${what} not found: ${p} (build first: tsc -p . && node esbuild.js)`);
    }
    const { startTripwire, ENV_RESULTS_FILE, ENV_TRIPWIRE_LOG, ENV_TRIPWIRE_URL } = await import(
      path.join(REPO_ROOT, 'out', 'test', 'integration', 'tripwire.js')
    );
    const scratch = tempDir('mineru-itest-');
    const resultsFile = opts.results ? path.resolve(opts.results) : path.join(scratch, 'results.json');
    fs.rmSync(resultsFile, { force: true });
    const tripwire = await startTripwire(path.join(scratch, 'tripwire.log'));
    onCleanup(() => tripwire.close());
    const workspace = copyFixture(opts.workspace ?? 'test/integration/workspace');

    const languagePack = locale ? testLanguagePack(locale) : undefined;
    const host = await startHost({
      label: `code-server (integration${locale ? `, ${locale}` : ''})`,
      env: {
        [ENV_RESULTS_FILE]: resultsFile,
        [ENV_TRIPWIRE_LOG]: tripwire.logFile,
        [ENV_TRIPWIRE_URL]: tripwire.url,
        ...(opts.grep ? { MINERU_TEST_GREP: opts.grep } : {}),
        ...(opts.untrusted ? { MINERU_EXPECT_UNTRUSTED: '1' } : {}),
      },
      ...(opts.untrusted ? { workspaceTrust: true } : {}),
      userSettings: { 'mineru.apiBaseUrl': tripwire.url, 'mineru.agentBaseUrl': tripwire.url },
      ...(languagePack
        ? { args: ['--locale', locale], prepare: (layout) => languagePack.register(layout) }
        : {}),
      // Language pack and extensions installed as a user installs them (ExtensionMode Production).
      installVsix: [...(languagePack ? [languagePack.vsix] : []), ...(opts.install ?? [])],
    });
    console.log(`${TAG} code-server ${host.url} (pid ${host.pid}), workspace ${workspace}`);

    trace('launching browser');
    const browser = await launchBrowser();
    trace('browser up');
    page = browser.page;
    const { exited } = await exposeAutomationHooks(page, (level, line) => {
      // The workbench's own chatter is noise; the extension host's console is the test output.
      if (level === 'error' || !WORKBENCH_NOISE.test(line)) console.log(line);
    });
    const url = host.workbenchUrl({
      folder: workspace,
      extensionDevelopmentPath: extPath,
      extensionTestsPath: testsPath,
    });
    trace(`goto ${url}`);
    await page.goto(url, { timeout: 60_000 });
    trace('page loaded');
    let timer;
    const outcome = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve({ code: 'timeout' }), timeoutMs))),
    ]);
    clearTimeout(timer);

    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      Object.assign(summary, {
        passed: r.passed,
        failed: r.failed,
        pending: r.pending,
        vscodeVersion: r.vscodeVersion,
        nodeVersion: r.nodeVersion,
      });
    }
    if (outcome.code === 'timeout') {
      shotName = 'integration-timeout.png';
      throw new Error(`the suite did not finish within ${timeoutMs} ms`);
    }
    if (outcome.code === 'crash') throw new Error('the browser page crashed');
    if (!fs.existsSync(resultsFile)) {
      throw new Error(
        `the extension host exited (code ${outcome.code}) without writing results: the test module failed to load or run.\n` +
          `--- code-server log (tail) ---\n${host.logTail(30)}`,
      );
    }
    summary.code = outcome.code === 0 && summary.failed === 0 ? 0 : 1;
    if (summary.code === 0 && summary.passed === 0) {
      summary.code = 1;
      summary.error = 'no test ran';
    }
  } catch (err) {
    summary.code = 2;
    summary.error = errorText(err);
    console.error(`${TAG} ERROR: ${summary.error}`);
  } finally {
    if (summary.code !== 0 && page) {
      const file = await screenshot(page, shotName);
      if (file) console.error(`${TAG} screenshot: ${path.relative(REPO_ROOT, file)}`);
    }
    await runCleanups();
  }
  summary.durationMs = Date.now() - started;
  console.log(
    `${TAG} ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending` +
      ` in VS Code ${summary.vscodeVersion ?? '?'} (Node ${summary.nodeVersion ?? '?'}), ${(summary.durationMs / 1000).toFixed(1)} s` +
      (summary.code === 2 ? ' — INFRASTRUCTURE FAILURE' : ''),
  );
  return summary;
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({
    options: {
      tests: { type: 'string' },
      ext: { type: 'string' },
      workspace: { type: 'string' },
      timeout: { type: 'string' },
      results: { type: 'string' },
      locale: { type: 'string' },
      install: { type: 'string', multiple: true },
      grep: { type: 'string' },
      untrusted: { type: 'boolean' },
    },
  });
  const summary = await runHostTests(values);
  process.exit(summary.code);
}
