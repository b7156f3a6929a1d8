import * as vscode from 'vscode';
import type { TaskStore } from '../core/tasks/taskStore';
import type { TaskTreeProvider, TreeNode } from './taskTree';

/** The MinerU tasks view; disposing it also ends the badge's subscription to the store. */
export interface TaskView extends vscode.Disposable {
  readonly view: vscode.TreeView<TreeNode>;
}

/** Creates the MinerU tasks view, with a badge counting the documents in progress. */
export function createTaskView(tree: TaskTreeProvider, store: TaskStore): TaskView {
  const treeView = vscode.window.createTreeView<TreeNode>('mineru.tasks', {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: false,
  });
  const updateBadge = (): void => {
    const active = store.all().filter((t) => t.state !== 'done' && t.state !== 'failed').length;
    treeView.badge = active
      ? { value: active, tooltip: vscode.l10n.t('{0} document(s) in progress', active) }
      : undefined;
  };
  updateBadge();
  const subscription = store.onDidChange(updateBadge);
  return {
    view: treeView,
    dispose: () => {
      subscription.dispose();
      treeView.dispose();
    },
  };
}
