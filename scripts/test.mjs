#!/usr/bin/env node
// @ts-check
// `npm test`: every check of the project, in order, each reported as it runs:
//   clean out/ → compile (tsc) → lint (eslint) → format (prettier) → scripts (tsc --checkJs)
//   → import cycles → bundle (esbuild)
//   → install test tools → unit tests (mocha) → install the VS Code host → integration tests inside
//   VS Code → UI tests in the workbench → reliability matrix check.
// It keeps going after a failing stage (a failed bundle still lets the unit tests run), prints a
// summary table, the total time, and ends with exactly one line "N passed, N failed, N skipped".
//
// What counts:
//   - passed / failed: the tests of the suites, plus 1 failed for every non-test stage that failed,
//     a suite that could not run at all, or a suite that ran no tests (0 passed and 0 failed).
//   - skipped: a pending test counts as skipped only when it carries an accepted reason, recorded by
//     test/unit/helpers/skip.ts (skipBecause): reason "platform", on a machine that is not linux-x64.
//     Every other pending test — no recorded reason, any skip on linux-x64, and every skip when
//     CI is set (CI=true: nothing may skip there) — counts as failed.
// Exit code 0 only when nothing failed. A host that cannot be set up is a failure, never a skip.
// The suites' results are kept in out/test-results/*.json (scripts/reliability-matrix.mjs reads them).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './lib/process.mjs';
import { applySkipPolicy, isCi } from './skip-policy.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const OUT = path.join(ROOT, 'out');
const RESULTS_DIR = path.join(OUT, 'test-results');
const resultsFile = (name) => path.join(RESULTS_DIR, `${name}.json`);
const CI = isCi(process.env);
const PLATFORM = `${process.platform}-${process.arch}`;
const countResults = (results) => applySkipPolicy(results, { ci: CI, platform: PLATFORM });

const STAGE_TIMEOUT_MS = 20 * 60_000;

/** One stage = a child process; output goes straight to the console. */
async function runStage(cmd, args, { env = {}, timeoutMs = STAGE_TIMEOUT_MS } = {}) {
  const res = await run(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    timeoutMs,
    killSignal: 'SIGTERM',
    graceMs: 15_000,
  });
  return res.error ? { ...res, code: 127, error: res.error.message } : res;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const shortPath = (a) => (a.startsWith(`${ROOT}/`) ? path.relative(ROOT, a) : a);

const stages = [];
let current;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // Children share our process group and get the signal too; they clean up after themselves.
    console.error(`\n[npm test] ${sig} during "${current ?? '-'}": stopping.`);
    process.exit(130);
  });
}

/**
 * Runs one stage and records it. `results` (optional, a test stage) returns the suite's results
 * ({ passed, failed, pending, tests? }) after the run; they are counted with the skip policy. A test
 * stage fails when its process failed, a test failed (or skipped without an accepted reason), or it
 * ran no tests at all; a crash without counted failures adds 1 failed.
 */
/**
 * @param {string} name
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ results?: () => any, env?: Record<string, string>, timeoutMs?: number, skipReason?: string }} [options]
 */
async function stage(name, cmd, args, { results, env, timeoutMs = STAGE_TIMEOUT_MS, skipReason } = {}) {
  current = name;
  console.log(
    `\n━━━ ${name} ━━━ ${[cmd === process.execPath ? 'node' : cmd, ...args].map(shortPath).join(' ')}`,
  );
  const t0 = Date.now();
  if (skipReason) {
    // Not skipped silently: a stage that cannot run is a failure with a reason.
    console.log(`✘ ${name} cannot run: ${skipReason}`);
    stages.push({
      name,
      ok: false,
      counted: Boolean(results),
      passed: 0,
      failed: 1,
      skipped: 0,
      ms: 0,
      note: skipReason,
      verdicts: [],
    });
    return false;
  }
  const res = await runStage(cmd, args, { env, timeoutMs });
  const ms = Date.now() - t0;
  const entry = {
    name,
    ok: res.code === 0,
    counted: Boolean(results),
    passed: 0,
    failed: 0,
    skipped: 0,
    ms,
    note: '',
    verdicts: [],
  };
  const notes = [];
  if (res.timedOut) notes.push(`timed out after ${Math.round(timeoutMs / 1000)} s`);
  else if (res.error) notes.push(res.error);
  else if (res.code !== 0) notes.push(`exit ${res.code}${res.signal ? ` (${res.signal})` : ''}`);
  if (results) {
    const r = results();
    if (r) {
      const c = countResults(r);
      Object.assign(entry, { passed: c.passed, failed: c.failed, skipped: c.skipped, verdicts: c.verdicts });
      entry.failures = Array.isArray(r.failures) ? r.failures : [];
      const refused = c.verdicts.filter((v) => v.refused).length;
      if (refused) notes.push(`${refused} skip(s) counted as failed`);
      if (c.skipped) notes.push(`${c.skipped} skipped for the platform`);
    }
    if (entry.passed === 0 && entry.failed === 0) {
      // A suite that ran nothing proves nothing: a load error, an empty glob, everything skipped.
      entry.failed = 1;
      notes.push(r ? 'ran no tests' : 'no test results');
    } else if (!entry.ok && entry.failed === 0) {
      entry.failed = 1; // the suite itself broke after its tests (infrastructure)
      notes.push('failed without failed tests');
    }
    if (entry.failed > 0) entry.ok = false;
  } else if (!entry.ok) {
    entry.failed = 1;
  }
  entry.note = notes.join(', ');
  stages.push(entry);
  console.log(
    `${entry.ok ? '✔' : '✘'} ${name} (${(ms / 1000).toFixed(1)} s)${entry.note ? ` — ${entry.note}` : ''}`,
  );
  return entry.ok;
}

const t0 = Date.now();
// Compile from scratch: a test deleted from test/ must not run from a stale out/ (nor its results).
fs.rmSync(OUT, { recursive: true, force: true });
await stage('compile (tsc)', path.join(BIN, 'tsc'), ['-p', '.']);
fs.mkdirSync(RESULTS_DIR, { recursive: true });
await stage('lint (eslint)', path.join(BIN, 'eslint'), ['.']);
await stage('format (prettier)', path.join(BIN, 'prettier'), ['--check', '.']);
// The scripts themselves (plain .mjs, // @ts-check) are type-checked with their own tsconfig.
await stage('scripts (tsc --checkJs)', path.join(BIN, 'tsc'), ['-p', 'tsconfig.scripts.json']);
// No file (nor folder) of src/ and test/ imports itself through others.
await stage('import cycles (check)', process.execPath, [
  path.join(ROOT, 'scripts', 'check-import-cycles.mjs'),
]);
// A failed bundle must not leave an old one behind for the host suites to test.
for (const bundle of ['extension.js', 'composition.js', 'later.js', 'axios.js'])
  fs.rmSync(path.join(ROOT, 'dist', bundle), { force: true });
const bundled = await stage('bundle (esbuild)', process.execPath, ['esbuild.js']);
await stage('install test tools', 'bash', [path.join(ROOT, 'scripts', 'install-test-tools.sh')], {
  timeoutMs: 10 * 60_000,
});
await stage(
  'unit tests',
  path.join(BIN, 'mocha'),
  [
    '--reporter',
    path.join(OUT, 'test', 'unit', 'helpers', 'resultsReporter.js'),
    '--reporter-option',
    `output=${resultsFile('unit')}`,
    '--no-color',
  ],
  { results: () => readJson(resultsFile('unit')), timeoutMs: 15 * 60_000 },
);
const hostReady = await stage(
  'install VS Code host',
  'bash',
  [path.join(ROOT, 'scripts', 'install-host.sh')],
  {
    timeoutMs: 30 * 60_000,
  },
);
const hostBlocker = !hostReady
  ? 'the VS Code host could not be set up (see "install VS Code host")'
  : !bundled
    ? 'the extension bundle did not build (see "bundle (esbuild)")'
    : undefined;
await stage(
  'integration tests (VS Code host)',
  process.execPath,
  // The suite runs about five minutes on a busy machine (watched-folder tests wait for files to settle).
  [
    path.join(ROOT, 'scripts', 'run-host-tests.mjs'),
    '--timeout',
    '540000',
    '--results',
    resultsFile('integration'),
  ],
  { results: () => readJson(resultsFile('integration')), timeoutMs: 15 * 60_000, skipReason: hostBlocker },
);
await stage(
  'integration tests (VS Code host, zh-cn)',
  process.execPath,
  [
    path.join(ROOT, 'scripts', 'run-host-tests.mjs'),
    '--locale',
    'zh-cn',
    '--results',
    resultsFile('integration-zh'),
  ],
  { results: () => readJson(resultsFile('integration-zh')), timeoutMs: 10 * 60_000, skipReason: hostBlocker },
);
// The one test whose branch depends on workspace trust, again in a host with trust on: a workspace
// value of mineru.outputDirectory must not count in a restricted (untrusted) folder.
await stage(
  'integration tests (untrusted workspace)',
  process.execPath,
  [
    path.join(ROOT, 'scripts', 'run-host-tests.mjs'),
    '--untrusted',
    '--grep',
    'is a restricted setting|watched folders are off in an untrusted workspace',
    '--results',
    resultsFile('integration-untrusted'),
  ],
  {
    results: () => readJson(resultsFile('integration-untrusted')),
    timeoutMs: 10 * 60_000,
    skipReason: hostBlocker,
  },
);
await stage(
  'UI tests (workbench)',
  process.execPath,
  [path.join(ROOT, 'scripts', 'run-ui-tests.mjs'), '--results', resultsFile('ui')],
  { results: () => readJson(resultsFile('ui')), timeoutMs: 15 * 60_000, skipReason: hostBlocker },
);
await stage(
  'UI tests (workbench, zh-cn)',
  process.execPath,
  [
    path.join(ROOT, 'scripts', 'run-ui-tests.mjs'),
    '--locale',
    'zh-cn',
    '--vsix',
    path.join(ROOT, '.cache', 'mineru.vsix'),
    '--results',
    resultsFile('ui-zh-cn'),
  ],
  { results: () => readJson(resultsFile('ui-zh-cn')), timeoutMs: 10 * 60_000, skipReason: hostBlocker },
);
// Another extension in the same host, with MinerU installed from the .vsix (production).
await stage(
  'integration tests (another extension)',
  process.execPath,
  [
    path.join(ROOT, 'scripts', 'run-probe-tests.mjs'),
    '--vsix',
    path.join(ROOT, '.cache', 'mineru.vsix'),
    '--results',
    resultsFile('probe'),
  ],
  { results: () => readJson(resultsFile('probe')), timeoutMs: 10 * 60_000, skipReason: hostBlocker },
);
// Every row of RELIABILITY.md must have run and passed in this run, and the file must be current.
await stage('reliability matrix (check)', process.execPath, [
  path.join(ROOT, 'scripts', 'reliability-matrix.mjs'),
  '--check',
  '--results',
  RESULTS_DIR,
]);
// Every command, menu entry, setting and welcome button has a test that passed in this run, and
// CONTRIBUTING.md's coverage table is current.
await stage('coverage of commands, menus and settings (check)', process.execPath, [
  path.join(ROOT, 'scripts', 'coverage-table.mjs'),
  '--check',
  ...['unit', 'integration', 'ui'].flatMap((name) => ['--results', resultsFile(name)]),
]);
current = undefined;

// ---- summary ------------------------------------------------------------------------------------
const verdicts = stages.flatMap((s) => s.verdicts.map((v) => ({ ...v, stage: s.name })));
if (verdicts.length) {
  console.log('\n━━━ pending tests ━━━');
  for (const v of verdicts) {
    console.log(
      `${v.refused ? '✘ counted as failed' : '○ skipped'} [${v.stage}] ${v.title} — ${v.why}${v.refused ? ` (${v.refused})` : ''}`,
    );
  }
}
const rows = stages.map((s) => [
  s.ok ? 'ok' : 'FAILED',
  s.name,
  s.counted ? String(s.passed) : '',
  s.counted || s.failed ? String(s.failed) : '',
  s.counted ? String(s.skipped) : '',
  `${(s.ms / 1000).toFixed(1)} s`,
  s.note,
]);
const header = ['', 'stage', 'passed', 'failed', 'skipped', 'time', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) =>
  r
    .map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
console.log('\n━━━ summary ━━━');
console.log(line(header));
for (const r of rows) console.log(line(r));
const passed = stages.reduce((n, s) => n + s.passed, 0);
const failed = stages.reduce((n, s) => n + s.failed, 0);
const skipped = stages.reduce((n, s) => n + s.skipped, 0);
const failedStages = stages.filter((s) => !s.ok).map((s) => s.name);
if (failedStages.length) console.log(`failed stages: ${failedStages.join(', ')}`);
console.log(
  `platform ${PLATFORM}${CI ? ', CI: nothing may skip' : ''}; total time ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
// The failed tests, each with the first lines of its error, just above the last line: a CI log is
// often read from its end.
const failures = stages.flatMap((s) => (s.failures ?? []).map((f) => ({ ...f, stage: s.name })));
if (failures.length) {
  console.log('\n━━━ failed tests ━━━');
  for (const f of failures) {
    const error = String(f.error ?? '')
      .split('\n')
      .slice(0, 4)
      .join('\n    ')
      .slice(0, 600);
    console.log(`✘ [${f.stage}] ${f.title}\n    ${error}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && failedStages.length === 0 ? 0 : 1);
