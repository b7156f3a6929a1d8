import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { registerCommand } from './register';
import { resolveTask } from './taskArgument';

/** Formats the service can add besides Markdown; they land beside the .md as <name>.docx/.html/.tex. */
const EXTRA_KINDS: ReadonlySet<string> = new Set(['docx', 'html', 'latex']);

export function extrasOf(task: TaskRecord): { format: string; path: string }[] {
  return task.result?.extras.filter((e) => EXTRA_KINDS.has(e.format)) ?? [];
}

/** Open Extra Format. */
export function registerExtraFormatCommand(ctx: CommandContext): vscode.Disposable {
  return registerCommand(ctx, 'mineru.openExtra', async (arg?: unknown) => {
    const task = resolveTask(ctx, arg);
    if (task) await openExtra(task);
  });
}

/** Opens an extra format: one directly, several through a quick pick. Word files open outside VS Code. */
async function openExtra(task: TaskRecord): Promise<void> {
  const extras = extrasOf(task);
  if (extras.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" has no extra formats. Choose them with "Parse … with Options…".', task.name),
    );
    return;
  }
  let chosen = extras[0]!;
  if (extras.length > 1) {
    const pick = await vscode.window.showQuickPick(
      extras.map((e) => ({ label: path.basename(e.path), description: e.format, extra: e })),
      { title: vscode.l10n.t('Open Extra Format'), placeHolder: task.name },
    );
    if (!pick) return;
    chosen = pick.extra;
  }
  const uri = vscode.Uri.file(chosen.path);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('The file "{0}" is no longer there. Retry to parse the document again.', chosen.path),
    );
    return;
  }
  if (chosen.format === 'docx') await vscode.env.openExternal(uri);
  else await vscode.commands.executeCommand('vscode.open', uri);
}
