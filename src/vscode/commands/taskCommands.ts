import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/tasks/task';
import { resolveTask, type CommandContext } from './commandContext';

/** The tree's actions: open, reveal, retry, copy id, open source, remove, clear, refresh, log. */
export function registerTaskCommands(ctx: CommandContext): vscode.Disposable[] {
  const withTask = (fn: (task: TaskRecord) => Promise<unknown>) => async (arg?: unknown) => {
    const task = resolveTask(ctx, arg);
    if (task) await fn(task);
  };
  return [
    vscode.commands.registerCommand(
      'mineru.openResult',
      withTask((t) => openResult(t)),
    ),
    vscode.commands.registerCommand(
      'mineru.revealResult',
      withTask(async (t) => {
        if (t.result)
          await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(t.result.markdownPath));
      }),
    ),
    vscode.commands.registerCommand(
      'mineru.retryTask',
      withTask((t) => ctx.engine.retry(t.id)),
    ),
    vscode.commands.registerCommand(
      'mineru.copyTaskId',
      withTask(async (t) => {
        const id = t.remote?.taskId ?? t.remote?.batchId;
        if (!id) return;
        await vscode.env.clipboard.writeText(id);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', id), 3000);
      }),
    ),
    vscode.commands.registerCommand(
      'mineru.openSource',
      withTask(async (t) => {
        if (t.source.kind === 'url') await vscode.env.openExternal(vscode.Uri.parse(t.source.url, true));
        else await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(t.source.path));
      }),
    ),
    vscode.commands.registerCommand(
      'mineru.removeTask',
      withTask((t) => ctx.engine.remove([t.id])),
    ),
    vscode.commands.registerCommand('mineru.clearFinished', () => ctx.engine.clearFinished()),
    vscode.commands.registerCommand('mineru.refresh', () => ctx.engine.refresh()),
    vscode.commands.registerCommand('mineru.showLog', () => ctx.logger.show()),
  ];
}

/** Opens the Markdown preview of a result (images render because images/ sits beside the .md). */
async function openResult(task: TaskRecord): Promise<void> {
  if (!task.result) return;
  const uri = vscode.Uri.file(task.result.markdownPath);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'The result "{0}" is no longer there. Retry to parse the document again.',
        task.result.markdownPath,
      ),
    );
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}
