#!/usr/bin/env node
// @ts-check
// Turns StrykerJS JSON reports (reports/mutation/*.json, written by `npm run mutation`) into
// docs/mutation-scores.json, the per-module score table that RELIABILITY.md quotes.
//
//   node scripts/mutation-report.mjs [report.json ...]     default: every reports/mutation/*.json
//
// When a module is in several reports, the newest report wins. Survivors' justifications are
// written by hand in docs/mutation-scores.json and kept when the file is regenerated (matched by
// module, mutator, original text and replacement, not by line). A survivor without one is printed,
// and the exit code is 1, so that no survivor goes unexplained.
//
// Schema of docs/mutation-scores.json (all counts are mutants):
//   {
//     "tool": "StrykerJS 9.x.y",
//     "generated": "2026-12-02T01:00:00.000Z",     // when this file was written
//     "score": "(killed + timeout) / (killed + timeout + survived + noCoverage), in %, 1 decimal",
//     "modules": [{
//       "module": "src/core/results/naming.ts",
//       "mutants": 176,        // every mutant Stryker made, whatever its status
//       "killed": 150,         // a test failed
//       "survived": 0,         // the covering tests all passed
//       "noCoverage": 0,       // no test reaches the code
//       "timeout": 6,          // the tests hung (counts as detected)
//       "errors": 0,           // compile or runtime errors and ignored mutants (not in the score)
//       "score": 100,          // see "score" above; null when nothing was scored
//       "seconds": 60,         // wall-clock time of the module's own Stryker run, null if unknown
//       "reportDate": "..."    // when the Stryker report it comes from was written
//     }],
//     "total": { ...the same counts summed, "score", "seconds" },
//     "survivors": [{
//       "module": "src/core/results/naming.ts", "line": 61, "column": 7,
//       "mutator": "EqualityOperator", "status": "Survived" | "NoCoverage",
//       "original": "n < 100_000", "replacement": "n <= 100_000",
//       "justification": "one line: why this mutant is harmless (equivalent, log text, ...)"
//     }]
//   }
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORTS = path.join(ROOT, 'reports', 'mutation');
const OUT = path.join(ROOT, 'docs', 'mutation-scores.json');
const TIMES = path.join(REPORTS, 'times.json');

/**
 * @typedef {{ line: number, column: number }} Position
 * @typedef {{ id: string, mutatorName: string, replacement?: string, status: string,
 *   location: { start: Position, end: Position } }} StrykerMutant
 * @typedef {{ source: string, mutants: StrykerMutant[] }} StrykerFile
 * @typedef {{ files: Record<string, StrykerFile>, framework?: { name?: string, version?: string } }} StrykerReport
 * @typedef {{ mutants: number, killed: number, survived: number, noCoverage: number, timeout: number,
 *   errors: number, score: number | null, seconds: number | null }} Counts
 * @typedef {Counts & { module: string, reportDate: string }} ModuleRow
 * @typedef {{ module: string, line: number, column: number, mutator: string, status: string,
 *   original: string, replacement: string, justification: string }} Survivor
 */

/** @param {string} file @returns {unknown} */
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The source text a mutant replaces (Stryker's lines and columns are both 1-based). */
function originalText(/** @type {string} */ source, /** @type {StrykerMutant['location']} */ loc) {
  const lines = source.split('\n');
  const { start, end } = loc;
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const parts = [(lines[start.line - 1] ?? '').slice(start.column - 1)];
  for (let l = start.line; l < end.line - 1; l++) parts.push(lines[l] ?? '');
  parts.push((lines[end.line - 1] ?? '').slice(0, end.column - 1));
  return parts.join('\n');
}

/** One line, at most 160 characters: enough to recognise the mutant in the source. */
function short(/** @type {string} */ text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

/** @param {Survivor} s */
const keyOf = (s) => [s.module, s.mutator, s.original, s.replacement].join('\u0000');

/** @param {number} killed @param {number} timeout @param {number} survived @param {number} noCoverage */
function score(killed, timeout, survived, noCoverage) {
  const valid = killed + timeout + survived + noCoverage;
  return valid === 0 ? null : Math.round(((killed + timeout) / valid) * 1000) / 10;
}

const given = process.argv.slice(2);
const reportFiles = (
  given.length > 0
    ? given.map((f) => path.resolve(f))
    : fs.existsSync(REPORTS)
      ? fs
          .readdirSync(REPORTS)
          .filter((f) => f.endsWith('.json') && f !== 'times.json')
          .map((f) => path.join(REPORTS, f))
      : []
).sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
if (reportFiles.length === 0) {
  console.error('No Stryker report found; run `npm run mutation` first.');
  process.exit(2);
}

/** @type {Record<string, number>} */
const times = fs.existsSync(TIMES) ? /** @type {Record<string, number>} */ (readJson(TIMES)) : {};
/** @type {Map<string, string>} */
const kept = new Map();
if (fs.existsSync(OUT)) {
  const previous = /** @type {{ survivors?: Survivor[] }} */ (readJson(OUT));
  for (const s of previous.survivors ?? []) if (s.justification) kept.set(keyOf(s), s.justification);
}

/** @type {Map<string, { row: ModuleRow, survivors: Survivor[] }>} */
const byModule = new Map();
let tool = 'StrykerJS';
for (const file of reportFiles) {
  const report = /** @type {StrykerReport} */ (readJson(file));
  if (report.framework?.version) tool = `StrykerJS ${report.framework.version}`;
  const reportDate = fs.statSync(file).mtime.toISOString();
  for (const [name, data] of Object.entries(report.files)) {
    const module = path.relative(ROOT, path.resolve(ROOT, name)).split(path.sep).join('/');
    /** @type {Record<string, number>} */
    const n = {};
    /** @type {Survivor[]} */
    const survivors = [];
    for (const m of data.mutants) {
      n[m.status] = (n[m.status] ?? 0) + 1;
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      /** @type {Survivor} */
      const s = {
        module,
        line: m.location.start.line,
        column: m.location.start.column,
        mutator: m.mutatorName,
        status: m.status,
        original: short(originalText(data.source, m.location)),
        replacement: short(m.replacement ?? ''),
        justification: '',
      };
      s.justification = kept.get(keyOf(s)) ?? '';
      survivors.push(s);
    }
    const killed = n.Killed ?? 0;
    const timeout = n.Timeout ?? 0;
    const survived = n.Survived ?? 0;
    const noCoverage = n.NoCoverage ?? 0;
    const seconds = times[path.basename(module, '.ts')];
    byModule.set(module, {
      row: {
        module,
        mutants: data.mutants.length,
        killed,
        survived,
        noCoverage,
        timeout,
        errors: data.mutants.length - killed - timeout - survived - noCoverage,
        score: score(killed, timeout, survived, noCoverage),
        seconds: seconds ?? null,
        reportDate,
      },
      survivors: survivors.sort((a, b) => a.line - b.line || a.column - b.column),
    });
  }
}

const entries = [...byModule.values()].sort((a, b) => a.row.module.localeCompare(b.row.module));
const modules = entries.map((e) => e.row);
/** @param {'mutants' | 'killed' | 'survived' | 'noCoverage' | 'timeout' | 'errors'} k */
const sum = (k) => modules.reduce((acc, r) => acc + r[k], 0);
const allTimed = modules.every((r) => r.seconds !== null);
/** @type {Counts} */
const total = {
  mutants: sum('mutants'),
  killed: sum('killed'),
  survived: sum('survived'),
  noCoverage: sum('noCoverage'),
  timeout: sum('timeout'),
  errors: sum('errors'),
  score: score(sum('killed'), sum('timeout'), sum('survived'), sum('noCoverage')),
  seconds: allTimed ? modules.reduce((acc, r) => acc + (r.seconds ?? 0), 0) : null,
};
const survivors = entries.flatMap((e) => e.survivors);
const doc = {
  tool,
  generated: new Date().toISOString(),
  score: '(killed + timeout) / (killed + timeout + survived + noCoverage), in %, 1 decimal',
  modules,
  total,
  survivors,
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, `${JSON.stringify(doc, null, 2)}\n`);

const pad = (/** @type {unknown} */ v, /** @type {number} */ w) => String(v).padStart(w);
console.log(`module${' '.repeat(34)}mutants killed timeout survived nocov  score     s`);
for (const r of [...modules, { ...total, module: 'total' }]) {
  console.log(
    `${r.module.padEnd(40)}${pad(r.mutants, 7)}${pad(r.killed, 7)}${pad(r.timeout, 8)}${pad(r.survived, 9)}` +
      `${pad(r.noCoverage, 6)}${pad(r.score ?? '-', 7)}${pad(r.seconds ?? '-', 6)}`,
  );
}
const unexplained = survivors.filter((s) => !s.justification);
console.log(`\n${survivors.length} surviving mutants, ${unexplained.length} without a justification.`);
for (const s of unexplained) {
  console.log(`  ${s.module}:${s.line}:${s.column} ${s.mutator}: ${s.original} → ${s.replacement}`);
}
console.log(`Wrote ${path.relative(ROOT, OUT)}.`);
process.exit(unexplained.length > 0 ? 1 : 0);
