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
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { MinerUTestApi } from '../../../src/extension';
import type { TaskRecord } from '../../../src/core/tasks/task';
import type { TreeNode } from '../../../src/vscode/taskTree';
import { readTripwireHits } from '../../integration/tripwire';

export const ENV_BENCH_JOB = 'MINERU_BENCH_JOB';

export interface HostBenchJob {
  outFile: string;
  /** Extension ids, activated one after the other in this order. */
  activate: string[];
  tripwireLog: string;
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
  activation: { id: string; ms: number; wasActive: boolean }[];
  tripwireHits: number;
  scale?: {
    tasks: number;
    roundMs: number[];
    /** Of each round: the time spent resolving changed rows (getTreeItem), and until the first tree event. */
    treeItemMs: number[];
    firstEventMs: number[];
    restoreMs: number[];
    rowsAfterRestore: number;
  };
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function activation(job: HostBenchJob, result: HostBenchResult): Promise<void> {
  for (const id of job.activate) {
    const ext = vscode.extensions.getExtension(id);
    if (!ext) throw new Error(`extension ${id} is not loaded`);
    const wasActive = ext.isActive;
    const t0 = performance.now();
    await ext.activate();
    result.activation.push({ id, ms: performance.now() - t0, wasActive });
  }
  // Anything an activation started in the background has had time to connect.
  await sleep(1500);
  result.tripwireHits = readTripwireHits(job.tripwireLog).length;
}

function seed(scale: NonNullable<HostBenchJob['scale']>): TaskRecord[] {
  const now = Date.now();
  const records: TaskRecord[] = [];
  scale.batchIds.forEach((batchId, b) => {
    for (let index = 0; index < scale.perBatch; index++) {
      records.push({
        id: `bench-${b}-${index}`,
        name: `doc-${b}-${index}`,
        source: { kind: 'url', url: `https://example.com/bench/doc-${b}-${index}.pdf` },
        mode: 'precise',
        options: {},
        outputDir: scale.outputDir,
        state: 'pending',
        remote: { kind: 'batch', batchId, index },
        createdAt: now,
        updatedAt: now,
        submittedAt: now,
      });
    }
  });
  return records;
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

async function scaleBench(job: HostBenchJob, result: HostBenchResult): Promise<void> {
  const scale = job.scale!;
  const config = vscode.workspace.getConfiguration('mineru');
  await config.update('apiBaseUrl', scale.apiBaseUrl, vscode.ConfigurationTarget.Global);
  const ext = vscode.extensions.getExtension<MinerUTestApi | undefined>(scale.extensionId);
  if (!ext) throw new Error(`extension ${scale.extensionId} is not loaded`);
  const activated = await ext.activate();
  if (!activated) throw new Error('the extension returned no test API: is it running in a test host?');
  let api = activated;
  await api.setToken(scale.token);
  await api.store.add(seed(scale));
  // The view is shown, as a user following 1,000 documents would have it.
  await vscode.commands.executeCommand('workbench.view.extension.mineru').then(undefined, () => undefined);
  await sleep(500);

  const roundMs: number[] = [];
  const treeItemMs: number[] = [];
  const firstEventMs: number[] = [];
  for (let i = 0; i < scale.rounds; i++) {
    const events = scale.batchIds.length;
    let itemMs = 0;
    let first = NaN;
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
          resolve(performance.now());
        }
      });
    });
    const t0 = performance.now();
    api.engine.refresh();
    const t1 = await Promise.race([done, sleep(20_000).then(() => NaN)]);
    if (Number.isNaN(t1)) throw new Error(`poll round ${i + 1} did not update the tree within 20 s`);
    roundMs.push(t1 - t0);
    treeItemMs.push(itemMs);
    firstEventMs.push(first - t0);
    await sleep(150); // the round returns and schedules its next timer; Refresh replaces it
  }

  const restoreMs: number[] = [];
  let rows = 0;
  for (let i = 0; i < scale.restores; i++) {
    await api.store.flush();
    const t0 = performance.now();
    api = api.restart();
    rows = resolveAll(api);
    restoreMs.push(performance.now() - t0);
    await sleep(100);
  }
  api.engine.dispose();
  result.scale = {
    tasks: api.store.size,
    roundMs,
    treeItemMs,
    firstEventMs,
    restoreMs,
    rowsAfterRestore: rows,
  };
}

export async function run(): Promise<void> {
  const jobFile = process.env[ENV_BENCH_JOB];
  if (!jobFile) throw new Error(`$${ENV_BENCH_JOB} is not set`);
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as HostBenchJob;
  const result: HostBenchResult = { activation: [], tripwireHits: -1 };
  try {
    await activation(job, result);
    if (job.scale) await scaleBench(job, result);
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  fs.writeFileSync(job.outFile, `${JSON.stringify(result, null, 2)}\n`);
}
