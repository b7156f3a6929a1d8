// @ts-check
// Helpers of the benchmark (scripts/bench.mjs): statistics, measured child processes (wall time
// and peak RSS through /usr/bin/time), the fake's HTTP API, and the result table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runCommand, runSync } from '../lib/process.mjs';

export const TIME_BIN = '/usr/bin/time';

/** { median, min, max, n } of a list of numbers (NaN-free). */
export function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** Makes sure curl, unzip and GNU time are there (apt-get install when missing and possible). */
export function ensureTools() {
  const missing = [];
  if (!which('curl')) missing.push('curl');
  if (!which('unzip')) missing.push('unzip');
  if (!fs.existsSync(TIME_BIN)) missing.push('time');
  if (missing.length === 0) return;
  console.log(`[bench] installing ${missing.join(', ')} with apt-get`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args) =>
    runSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1));
  run(['apt-get', 'update', '-qq']);
  const res = run(['apt-get', 'install', '-y', '-qq', ...missing]);
  if (res.status !== 0)
    throw new Error(`could not install ${missing.join(', ')}; install them and run again`);
}

function which(cmd) {
  return runSync('sh', ['-c', `command -v ${cmd}`], { capture: true }).status === 0;
}

/**
 * Runs a command under /usr/bin/time (asynchronously: the fake lives in this process and must keep
 * serving). Resolves { wallMs, peakKb, code, stdout, stderr, endedAt }.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, timeoutMs?: number }} [options]
 */
export async function measure(cmd, args, { env, cwd, timeoutMs = 600_000 } = {}) {
  const timeFile = path.join(
    os.tmpdir(),
    `mineru-bench-time-${process.pid}-${Math.random().toString(16).slice(2)}`,
  );
  const started = process.hrtime.bigint();
  const res = await runCommand(TIME_BIN, ['-f', '%M', '-o', timeFile, cmd, ...args], {
    env: env ?? process.env,
    cwd,
    capture: true,
    timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (res.error) throw res.error;
  const endedAt = Date.now();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let peakKb = NaN;
  try {
    const text = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
    peakKb = Number(text[text.length - 1]);
  } catch {
    // no figure
  }
  fs.rmSync(timeFile, { force: true });
  // A signal (the time limit) leaves no exit code: null, as before.
  return {
    wallMs,
    peakKb,
    code: res.signal ? null : res.code,
    stdout: res.stdout,
    stderr: res.stderr,
    endedAt,
  };
}

/** Throws with the output when a measured command failed. */
export function check(result, what) {
  if (result.code !== 0) {
    throw new Error(
      `${what} failed (exit ${result.code}):\n${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}

/** The last JSON line a driver printed. */
export function driverJson(result, what) {
  check(result, what);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line);
}

/** POST/GET against the fake's API with its token. */
export async function api(fake, method, route, body) {
  const res = await fetch(`${fake.apiBaseUrl}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${fake.token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json();
  if (json.code !== 0) throw new Error(`${method} ${route}: ${JSON.stringify(json).slice(0, 300)}`);
  return json.data;
}

/** Batches the fake knows, moved one step (to running) so that every later poll shows progress. */
export async function seedBatches(fake, batches, perBatch) {
  /** @type {string[]} */
  const ids = [];
  for (let b = 0; b < batches; b++) {
    const files = Array.from({ length: perBatch }, (_, i) => ({
      url: `https://example.com/bench/doc-${b}-${i}.pdf`,
    }));
    const data = await api(fake, 'POST', '/extract/task/batch', { files });
    ids.push(data.batch_id);
    await api(fake, 'GET', `/extract-results/batch/${data.batch_id}`);
  }
  return ids;
}

/** Writes `bytes` incompressible bytes (a repeated random block) to `file`, without holding them. */
export async function writeNoise(file, bytes) {
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const out = fs.createWriteStream(file);
  let left = bytes;
  while (left > 0) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    left -= piece.length;
    if (!out.write(piece)) await /** @type {Promise<void>} */ (new Promise((r) => out.once('drain', r)));
  }
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
  );
}

export const MB = 1_048_576;

/**
 * The noise allowance of `--check` (scripts/bench.mjs): how far a figure may miss its goal before
 * the check fails. Measured on the project's 2-core shared machine: the references' own runs
 * spread by 10–30 % within one run, and a busy machine (load above the core count) adds 10–40 ms
 * of waiting for a core to single event-loop gaps while the main thread's own CPU time stays put.
 * - ratio: a ratio of medians may exceed its goal by 25 % (1.2× fails above 1.5×).
 * - time: an absolute time goal (median) may be exceeded by 25 %.
 * - stallMs: the median over runs of the longest stall may exceed 50 ms by 25 ms; its on-CPU part
 *   (Linux), where measured, has no allowance.
 * - memory: a memory goal may be exceeded by 10 %.
 * Request counts have none: they do not depend on the machine.
 */
export const NOISE = { ratio: 1.25, time: 1.25, stallMs: 25, memory: 1.1 };

/** A figure: ours vs a reference, a goal and a verdict. */
/**
 * `pass` is the goal as written (the verdict); `check` is the goal with the noise allowance (what
 * `--check` fails on), `pass` itself when absent. `ratio: false` shows the reference without a ratio.
 * @param {{ section: string, name: string, unit: string, ours: number | number[], ref?: number | number[], refName?: string, goal?: string, pass?: (s: { ours: any, ref: any, ratio: any }) => boolean, check?: (s: { ours: any, ref: any, ratio: any }) => boolean, ratio?: boolean, note?: string }} f
 */
export function figure({
  section,
  name,
  unit,
  ours,
  ref,
  refName,
  goal,
  pass,
  check,
  ratio: showRatio,
  note,
}) {
  const o = stats(Array.isArray(ours) ? ours : [ours]);
  const r = ref === undefined ? undefined : stats(Array.isArray(ref) ? ref : [ref]);
  const ratio = showRatio !== false && r && r.median > 0 ? o.median / r.median : undefined;
  const s = { ours: o, ref: r, ratio };
  const verdict = pass === undefined ? 'info' : pass(s) ? 'pass' : 'MISS';
  const checked = pass === undefined ? 'info' : (check ?? pass)(s) ? 'pass' : 'MISS';
  return {
    section,
    name,
    unit,
    ours: o,
    ...(r ? { ref: { name: refName, ...r } } : {}),
    ratio,
    goal,
    verdict,
    checked,
    ...(note ? { note } : {}),
  };
}

/** `check` of a ratio goal: the ratio of medians within the goal plus the noise allowance. */
export const ratioWithin =
  (goal) =>
  ({ ratio }) =>
    ratio <= goal * NOISE.ratio;

/**
 * The stall figures of one measured stretch, from the runs' { stallMaxMs, stallP99Ms,
 * stallCpuMaxMs }: the longest stall (p99 beside it) and, where measured, its on-CPU part.
 * Goal: ≤ 50 ms in every run; --check: the median run within 50 ms + NOISE.stallMs, and the
 * on-CPU part's median within 50 ms.
 * @param {string} section
 * @param {string} what
 * @param {{ stallMaxMs: number, stallP99Ms: number, stallCpuMaxMs?: number | null }[]} runs
 * @param {string} [note]
 */
export function stallFigures(section, what, runs, note) {
  const cpu = runs.map((r) => r.stallCpuMaxMs ?? NaN).filter((x) => Number.isFinite(x));
  const cpuOk = cpu.length === 0 || stats(cpu).median <= 50;
  const out = [
    figure({
      section,
      name: `${what}: event-loop stall`,
      unit: 'ms',
      ours: runs.map((r) => r.stallMaxMs),
      ref: runs.map((r) => r.stallP99Ms),
      refName: 'p99',
      ratio: false,
      goal: '≤ 50 ms (longest)',
      pass: ({ ours }) => ours.max <= 50,
      check: ({ ours }) => ours.median <= 50 + NOISE.stallMs && cpuOk,
      note: `longest stall per run ${runs.map((r) => Math.round(r.stallMaxMs)).join('/')} ms; p99 ${runs.map((r) => r.stallP99Ms.toFixed(1)).join('/')} ms${note ? `; ${note}` : ''}`,
    }),
  ];
  if (cpu.length > 0)
    out.push(
      figure({
        section,
        name: `${what}: event-loop stall, on-CPU part`,
        unit: 'ms',
        ours: cpu,
        goal: '≤ 50 ms (longest)',
        pass: ({ ours }) => ours.max <= 50,
        check: ({ ours }) => ours.median <= 50,
        note: 'the main thread’s own CPU time between two 1 ms ticks (Linux schedstat): the stall without the waits for a core of a busy machine',
      }),
    );
  return out;
}

function fmt(x, unit) {
  if (!Number.isFinite(x)) return '—';
  const digits = Math.abs(x) >= 100 || Number.isInteger(x) ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function cell(s, unit) {
  if (!s) return '—';
  if (s.n <= 1 || s.min === s.max) return fmt(s.median, unit);
  return `${fmt(s.median, unit)} [${fmt(s.min, '')}–${fmt(s.max, '')}]`;
}

/** Markdown table of the figures (also readable in a terminal). */
export function table(figures) {
  const head = [
    'Figure',
    'Ours: median [min–max]',
    'Reference: median [min–max]',
    'Ratio',
    'Goal',
    'Verdict',
  ];
  const rows = figures.map((f) => [
    f.name,
    cell(f.ours, f.unit),
    f.ref ? `${f.ref.name}: ${cell(f.ref, f.unit)}` : '—',
    f.ratio === undefined || !Number.isFinite(f.ratio) ? '—' : `${f.ratio.toFixed(2)}×`,
    f.goal ?? '—',
    f.verdict === 'MISS' && f.checked === 'pass' ? 'MISS (within noise)' : f.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** nproc, memory, CPU model, node version, OS. */
export function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
