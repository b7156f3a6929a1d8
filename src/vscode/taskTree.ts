import * as vscode from 'vscode';
import type { SerializedError } from '../core/errors';
import type { TaskRecord, TaskState } from '../core/tasks/task';
import { describeProgress, formatElapsed, isActive } from '../core/tasks/task';
import type { TaskStore, TaskStoreEvent } from '../core/tasks/taskStore';
import { describeError } from './errorText';
import { isFetchFailure } from '../core/files/localCopy';
import { safeUrl } from '../core/util/logger';
import { isOverLimitFailure } from './overLimit';

export type TreeNode = BatchNode | TaskNode;

export class BatchNode {
  readonly kind = 'batch';
  constructor(
    readonly batchId: string,
    public taskIds: string[],
  ) {}
}

export class TaskNode {
  readonly kind = 'task';
  constructor(
    readonly taskId: string,
    public parent: BatchNode | TaskNode | undefined,
  ) {}
  /** The part rows of a document parsed in parts, in page order. */
  partIds: string[] = [];
}

const STATE_ICONS: Record<TaskState, [string, string?]> = {
  submitting: ['loading~spin'],
  uploading: ['cloud-upload'],
  'waiting-file': ['watch'],
  pending: ['clock'],
  running: ['sync~spin'],
  converting: ['gear'],
  importing: ['cloud-download'],
  done: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
};

export function stateLabel(state: TaskState): string {
  switch (state) {
    case 'submitting':
      return vscode.l10n.t('submitting');
    case 'uploading':
      return vscode.l10n.t('uploading');
    case 'waiting-file':
      return vscode.l10n.t('waiting for file');
    case 'pending':
      return vscode.l10n.t('queued');
    case 'running':
      return vscode.l10n.t('parsing');
    case 'converting':
      return vscode.l10n.t('converting');
    case 'importing':
      return vscode.l10n.t('importing');
    case 'done':
      return vscode.l10n.t('done');
    case 'failed':
      return vscode.l10n.t('failed');
  }
}

/**
 * The live task tree. Rows are stable objects keyed by task id; a store change fires updates
 * for the changed rows only (a full refresh only when rows appear or disappear), and elapsed
 * times tick for active rows alone, so a poll of 1,000 tasks does not redraw the whole view.
 */
export class TaskTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: TreeNode[] = [];
  private readonly taskNodes = new Map<string, TaskNode>();
  private readonly batchNodes = new Map<string, BatchNode>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly subscription: vscode.Disposable;
  /**
   * The last item built for each task row, reused while the record (an immutable snapshot) and its
   * elapsed time read the same: VS Code asks again for rows it already has (a batch row's event,
   * a re-render, reveal), and building one (tooltip included) is most of a row's cost.
   */
  private readonly items = new Map<string, { task: TaskRecord; elapsed: string; item: vscode.TreeItem }>();

  constructor(
    private readonly store: TaskStore,
    private readonly now: () => number = Date.now,
  ) {
    this.rebuild();
    const sub = store.onDidChange((e) => this.onStoreChange(e));
    this.subscription = { dispose: () => sub.dispose() };
    this.updateTicker();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.kind === 'batch' ? this.batchItem(node) : this.taskItem(node);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) return this.roots;
    const ids = node.kind === 'batch' ? node.taskIds : node.partIds;
    return ids.map((id) => this.taskNodes.get(id)).filter((n): n is TaskNode => !!n);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.kind === 'task' ? node.parent : undefined;
  }

  nodeFor(taskId: string): TaskNode | undefined {
    return this.taskNodes.get(taskId);
  }

  dispose(): void {
    this.subscription.dispose();
    if (this.ticker) clearInterval(this.ticker);
    this.emitter.dispose();
  }

  private onStoreChange(event: TaskStoreEvent): void {
    // Batch sizes counted once per event (not once per changed row): a poll of 1,000 rows stays O(n).
    let sizes: Map<string, number> | undefined;
    const groupSizes = (): Map<string, number> => (sizes ??= this.groupSizes());
    const structural =
      event.removed.length > 0 ||
      event.changed.some((t) => !this.taskNodes.has(t.id) || this.movedBatch(t, groupSizes));
    if (structural) {
      this.rebuild();
      this.emitter.fire(undefined);
    } else {
      const nodes: TreeNode[] = [];
      const batches = new Set<TreeNode>();
      for (const t of event.changed) {
        const node = this.taskNodes.get(t.id)!;
        nodes.push(node);
        if (node.parent) batches.add(node.parent);
      }
      this.emitter.fire([...nodes, ...batches]);
    }
    this.updateTicker();
  }

  private movedBatch(task: TaskRecord, groupSizes: () => Map<string, number>): boolean {
    const node = this.taskNodes.get(task.id);
    // A part stays under its document; a document's new part ids re-shape its row.
    if (task.part) return node?.parent?.kind !== 'task';
    if (task.parts && node && node.partIds.join() !== task.parts.ids.join()) return true;
    const batchId = groupId(task);
    const grouped = batchId !== undefined && (groupSizes().get(batchId) ?? 0) > 1;
    const current = node?.parent?.kind === 'batch' ? node.parent.batchId : undefined;
    return current !== (grouped ? batchId : undefined);
  }

  /** How many tracked tasks each batch id has (a batch is a tree group only with more than one). */
  private groupSizes(tasks: readonly TaskRecord[] = this.store.all()): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of tasks) {
      const g = groupId(t);
      if (g) counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    return counts;
  }

  private rebuild(): void {
    const tasks = this.store.all();
    const counts = this.groupSizes(tasks);
    const roots: TreeNode[] = [];
    const seenBatches = new Map<string, BatchNode>();
    const taskNodes = new Map<string, TaskNode>();
    // Newest first: what the user just started is on top. Parts go under their document's row.
    for (const t of [...tasks].reverse()) {
      if (t.part) continue;
      const g = groupId(t);
      let parent: BatchNode | undefined;
      if (g && (counts.get(g) ?? 0) > 1) {
        parent = seenBatches.get(g);
        if (!parent) {
          parent = this.batchNodes.get(g) ?? new BatchNode(g, []);
          parent.taskIds = [];
          seenBatches.set(g, parent);
          roots.push(parent);
        }
        parent.taskIds.push(t.id);
      }
      const node = this.taskNodes.get(t.id) ?? new TaskNode(t.id, parent);
      node.parent = parent;
      taskNodes.set(t.id, node);
      if (!parent) roots.push(node);
      node.partIds = t.parts ? t.parts.ids.filter((id) => this.store.get(id)) : [];
      for (const id of node.partIds) {
        const part = this.taskNodes.get(id) ?? new TaskNode(id, node);
        part.parent = node;
        taskNodes.set(id, part);
      }
    }
    for (const b of seenBatches.values()) b.taskIds.reverse();
    this.roots = roots;
    this.taskNodes.clear();
    for (const [k, v] of taskNodes) this.taskNodes.set(k, v);
    for (const id of this.items.keys()) if (!taskNodes.has(id)) this.items.delete(id);
    this.batchNodes.clear();
    for (const [k, v] of seenBatches) this.batchNodes.set(k, v);
  }

  /** Elapsed times tick every few seconds, for active rows only, and only while any exist. */
  private updateTicker(): void {
    const anyActive = this.store.all().some(isActive);
    if (anyActive && !this.ticker) {
      this.ticker = setInterval(() => {
        const active = this.store
          .all()
          .filter(isActive)
          .map((t) => this.taskNodes.get(t.id))
          .filter((n): n is TaskNode => !!n);
        if (active.length) this.emitter.fire(active);
      }, 5000);
    } else if (!anyActive && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private taskItem(node: TaskNode): vscode.TreeItem {
    const task = this.store.get(node.taskId);
    if (!task) return new vscode.TreeItem('…');
    const elapsed = formatElapsed((task.finishedAt ?? this.now()) - task.createdAt);
    const cached = this.items.get(task.id);
    if (cached?.task === task && cached.elapsed === elapsed) return cached.item;
    const item = this.buildTaskItem(node, task, elapsed);
    this.items.set(task.id, { task, elapsed, item });
    return item;
  }

  private buildTaskItem(node: TaskNode, task: TaskRecord, elapsed: string): vscode.TreeItem {
    const label = task.part ? vscode.l10n.t('Part {0} of {1}', task.part.index, task.part.count) : task.name;
    const collapsible = node.partIds.length
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(label, collapsible);
    item.id = task.id;
    const [icon, color] = task.paused ? ['debug-pause'] : STATE_ICONS[task.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const parts = [task.paused ? pausedLabel(task.paused.until) : stateLabel(task.state)];
    // The server's queue while a task waits (no page progress there, and never a made-up one).
    if (task.state === 'pending' && task.queuedAhead !== undefined && task.queuedAhead > 0)
      parts[0] = vscode.l10n.t('queued, {0} ahead', task.queuedAhead);
    // Polling fails for now (server down, refused, busy): the row says so until the next answer.
    if (task.pollProblem && isActive(task)) parts.splice(1, 0, pollProblemLabel(task.pollProblem));
    if (task.part)
      parts.unshift(
        vscode.l10n.t(
          'pages {0}–{1}',
          task.part.firstPage.toLocaleString(vscode.env.language),
          task.part.lastPage.toLocaleString(vscode.env.language),
        ),
      );
    const progress = describeProgress(task);
    if (progress) parts.push(progress);
    parts.push(elapsed);
    if (task.mode === 'quick') parts.push(vscode.l10n.t('quick'));
    if (task.mode === 'selfHosted') parts.push(vscode.l10n.t('your server'));
    item.description = parts.join(' · ');
    item.tooltip = this.tooltip(task);
    item.contextValue = contextValue(task);
    item.accessibilityInformation = { label: `${label}, ${parts.join(', ')}` };
    if (task.state === 'done' && task.result && !task.part) {
      item.command = { command: 'mineru.openResult', title: vscode.l10n.t('Open Result'), arguments: [node] };
    }
    return item;
  }

  private batchItem(node: BatchNode): vscode.TreeItem {
    const tasks = node.taskIds.map((id) => this.store.get(id)).filter((t): t is TaskRecord => !!t);
    const done = tasks.filter((t) => t.state === 'done').length;
    const failed = tasks.filter((t) => t.state === 'failed').length;
    const item = new vscode.TreeItem(
      vscode.l10n.t('Batch of {0} documents', tasks.length),
      vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `batch:${node.batchId}`;
    item.iconPath = new vscode.ThemeIcon(done + failed === tasks.length ? 'layers' : 'layers-active');
    item.description = failed
      ? vscode.l10n.t('{0}/{1} done, {2} failed', done, tasks.length, failed)
      : vscode.l10n.t('{0}/{1} done', done, tasks.length);
    item.tooltip = `${vscode.l10n.t('Batch ID')}: ${node.batchId}`;
    item.contextValue = 'mineruBatch';
    return item;
  }

  private tooltip(task: TaskRecord): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(task.name)}** — ${stateLabel(task.state)}\n\n`);
    const source = task.source.kind === 'url' ? safeUrl(task.source.url) : task.source.path;
    md.appendMarkdown(`${vscode.l10n.t('Source')}: \`${source}\`\n\n`);
    const o = task.options;
    const opts = [
      o.modelVersion && `model ${o.modelVersion}`,
      o.isOcr !== undefined && `OCR ${o.isOcr ? 'on' : 'off'}`,
      o.enableFormula !== undefined && `formula ${o.enableFormula ? 'on' : 'off'}`,
      o.enableTable !== undefined && `table ${o.enableTable ? 'on' : 'off'}`,
      o.language && `language ${o.language}`,
      o.pageRanges && `pages ${o.pageRanges}`,
      o.extraFormats?.length && `extra ${o.extraFormats.join('/')}`,
      task.mode === 'quick' && 'quick mode',
      o.selfHosted?.backend && `backend ${o.selfHosted.backend}`,
    ].filter(Boolean);
    if (opts.length) md.appendMarkdown(`${vscode.l10n.t('Options')}: ${opts.join(', ')}\n\n`);
    const r = task.remote;
    if (task.mode === 'selfHosted' && r?.server)
      md.appendMarkdown(`${vscode.l10n.t('Server')}: \`${safeUrl(r.server)}\`\n\n`);
    if (r?.taskId) md.appendMarkdown(`${vscode.l10n.t('Task ID')}: \`${r.taskId}\`\n\n`);
    if (r?.batchId) md.appendMarkdown(`${vscode.l10n.t('Batch ID')}: \`${r.batchId}\`\n\n`);
    const trace = task.error?.traceId ?? r?.traceId;
    if (trace) md.appendMarkdown(`${vscode.l10n.t('Trace ID')}: \`${trace}\`\n\n`);
    if (task.error) md.appendMarkdown(`$(error) ${escapeMd(describeError(task.error, vscode.l10n))}\n\n`);
    if (task.pollProblem && isActive(task))
      md.appendMarkdown(`$(warning) ${escapeMd(describeError(task.pollProblem, vscode.l10n))}\n\n`);
    if (task.result) {
      md.appendMarkdown(`${vscode.l10n.t('Result')}: \`${task.result.markdownPath}\`\n\n`);
      if (task.result.rejectedEntries) {
        md.appendMarkdown(
          vscode.l10n.t(
            '{0} unsafe entries of the result archive were refused (see the log).',
            task.result.rejectedEntries,
          ) + '\n\n',
        );
      }
    }
    return md;
  }
}

/** "server unreachable, retrying": why a task's status is not moving, short enough for a row. */
export function pollProblemLabel(problem: SerializedError): string {
  if (problem.reason === 'selfHosted.unreachable') return vscode.l10n.t('server unreachable, retrying');
  if (problem.reason === 'selfHosted.busy') return vscode.l10n.t('server busy, retrying');
  return vscode.l10n.t('status check failed, retrying');
}

/** "paused until 14:00": the queue waits for a quota or a full queue (see ParseEngine). */
export function pausedLabel(until: number): string {
  const at = new Date(until).toLocaleTimeString(vscode.env.language, { hour: '2-digit', minute: '2-digit' });
  return vscode.l10n.t('paused until {0}', at);
}

function groupId(task: TaskRecord): string | undefined {
  return task.remote?.kind === 'batch' ? task.remote.batchId : undefined;
}

/** Capability tokens matched by `viewItem =~ /…/` in the menus. */
export function contextValue(task: TaskRecord): string {
  // A part row has no Remove (removing a part removes its document): not a 'mineruTask'.
  const caps = [task.part ? 'mineruPart' : 'mineruTask', task.state];
  if (task.paused) caps.push('paused');
  if (task.remote?.taskId || task.remote?.batchId) caps.push('hasId');
  if (task.part) {
    // A part's result is a step outside the workspace, deleted once merged: nothing to open or
    // re-run on its row (its document opens the merged result); a failed part is retried alone.
    if (task.state === 'failed') caps.push('canRetry');
    return caps.join(' ');
  }
  if (task.state === 'done' && task.result) caps.push('canOpen');
  if (task.result?.extras.some((e) => ['docx', 'html', 'latex'].includes(e.format))) caps.push('hasExtras');
  if (task.state === 'failed' || task.state === 'done') caps.push('canRetry');
  if (task.parts) caps.push('inParts');
  if (isOverLimitFailure(task)) caps.push('canParseInParts');
  if (task.source.kind === 'url') caps.push('hasUrl');
  if (task.source.kind === 'url' && task.state === 'failed' && isFetchFailure(task.error))
    caps.push('canUploadLocally');
  return caps.join(' ');
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
