import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { registerCommand } from './register';
import { resolveTask } from './taskArgument';

/** The tree's actions: open, reveal, retry, copy id, open source, remove, clear, refresh, log. */
export function registerTaskCommands(ctx: CommandContext): vscode.Disposable[] {
  const withTask = (fn: (task: TaskRecord) => Promise<unknown>) => async (arg?: unknown) => {
    const task = resolveTask(ctx, arg);
    if (task) await fn(task);
  };
  return [
    registerCommand(
      ctx,
      'mineru.openResult',
      withTask((t) => openResult(t)),
    ),
    registerCommand(
      ctx,
      'mineru.revealResult',
      withTask(async (t) => {
        if (t.result)
          await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(t.result.markdownPath));
      }),
    ),
    registerCommand(
      ctx,
      'mineru.retryTask',
      withTask((t) => ctx.engine.retry(t.id)),
    ),
    registerCommand(
      ctx,
      'mineru.copyTaskId',
      withTask(async (t) => {
        const id = t.remote?.taskId ?? t.remote?.batchId;
        if (!id) return;
        await vscode.env.clipboard.writeText(id);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', id), 3000);
      }),
    ),
    registerCommand(
      ctx,
      'mineru.openSource',
      withTask(async (t) => {
        if (t.source.kind === 'url') await vscode.env.openExternal(vscode.Uri.parse(t.source.url, true));
        else await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(t.source.path));
      }),
    ),
    registerCommand(
      ctx,
      'mineru.removeTask',
      withTask((t) => ctx.engine.remove([t.id])),
    ),
    registerCommand(ctx, 'mineru.clearFinished', () => ctx.engine.clearFinished()),
    registerCommand(ctx, 'mineru.refresh', () => ctx.engine.refresh()),
    registerCommand(ctx, 'mineru.showLog', () => ctx.logger.show()),
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
