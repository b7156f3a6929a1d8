#!/usr/bin/env node
// @ts-check
// npm run bench: speed, memory and request cost of the extension side by side with references
// measured in the same run (an empty extension, the official mineru-open-api CLI, curl, unzip),
// against the fake MinerU service on loopback. Prints a table and writes bench/results.json.
//
//   node scripts/bench.mjs [--quick] [--runs N] [--only activation,polling,import,upload,scale,matcher,selfhosted,merge,split]
//        (scale = in the host and in plain Node; scale-node = the plain-Node half alone)
//        [--import-mb 5,50,300] [--upload-mb 10,150] [--poll-docs 1,10,200] [--host-runs N]
//        [--no-build] [--check]
//
// Every figure is the median of several runs with min and max; ratios compare against the
// reference measured in the same run, because absolute times drift on a shared machine.
// --check: exit 1 when a goal is missed by more than the noise allowance (NOISE in
// scripts/bench/lib.mjs; BENCHMARKS.md "Regression check"). Not part of npm test.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, runCleanups } from './host.mjs';
import { hostSection } from './bench/hostSection.mjs';
import { ensureTools, machine, table } from './bench/lib.mjs';
import { runSync } from './lib/process.mjs';
import { mergeSection } from './bench/mergeSection.mjs';
import { selfHostedSection } from './bench/selfHostedSection.mjs';
import { splitSection } from './bench/splitSection.mjs';
import {
  importSection,
  matcherSection,
  pollingSection,
  scaleNodeSection,
  sectionContext,
  uploadSection,
} from './bench/sections.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    'import-mb': { type: 'string' },
    'upload-mb': { type: 'string' },
    'poll-docs': { type: 'string' },
    'host-runs': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
  },
});
const list = (s) =>
  s
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((x) => x > 0);
const quick = opts.quick;
const runs = Number(opts.runs ?? (quick ? 2 : 3));
const config = {
  runs,
  hostRuns: Number(opts['host-runs'] ?? (quick ? 2 : 5)),
  pollDocs: list(opts['poll-docs'] ?? (quick ? '1,10' : '1,10,200')),
  importMb: list(opts['import-mb'] ?? (quick ? '5,50' : '5,50,300')),
  uploadMb: list(opts['upload-mb'] ?? '10,150'),
  // The fake moves every document one step every 500 ms (5 pages: about 4 s to done).
  poll: { stepMs: 500, pages: 5 },
  // The in-host flow before the scale part: one local file uploaded, parsed and its zip imported.
  flow: { uploadMb: 150, zipMb: quick ? 50 : 300 },
  scale: { batches: 5, perBatch: 200, rounds: quick ? 4 : 8, restores: quick ? 3 : 5 },
};
const sections = new Set(
  (opts.only ?? 'activation,polling,import,upload,scale,matcher,selfhosted,merge,split')
    .split(',')
    .map((s) => s.trim()),
);
const log = (m) => console.log(`[bench] ${m}`);

function run(cmd, args) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const res = runSync(cmd, args, { cwd: REPO_ROOT });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})`);
}

async function main() {
  const started = Date.now();
  ensureTools();
  const needHost = sections.has('activation') || sections.has('scale');
  if (!opts['no-build']) {
    run('npx', ['tsc', '-p', '.']);
    run('node', ['esbuild.js', '--production']);
  }
  if (
    needHost &&
    !fs.existsSync(path.join(REPO_ROOT, '.cache', 'vscode-host', 'node_modules', '.bin', 'code-server'))
  ) {
    run('bash', ['scripts/install-host.sh']);
  }
  const ctx = sectionContext(REPO_ROOT);
  const results = { machine: machine(), startedAt: new Date(started).toISOString(), config, sections: {} };
  const figures = [];
  const add = (name, section) => {
    results.sections[name] = section;
    figures.push(...section.figures);
  };

  if (needHost) {
    log(
      `activation${sections.has('scale') ? ' + flow + scale' : ''} in code-server, ${config.hostRuns} host runs`,
    );
    add(
      'host',
      await hostSection(ctx, {
        runs: config.hostRuns,
        scale: sections.has('scale') ? config.scale : undefined,
        flow: config.flow,
        log,
      }),
    );
  }
  if (sections.has('polling')) {
    log(`polling cost: ${config.pollDocs.join(', ')} documents, ${runs} runs`);
    add(
      'polling',
      await pollingSection(ctx, {
        counts: config.pollDocs,
        runs,
        ...config.poll,
        batchLimit: batchLimitDefault(),
        log,
      }),
    );
  }
  if (sections.has('import')) {
    log(`result import: ${config.importMb.join(', ')} MB, ${runs} runs`);
    add('import', await importSection(ctx, { sizesMb: config.importMb, runs, log }));
  }
  if (sections.has('upload')) {
    log(`upload: ${config.uploadMb.join(', ')} MB, ${runs} runs`);
    add('upload', await uploadSection(ctx, { sizesMb: config.uploadMb, runs, log }));
  }
  if (sections.has('selfhosted')) {
    log(`self-hosted: requests per document and a ${config.flow.uploadMb} MB upload, ${runs} runs`);
    add('selfHosted', await selfHostedSection(ctx, { runs, uploadMb: 150, ...config.poll, log }));
  }
  if (sections.has('merge')) {
    log(`merge of a document parsed in parts: 5 × 200 pages, 2000 images, ${runs} runs`);
    add('merge', await mergeSection(ctx, { runs, log }));
  }
  if (sections.has('split')) {
    log(`splitting: a 1000-page 300 MB PDF, limits 600 pages / 200 MB, ${runs} runs`);
    add('split', await splitSection(ctx, { runs, log }));
  }
  if (sections.has('matcher')) {
    log(`block matcher: 50000 blocks, ${runs} runs`);
    add('matcher', await matcherSection(ctx, { blocks: 50_000, runs, log }));
  }

  if (sections.has('scale') || sections.has('scale-node')) {
    const { batches, perBatch } = config.scale;
    log(`scale in plain Node: ${batches * perBatch} tasks, ${runs} runs`);
    add('scaleNode', await scaleNodeSection(ctx, { ...config.scale, runs, log }));
  }

  results.durationS = Math.round((Date.now() - started) / 1000);
  results.figures = figures;
  const outDir = path.join(REPO_ROOT, 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine;
  console.log(
    `\nMachine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load ${m.loadAvg.join(' ')}`,
  );
  console.log(`Runs: ${runs} per figure (host: ${config.hostRuns}), ${results.durationS} s in all\n`);
  console.log(table(figures));
  for (const f of figures.filter((x) => x.note)) console.log(`  - ${f.name}: ${f.note}`);
  const missed = figures.filter((f) => f.verdict === 'MISS');
  console.log(
    `\n${figures.filter((f) => f.verdict === 'pass').length} goals met, ${missed.length} missed. Written to bench/results.json.`,
  );
  if (!opts.check) return 0;
  const failed = figures.filter((f) => f.checked === 'MISS');
  const noise = missed.length - failed.length;
  if (failed.length === 0) {
    console.log(
      `[bench] check passed: no goal missed by more than the noise allowance (${noise} within it).`,
    );
    return 0;
  }
  console.log(`[bench] check FAILED: ${failed.length} goal(s) missed by more than the noise allowance:`);
  for (const f of failed) console.log(`  - ${f.name}: goal ${f.goal}`);
  return 1;
}

/** The extension's default batch size (mineru.batchLimit), as a user gets it. */
function batchLimitDefault() {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  return pkg.contributes.configuration.properties['mineru.batchLimit'].default;
}

try {
  const code = await main();
  await runCleanups();
  process.exit(code);
} catch (error) {
  console.error(`[bench] ERROR: ${error instanceof Error ? error.stack : String(error)}`);
  await runCleanups();
  process.exit(1);
}
