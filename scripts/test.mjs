#!/usr/bin/env node
// `npm test`: every check of the project, in order, each reported as it runs:
//   compile (tsc) → lint (eslint) → format (prettier) → bundle (esbuild) → unit tests (mocha)
//   → install the VS Code host → integration tests inside VS Code → UI tests in the workbench.
// It keeps going after a failing stage (a failed bundle still lets the unit tests run), prints a
// summary table, the total time, and ends with exactly one line "N passed, N failed": the tests of
// the three suites, plus 1 failed for every non-test stage that failed (or a suite that could not
// run at all). Exit code 0 only when everything passed. A host that cannot be set up is a failure,
// never a skip.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-npm-test-'));
const resultsFile = (name) => path.join(scratch, `${name}.json`);

/** One stage = a child process; output goes straight to the console. */
function runStage(cmd, args, { env = {}, timeoutMs = 20 * 60_000, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, error: err.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, timedOut, output });
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Counts from the closing lines of mocha's spec reporter ("N passing", "N failing", "N pending"). */
function mochaSpecCounts(output) {
  const last = (word) => {
    const all = [...output.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : 0;
  };
  if (!/^\s*\d+ (passing|failing|pending)\b/m.test(output)) return undefined;
  return { passed: last('passing'), failed: last('failing'), pending: last('pending') };
}

const shortPath = (a) => (a.startsWith(`${ROOT}/`) ? path.relative(ROOT, a) : a);

const stages = [];
let current;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // Children share our process group and get the signal too; they clean up after themselves.
    console.error(`\n[npm test] ${sig} during "${current ?? '-'}": stopping.`);
    fs.rmSync(scratch, { recursive: true, force: true });
    process.exit(130);
  });
}

/**
 * Runs one stage and records it. `counts` (optional) reads { passed, failed, pending } after the
 * run; a test stage whose process failed without counted failures adds 1 failed (it crashed).
 */
async function stage(name, cmd, args, { counts, env, timeoutMs, skipReason, capture } = {}) {
  current = name;
  console.log(
    `\n━━━ ${name} ━━━ ${[cmd === process.execPath ? 'node' : cmd, ...args].map(shortPath).join(' ')}`,
  );
  const t0 = Date.now();
  if (skipReason) {
    // Not skipped silently: a stage that cannot run is a failure with a reason.
    console.log(`✘ ${name} cannot run: ${skipReason}`);
    stages.push({ name, ok: false, passed: 0, failed: 1, pending: 0, ms: 0, note: skipReason });
    return false;
  }
  const res = await runStage(cmd, args, { env, timeoutMs, capture });
  const ms = Date.now() - t0;
  const entry = {
    name,
    ok: res.code === 0,
    counted: Boolean(counts),
    passed: 0,
    failed: 0,
    pending: 0,
    ms,
    note: '',
  };
  if (res.timedOut) entry.note = `timed out after ${Math.round(timeoutMs / 1000)} s`;
  else if (res.error) entry.note = res.error;
  else if (res.code !== 0) entry.note = `exit ${res.code}${res.signal ? ` (${res.signal})` : ''}`;
  if (counts) {
    const c = counts(res.output ?? '');
    if (c) Object.assign(entry, { passed: c.passed ?? 0, failed: c.failed ?? 0, pending: c.pending ?? 0 });
    if (!entry.ok && entry.failed === 0) {
      entry.failed = 1; // the suite itself broke (no counts, load error, infrastructure)
      entry.note ||= 'failed without test results';
      if (!c) entry.note += ', no test results';
    }
  } else if (!entry.ok) {
    entry.failed = 1;
  }
  stages.push(entry);
  console.log(
    `${entry.ok ? '✔' : '✘'} ${name} (${(ms / 1000).toFixed(1)} s)${entry.note ? ` — ${entry.note}` : ''}`,
  );
  return entry.ok;
}

const t0 = Date.now();
await stage('compile (tsc)', path.join(BIN, 'tsc'), ['-p', '.']);
await stage('lint (eslint)', path.join(BIN, 'eslint'), ['.']);
await stage('format (prettier)', path.join(BIN, 'prettier'), ['--check', '.']);
// A failed bundle must not leave an old one behind for the host suites to test.
fs.rmSync(path.join(ROOT, 'dist', 'extension.js'), { force: true });
const bundled = await stage('bundle (esbuild)', process.execPath, ['esbuild.js']);
await stage('unit tests', path.join(BIN, 'mocha'), ['--reporter', 'spec', '--no-color'], {
  capture: true,
  counts: mochaSpecCounts,
  timeoutMs: 15 * 60_000,
});
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
  [path.join(ROOT, 'scripts', 'run-host-tests.mjs'), '--results', resultsFile('integration')],
  { counts: () => readJson(resultsFile('integration')), timeoutMs: 15 * 60_000, skipReason: hostBlocker },
);
await stage(
  'UI tests (workbench)',
  process.execPath,
  [path.join(ROOT, 'scripts', 'run-ui-tests.mjs'), '--results', resultsFile('ui')],
  { counts: () => readJson(resultsFile('ui')), timeoutMs: 15 * 60_000, skipReason: hostBlocker },
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
  { counts: () => readJson(resultsFile('ui-zh-cn')), timeoutMs: 10 * 60_000, skipReason: hostBlocker },
);
current = undefined;
fs.rmSync(scratch, { recursive: true, force: true });

// ---- summary ------------------------------------------------------------------------------------
const rows = stages.map((s) => [
  s.ok ? 'ok' : 'FAILED',
  s.name,
  s.counted ? String(s.passed) : '',
  s.counted || s.failed ? String(s.failed) : '',
  s.counted ? String(s.pending) : '',
  `${(s.ms / 1000).toFixed(1)} s`,
  s.note,
]);
const header = ['', 'stage', 'passed', 'failed', 'pending', 'time', 'note'];
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
const failedStages = stages.filter((s) => !s.ok).map((s) => s.name);
if (failedStages.length) console.log(`failed stages: ${failedStages.join(', ')}`);
console.log(`total time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && failedStages.length === 0 ? 0 : 1);
