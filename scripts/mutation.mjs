#!/usr/bin/env node
// @ts-check
// `npm run mutation`: mutation testing of the guard modules (stryker.config.mjs), one Stryker run
// per module so that each run loads only the tests of its module, then the score table.
//
//   node scripts/mutation.mjs [name ...]     names as in GUARD_MODULES, by file stem: naming poller
//
// Each run writes reports/mutation/<stem>.json and .html; scripts/mutation-report.mjs then merges
// every reports/mutation/*.json into docs/mutation-scores.json. The wall-clock time of each run is
// printed and recorded in reports/mutation/times.json (the report copies it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUARD_MODULES } from '../stryker.config.mjs';
import { runSync } from './lib/process.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STRYKER = path.join(ROOT, 'node_modules', '.bin', 'stryker');
const TIMES = path.join(ROOT, 'reports', 'mutation', 'times.json');

const all = Object.keys(GUARD_MODULES);
const wanted = process.argv.slice(2);
const modules =
  wanted.length === 0
    ? all
    : wanted.map((name) => {
        const found = all.find((m) => path.basename(m, '.ts') === name || m === name);
        if (!found) {
          console.error(
            `Unknown module "${name}"; one of: ${all.map((m) => path.basename(m, '.ts')).join(', ')}`,
          );
          process.exit(2);
        }
        return found;
      });

/** @type {Record<string, number>} */
let times = {};
try {
  times = JSON.parse(fs.readFileSync(TIMES, 'utf8'));
} catch {
  times = {};
}

let failed = 0;
for (const module of modules) {
  console.log(`\n=== ${module} ===`);
  const started = Date.now();
  const run = runSync(STRYKER, ['run'], { cwd: ROOT, env: { ...process.env, MUTATION_MODULE: module } });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`=== ${module}: ${seconds} s, exit ${run.status ?? run.signal}`);
  if (run.status !== 0) failed++;
  else times[path.basename(module, '.ts')] = seconds;
  fs.mkdirSync(path.dirname(TIMES), { recursive: true });
  fs.writeFileSync(TIMES, `${JSON.stringify(times, null, 2)}\n`);
}

const report = runSync(process.execPath, [path.join(ROOT, 'scripts', 'mutation-report.mjs')], { cwd: ROOT });
process.exit(failed > 0 || report.status !== 0 ? 1 : 0);
