import * as vscode from 'vscode';
import { isActive } from '../core/tasks/task';
import type { TaskStore } from '../core/tasks/taskStore';

/** "MinerU: 2 running, 14/40 pages" while work is active; hidden otherwise. Click reveals the tree. */
export class TaskStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'mineru.status',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly subscription: { dispose(): void };

  constructor(private readonly store: TaskStore) {
    this.item.name = 'MinerU';
    this.item.command = 'mineru.tasks.focus';
    this.subscription = store.onDidChange(() => this.update());
    this.update();
  }

  /** The text shown, or undefined when hidden (for tests). */
  get text(): string | undefined {
    return this.visible ? this.item.text : undefined;
  }

  private visible = false;

  update(): void {
    const active = this.store.all().filter(isActive);
    if (active.length === 0) {
      this.item.hide();
      this.visible = false;
      return;
    }
    let done = 0;
    let total = 0;
    for (const t of active) {
      if (t.progress) {
        done += t.progress.extractedPages;
        total += t.progress.totalPages;
      }
    }
    const pages = total > 0 ? vscode.l10n.t(', {0}/{1} pages', done, total) : '';
    this.item.text = `$(sync~spin) ${vscode.l10n.t('MinerU: {0} running{1}', active.length, pages)}`;
    this.item.tooltip = vscode.l10n.t(
      'MinerU is parsing {0} document(s). Click to show the tasks.',
      active.length,
    );
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
