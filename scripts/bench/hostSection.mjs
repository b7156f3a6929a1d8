// @ts-check
// Sections 1 and 5 of the benchmark, inside a real VS Code (code-server + headless Chromium):
// activation time of the extension against an empty reference extension loaded in the same host
// run (the order alternates between runs), the requests activation makes (a tripwire is the
// endpoint), and with 1,000 tracked documents the cost of a poll round with its tree update and of
// a restore. The in-host half is out/test/bench/host/index.js.
import fs from 'node:fs';
import path from 'node:path';
import { exposeAutomationHooks, launchBrowser } from '../browser.mjs';
import { REPO_ROOT, startHost, tempDir } from '../host.mjs';
import { runSync } from '../lib/process.mjs';
import { MB, NOISE, figure, ratioWithin, seedBatches, stallFigures, writeNoise } from './lib.mjs';

const OURS_ID = 'mineru-community.mineru-document-parser';
const EMPTY_ID = 'mineru-bench.empty-reference';

/**
 * Ours as the host loads it, without `onStartupFinished` in its activation events: a folder with
 * a copy of package.json and links to everything else it ships. With that event VS Code often
 * starts activating MinerU before the in-host module times `ext.activate()`, which then joins an
 * activation already under way (or finds it done) and times nothing real. Same code, same bundles.
 */
function oursWithoutStartupActivation(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  manifest.activationEvents = (manifest.activationEvents ?? []).filter((e) => e !== 'onStartupFinished');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const name of fs.readdirSync(REPO_ROOT)) {
    if (
      ['dist', 'media', 'l10n', 'out', 'README.md', 'LICENSE'].includes(name) ||
      /^package\.nls.*\.json$/.test(name)
    )
      fs.symlinkSync(path.join(REPO_ROOT, name), path.join(dir, name));
  }
  return dir;
}

/** A throw-away extension that does nothing: the floor of activation in this host. */
function emptyExtension() {
  const dir = tempDir('mineru-bench-empty-');
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'empty-reference',
      publisher: 'mineru-bench',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      main: './extension.js',
      activationEvents: [],
    }),
  );
  fs.writeFileSync(path.join(dir, 'README.md'), 'Empty reference extension of the MinerU benchmark.\n');
  fs.writeFileSync(
    path.join(dir, 'extension.js'),
    "'use strict';\nexports.activate = function () { return {}; };\nexports.deactivate = function () {};\n",
  );
  // Installed into the host as a .vsix: the workbench payload takes one development extension.
  const vsix = path.join(dir, 'empty-reference.vsix');
  const res = runSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '-o',
      vsix,
    ],
    { cwd: dir, capture: true },
  );
  if (res.status !== 0) throw new Error(`could not package the empty extension:\n${res.stdout}${res.stderr}`);
  return vsix;
}

/**
 * @param {any} ctx
 * @param {{ runs: number, scale?: any, flow?: { uploadMb: number, zipMb: number }, log: (m: string) => void }} options
 */
export async function hostSection(ctx, { runs, scale, flow, log }) {
  const { startTripwire } = await import(path.join(REPO_ROOT, 'out', 'test', 'integration', 'tripwire.js'));
  const testsPath = path.join(REPO_ROOT, 'out', 'test', 'bench', 'host', 'index.js');
  const bundle = path.join(REPO_ROOT, 'dist', 'extension.js');
  const axiosBundle = path.join(REPO_ROOT, 'dist', 'axios.js');
  const laterBundle = path.join(REPO_ROOT, 'dist', 'later.js');
  const compositionBundle = path.join(REPO_ROOT, 'dist', 'composition.js');
  const emptyVsix = emptyExtension();
  /** @type {Record<string, any>} */
  const samples = {
    ours: [],
    empty: [],
    /** Runs whose activation was not timed (the extension was already active). */
    untimed: 0,
    /** Ours: from activate() until the composition root has run, and the stalls over that time. */
    ready: [],
    readyStalls: [],
    tripwire: [],
    round: [],
    treeItem: [],
    restore: [],
    rows: [],
    tasks: [],
    roundStalls: [],
    roundCpu: [],
    restoreStalls: [],
    /** @type {Record<string, any[]>} */
    flow: {},
    flowEnd: [],
  };

  for (let run = 0; run < runs; run++) {
    const scratch = tempDir('mineru-bench-host-');
    const tripwire = await startTripwire(path.join(scratch, 'tripwire.log'));
    // per-poll: every measured poll round moves each seeded task one step, so the rounds do the
    // same tree updates on every run whatever the machine's speed (timed progress would not).
    const fake = await ctx.startFakeMinerU({ progress: 'per-poll', pages: 100 });
    // The flow: a second fake, timed like the real service, whose result zips carry a padding entry.
    const flowFake =
      scale && flow ? await ctx.startFakeMinerU({ progress: 'timed', stepMs: 300, pages: 2 }) : undefined;
    let host;
    let browser;
    try {
      const batchIds = scale ? await seedBatches(fake, scale.batches, scale.perBatch) : [];
      let flowJob;
      if (flowFake && flow) {
        flowFake.faults.zipPadBytes = flow.zipMb * MB;
        const file = path.join(scratch, `flow-${flow.uploadMb}mb.pdf`);
        await writeNoise(file, flow.uploadMb * MB);
        flowJob = {
          apiBaseUrl: flowFake.apiBaseUrl,
          token: flowFake.token,
          file,
          outputDir: path.join(scratch, 'flow-results'),
        };
      }
      const order = run % 2 ? [EMPTY_ID, OURS_ID] : [OURS_ID, EMPTY_ID];
      const job = {
        outFile: path.join(scratch, 'result.json'),
        activate: order,
        tripwireLog: tripwire.logFile,
        ...(flowJob ? { flow: flowJob } : {}),
        ...(scale
          ? {
              scale: {
                extensionId: OURS_ID,
                apiBaseUrl: fake.apiBaseUrl,
                token: fake.token,
                batchIds,
                perBatch: scale.perBatch,
                outputDir: path.join(scratch, 'results'),
                rounds: scale.rounds,
                restores: scale.restores,
              },
            }
          : {}),
      };
      const jobFile = path.join(scratch, 'job.json');
      fs.writeFileSync(jobFile, JSON.stringify(job));
      const workspace = path.join(scratch, 'workspace');
      fs.mkdirSync(workspace);
      host = await startHost({
        label: 'code-server (bench)',
        env: { MINERU_BENCH_JOB: jobFile },
        userSettings: { 'mineru.apiBaseUrl': tripwire.url, 'mineru.agentBaseUrl': tripwire.url },
        installVsix: [emptyVsix],
      });
      browser = await launchBrowser();
      const { exited } = await exposeAutomationHooks(browser.page, () => undefined);
      // Ours as the development extension, the empty reference installed in the same host.
      const url = host.workbenchUrl({
        folder: workspace,
        extensionDevelopmentPath: oursWithoutStartupActivation(path.join(scratch, 'ours')),
        extensionTestsPath: testsPath,
      });
      await browser.page.goto(url, { timeout: 60_000 });
      let timer;
      const outcome = await Promise.race([
        exited,
        new Promise((resolve) => (timer = setTimeout(() => resolve({ code: 'timeout' }), 180_000))),
      ]);
      clearTimeout(timer);
      if (!fs.existsSync(job.outFile)) {
        throw new Error(`the in-host bench wrote no result (exit ${outcome.code})\n${host.logTail(20)}`);
      }
      const result = JSON.parse(fs.readFileSync(job.outFile, 'utf8'));
      if (result.error) throw new Error(`in-host bench: ${result.error}`);
      // MinerU also activates on onStartupFinished, which can come before the in-host module
      // times it: such a run times nothing (activate() of an active extension), so neither of its
      // two figures is kept; the section fails only if no run was timed.
      const early = result.activation.filter((a) => a.wasActive).map((a) => a.id);
      if (early.length === 0)
        for (const a of result.activation) {
          (a.id === OURS_ID ? samples.ours : samples.empty).push(a.ms);
          if (a.id === OURS_ID && a.readyMs !== undefined) {
            samples.ready.push(a.readyMs);
            samples.readyStalls.push(a.stalls);
          }
        }
      else {
        samples.untimed++;
        log(
          `host run ${run + 1}: ${early.join(', ')} already active before it was timed; activation not kept`,
        );
      }
      samples.tripwire.push(result.tripwireHits);
      if (result.scale) {
        samples.round.push(...result.scale.roundMs);
        samples.treeItem.push(...result.scale.treeItemMs);
        samples.restore.push(...result.scale.restoreMs);
        samples.rows.push(result.scale.rowsAfterRestore);
        samples.tasks.push(result.scale.tasks);
        samples.roundStalls.push(...result.scale.roundStalls);
        samples.roundCpu.push(...result.scale.roundCpuMs);
        samples.restoreStalls.push(...result.scale.restoreStalls);
      }
      if (result.flow) {
        samples.flowEnd.push(result.flow.state);
        for (const p of result.flow.phases) (samples.flow[p.phase] ??= []).push({ ms: p.ms, ...p.stalls });
      }
      log(
        `host run ${run + 1} (${order[0] === OURS_ID ? 'ours first' : 'empty first'}): ${early.length ? 'activation not timed' : `ours ${samples.ours.at(-1).toFixed(1)} ms, empty ${samples.empty.at(-1).toFixed(1)} ms`}, tripwire ${result.tripwireHits}` +
          (result.scale
            ? `, rounds ${result.scale.roundMs.map((x) => x.toFixed(0)).join('/')} ms (getTreeItem ${result.scale.treeItemMs.map((x) => x.toFixed(0)).join('/')}, first event after ${result.scale.firstEventMs.map((x) => x.toFixed(0)).join('/')})` +
              `, restores ${result.scale.restoreMs.map((x) => x.toFixed(0)).join('/')} ms` +
              `, longest stalls: rounds ${result.scale.roundStalls.map((x) => x.stallMaxMs.toFixed(0)).join('/')}, restores ${result.scale.restoreStalls.map((x) => x.stallMaxMs.toFixed(0)).join('/')} ms`
            : '') +
          (result.flow
            ? `; flow ${result.flow.state} in ${result.flow.ms.toFixed(0)} ms: ${result.flow.phases.map((p) => `${p.phase} ${p.ms.toFixed(0)} ms, stall ${p.stalls.stallMaxMs.toFixed(0)}`).join('; ')}`
            : ''),
      );
    } finally {
      await browser?.close();
      await host?.stop();
      await tripwire.close();
      await fake.close();
      await flowFake?.close();
    }
  }

  if (samples.ours.length === 0) throw new Error('no host run timed the activation (always already active)');
  const figures = [
    figure({
      section: 'activation',
      name: 'bundle dist/extension.js (production)',
      unit: 'KB',
      ours: fs.statSync(bundle).size / 1024,
      goal: 'info',
      note: 'loaded at activation: the stand-ins for the commands and tools; dist/composition.js loads on the next turns, dist/later.js and dist/axios.js on first use',
    }),
    figure({
      section: 'activation',
      name: 'bundle dist/composition.js (production)',
      unit: 'KB',
      ours: fs.existsSync(compositionBundle) ? fs.statSync(compositionBundle).size / 1024 : NaN,
      goal: 'info',
      note: 'the composition root: the tree, the store, the engine, the commands; loaded just after activation',
    }),
    figure({
      section: 'activation',
      name: 'bundle dist/later.js (production)',
      unit: 'KB',
      ours: fs.existsSync(laterBundle) ? fs.statSync(laterBundle).size / 1024 : NaN,
      goal: 'info',
      note: 'the client, the importer and zip code, the viewer, the checks, the merge: loaded on first use',
    }),
    figure({
      section: 'activation',
      name: 'bundle dist/axios.js (production)',
      unit: 'KB',
      ours: fs.existsSync(axiosBundle) ? fs.statSync(axiosBundle).size / 1024 : NaN,
      goal: 'info',
    }),
    figure({
      section: 'activation',
      name: 'activation time in code-server',
      unit: 'ms',
      ours: samples.ours,
      ref: samples.empty,
      refName: 'empty extension',
      goal: '≤ 1.5×',
      pass: ({ ratio }) => ratio <= 1.5,
      check: ratioWithin(1.5),
      note:
        'ext.activate() from the in-host module: module load + activate(), until its promise settles (what VS Code waits for); order alternates per run' +
        (samples.untimed ? `; ${samples.untimed} run(s) not timed (already active on startup)` : ''),
    }),
    figure({
      section: 'activation',
      name: 'activation until the composition root has run',
      unit: 'ms',
      ours: samples.ready.length ? samples.ready : [NaN],
      goal: 'info',
      note: 'from ext.activate() to the test handle’s ready: the view, status bar, watchers and restored tasks are up',
    }),
    ...(samples.readyStalls.length
      ? stallFigures(
          'activation',
          'host: activation until the composition root has run',
          samples.readyStalls,
          'monitorEventLoopDelay over activate() and the turns after it',
        )
      : []),
    figure({
      section: 'activation',
      name: 'requests made by activation',
      unit: 'req',
      ours: samples.tripwire,
      goal: '0',
      pass: ({ ours }) => ours.max === 0,
      note: 'connections to the tripwire set as apiBaseUrl/agentBaseUrl, 1.5 s after activation',
    }),
  ];
  if (scale) {
    const n = scale.batches * scale.perBatch;
    figures.push(
      figure({
        section: 'scale',
        name: `poll round + tree update, ${n} tasks`,
        unit: 'ms',
        ours: samples.round,
        goal: '< 30 ms (median)',
        pass: ({ ours }) => ours.median < 30,
        check: ({ ours }) => ours.median < 30 * NOISE.time,
        note: `${scale.batches} batch requests of ${scale.perBatch} per round, every row changed; extension-host side (VS Code debounces the view refresh on its side)`,
      }),
      figure({
        section: 'scale',
        name: `restore (api.restart()) until ${n} rows listed`,
        unit: 'ms',
        ours: samples.restore,
        goal: '< 1000 ms',
        pass: ({ ours }) => ours.median < 1000 && samples.rows.every((r) => r === n),
        note: `rows listed after restore: ${[...new Set(samples.rows)].join('/')}; dispose + activate over the same workspaceState + getChildren/getTreeItem of every row`,
      }),
      figure({
        section: 'scale',
        name: `poll round + tree update, ${n} tasks: extension host CPU`,
        unit: 'ms',
        ours: samples.roundCpu,
        goal: 'info',
        note: 'the extension host main thread’s own CPU time (Linux schedstat) from Refresh to the last tree event: the round’s work without the waits for the 5 HTTP answers and for a core',
      }),
      ...stallFigures(
        'scale',
        `host: poll round + tree update, ${n} tasks`,
        samples.roundStalls,
        'Refresh → last tree event + 400 ms settle (VS Code’s debounced view refresh, the memento write), in the extension host',
      ),
      ...stallFigures(
        'scale',
        `host: restore ${n} tasks`,
        samples.restoreStalls,
        'api.restart() + every row resolved + 400 ms settle',
      ),
    );
  }
  if (scale && flow) {
    const label = {
      upload: `upload ${flow.uploadMb} MB`,
      parse: 'polling',
      import: `import ${flow.zipMb} MB zip`,
    };
    for (const phase of ['upload', 'parse', 'import']) {
      const list = samples.flow[phase] ?? [];
      if (list.length === 0) continue;
      figures.push(
        ...stallFigures(
          'flow',
          `host flow: ${label[phase]}`,
          list,
          `phase time ${list.map((x) => Math.round(x.ms)).join('/')} ms; flow ended ${[...new Set(samples.flowEnd)].join('/')}`,
        ),
      );
    }
  }
  return { figures, raw: samples };
}
