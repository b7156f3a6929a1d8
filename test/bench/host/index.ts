/**
 * The in-host half of the benchmark (extensionTestsPath of a code-server workbench, started by
 * scripts/bench.mjs): VS Code requires this module and awaits run(). It reads its job from the JSON
 * file named by $MINERU_BENCH_JOB and writes its measurements to the file named there.
 *
 * 1. Activation: activates the extensions of `job.activate` in that order (ours and an empty
 *    reference extension, both loaded as development extensions) and times each activate() — module
 *    loading plus the activate call — then counts the connections the tripwire received.
 * 2. Scale: seeds the task store with `perBatch × batchIds.length` tracked documents of batches the
 *    fake knows, opens the view, then times poll rounds (Refresh → the last batch's tree event, with
 *    every changed row resolved by getTreeItem as the tree would) and restores (api.restart(), the
 *    reload path of activate(), until getChildren lists every row and each row is resolved).
 * 3. Flow (before the scale part): one local file submitted through the engine against a second fake
 *    (timed progress, a padded result zip): upload, polling, import, to `done`.
 *
 * Every stretch (each round and restore with a settle after it, each phase of the flow) is watched
 * for event-loop stalls of this extension host (watchStalls in ../common.ts), so the figures
 * include VS Code's own work for this extension (its tree view resolving the changed rows, the
 * memento write) and everything the extension runs on the host's loop.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { MinerUTestApi, MinerUTestHandle } from '../../../src/extension';
import type { TaskState } from '../../../src/core/tasks/task';
import type { TreeNode } from '../../../src/vscode/taskTree';
import { readTripwireHits } from '../../integration/tripwire';
import { mainThreadCpuMs, watchStalls, type StallFigures } from '../common';
import { seedRecords } from '../scaleSeed';

export const ENV_BENCH_JOB = 'MINERU_BENCH_JOB';

export interface HostBenchJob {
  outFile: string;
  /** Extension ids, activated one after the other in this order. */
  activate: string[];
  tripwireLog: string;
  flow?: {
    apiBaseUrl: string;
    token: string;
    file: string;
    outputDir: string;
  };
  scale?: {
    extensionId: string;
    apiBaseUrl: string;
    token: string;
    batchIds: string[];
    perBatch: number;
    outputDir: string;
    rounds: number;
    restores: number;
  };
}

export interface HostBenchResult {
  /**
   * ms: until activate() settled (what VS Code and the extensions activating with it wait for);
   * readyMs: until the handle's `ready` (ours: the composition root has run), with the longest
   * stall of the event loop over that time.
   */
  activation: { id: string; ms: number; wasActive: boolean; readyMs?: number; stalls?: StallFigures }[];
  tripwireHits: number;
  scale?: {
    tasks: number;
    roundMs: number[];
    /** Of each round: the time spent resolving changed rows (getTreeItem), and until the first tree event. */
    treeItemMs: number[];
    firstEventMs: number[];
    restoreMs: number[];
    rowsAfterRestore: number;
    roundStalls: StallFigures[];
    /** Of each round: the extension host main thread's CPU time from Refresh to the last tree event. */
    roundCpuMs: number[];
    restoreStalls: StallFigures[];
  };
  /** The flow's phases in the order seen, each with its stalls; and how the task ended. */
  flow?: { phases: { phase: string; ms: number; stalls: StallFigures }[]; state: TaskState; ms: number };
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function activation(job: HostBenchJob, result: HostBenchResult): Promise<void> {
  for (const id of job.activate) {
    const ext = vscode.extensions.getExtension(id);
    if (!ext) throw new Error(`extension ${id} is not loaded`);
    const wasActive = ext.isActive;
    const watch = watchStalls();
    const t0 = performance.now();
    const exported: unknown = await ext.activate();
    const ms = performance.now() - t0;
    // Ours goes on composing for a few turns after activate(): waited for here, so that its work
    // does not land in the next extension's timing.
    const ready = (exported as Partial<MinerUTestHandle> | undefined)?.ready;
    if (ready) await ready;
    const readyMs = ready ? performance.now() - t0 : undefined;
    result.activation.push({ id, ms, wasActive, readyMs, stalls: watch.stop() });
  }
  // Anything an activation started in the background has had time to connect.
  await sleep(1500);
  result.tripwireHits = readTripwireHits(job.tripwireLog).length;
}

/** Resolves every row the way the tree view does when it (re)renders: getChildren, then getTreeItem. */
function resolveAll(api: MinerUTestApi): number {
  let rows = 0;
  const visit = (node?: TreeNode): void => {
    for (const child of api.tree.getChildren(node)) {
      api.tree.getTreeItem(child);
      if (child.kind === 'task') rows++;
      else visit(child);
    }
  };
  visit();
  return rows;
}

/** VS Code's tree refresh is debounced (~200 ms) after an event; the memento write follows 100 ms later. */
const SETTLE_MS = 400;

async function ourApi(extensionId: string): Promise<MinerUTestApi> {
  const ext = vscode.extensions.getExtension<MinerUTestHandle | undefined>(extensionId);
  if (!ext) throw new Error(`extension ${extensionId} is not loaded`);
  const activated = await ext.activate();
  if (!activated) throw new Error('the extension returned no test API: is it running in a test host?');
  return activated.ready;
}

const PHASE: Record<TaskState, string> = {
  submitting: 'upload',
  uploading: 'upload',
  'waiting-file': 'parse',
  pending: 'parse',
  running: 'parse',
  converting: 'parse',
  importing: 'import',
  done: 'done',
  failed: 'done',
};

/** One local file through the whole flow, each phase watched for stalls. */
async function flowBench(job: HostBenchJob, extensionId: string, result: HostBenchResult): Promise<void> {
  const flow = job.flow!;
  const config = vscode.workspace.getConfiguration('mineru');
  await config.update('apiBaseUrl', flow.apiBaseUrl, vscode.ConfigurationTarget.Global);
  const api = await ourApi(extensionId);
  await api.setToken(flow.token);
  const phases: { phase: string; ms: number; stalls: StallFigures }[] = [];
  let phase = 'upload';
  let watch = watchStalls();
  let since = performance.now();
  const t0 = since;
  const next = (to: string): void => {
    const now = performance.now();
    phases.push({ phase, ms: now - since, stalls: watch.stop() });
    phase = to;
    since = now;
    watch = watchStalls();
  };
  const ours: { taskId?: string } = {};
  const ended = new Promise<TaskState>((resolve) => {
    const sub = api.store.onDidChange((e) => {
      for (const t of e.changed) {
        if (ours.taskId !== undefined && t.id !== ours.taskId) continue;
        const to = PHASE[t.state];
        if (to !== phase) next(to);
        if (to === 'done') {
          sub.dispose();
          resolve(t.state);
        }
      }
    });
  });
  const size = fs.statSync(flow.file).size;
  const [task] = await api.engine.submitFiles([{ path: flow.file, size }], {
    outputDir: flow.outputDir,
    options: {},
    mode: 'precise',
  });
  if (task) ours.taskId = task.id;
  const state = await Promise.race([ended, sleep(120_000).then(() => undefined)]);
  if (!state) throw new Error(`the flow did not end within 120 s (phase ${phase})`);
  watch.stop();
  result.flow = { phases, state, ms: performance.now() - t0 };
  if (ours.taskId) await api.engine.remove([ours.taskId]);
}

async function scaleBench(job: HostBenchJob, result: HostBenchResult): Promise<void> {
  const scale = job.scale!;
  const config = vscode.workspace.getConfiguration('mineru');
  await config.update('apiBaseUrl', scale.apiBaseUrl, vscode.ConfigurationTarget.Global);
  let api = await ourApi(scale.extensionId);
  await api.setToken(scale.token);
  await api.store.add(seedRecords(scale.batchIds, scale.perBatch, scale.outputDir));
  // The view is shown, as a user following 1,000 documents would have it.
  await vscode.commands.executeCommand('workbench.view.extension.mineru').then(undefined, () => undefined);
  await sleep(500);

  const roundMs: number[] = [];
  const treeItemMs: number[] = [];
  const firstEventMs: number[] = [];
  const roundStalls: StallFigures[] = [];
  const roundCpuMs: number[] = [];
  for (let i = 0; i < scale.rounds; i++) {
    const events = scale.batchIds.length;
    let itemMs = 0;
    let first = NaN;
    let cpu1 = NaN;
    const done = new Promise<number>((resolve) => {
      let seen = 0;
      const sub = api.tree.onDidChangeTreeData((changed) => {
        const s0 = performance.now();
        if (seen === 0) first = s0;
        const nodes = changed === undefined ? [] : Array.isArray(changed) ? changed : [changed];
        if (changed === undefined) resolveAll(api);
        else for (const node of nodes) api.tree.getTreeItem(node);
        itemMs += performance.now() - s0;
        if (++seen === events) {
          sub.dispose();
          cpu1 = mainThreadCpuMs() ?? NaN;
          resolve(performance.now());
        }
      });
    });
    const stalls = watchStalls();
    const cpu0 = mainThreadCpuMs() ?? NaN;
    const t0 = performance.now();
    api.engine.refresh();
    const t1 = await Promise.race([done, sleep(20_000).then(() => NaN)]);
    if (Number.isNaN(t1)) throw new Error(`poll round ${i + 1} did not update the tree within 20 s`);
    roundMs.push(t1 - t0);
    roundCpuMs.push(cpu1 - cpu0);
    treeItemMs.push(itemMs);
    firstEventMs.push(first - t0);
    // The round returns and schedules its next timer (Refresh replaces it); VS Code refreshes the view.
    await sleep(SETTLE_MS);
    roundStalls.push(stalls.stop());
  }

  const restoreMs: number[] = [];
  const restoreStalls: StallFigures[] = [];
  let rows = 0;
  for (let i = 0; i < scale.restores; i++) {
    await api.store.flush();
    await sleep(100);
    const stalls = watchStalls();
    await sleep(5);
    const t0 = performance.now();
    api = api.restart();
    rows = resolveAll(api);
    restoreMs.push(performance.now() - t0);
    await sleep(SETTLE_MS);
    restoreStalls.push(stalls.stop());
  }
  api.engine.dispose();
  result.scale = {
    tasks: api.store.size,
    roundMs,
    treeItemMs,
    firstEventMs,
    restoreMs,
    rowsAfterRestore: rows,
    roundStalls,
    roundCpuMs,
    restoreStalls,
  };
}

export async function run(): Promise<void> {
  const jobFile = process.env[ENV_BENCH_JOB];
  if (!jobFile) throw new Error(`$${ENV_BENCH_JOB} is not set`);
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as HostBenchJob;
  const result: HostBenchResult = { activation: [], tripwireHits: -1 };
  try {
    await activation(job, result);
    if (job.flow && job.scale) await flowBench(job, job.scale.extensionId, result);
    if (job.scale) await scaleBench(job, result);
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  fs.writeFileSync(job.outFile, `${JSON.stringify(result, null, 2)}\n`);
}
