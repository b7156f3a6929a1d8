import * as vscode from 'vscode';
import { parsePageRanges } from '../../core/options/pageRanges';
import { pageRangesText } from '../pageRangeText';
import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { registerCommand } from './register';
import { resolveTask } from './taskArgument';

/** Re-run with Page Ranges. */
export function registerPageRangeCommand(ctx: CommandContext): vscode.Disposable {
  return registerCommand(ctx, 'mineru.retryWithPageRanges', async (arg?: unknown) => {
    const task = resolveTask(ctx, arg);
    if (task) await retryWithPageRanges(ctx, task);
  });
}

/** Asks for page ranges (proposing a first part) and submits the document again with them. */
async function retryWithPageRanges(ctx: CommandContext, task: TaskRecord): Promise<void> {
  const total = task.progress?.totalPages;
  const tooLarge = task.error?.code === '-60005' || task.error?.code === '-30001';
  const ranges = await vscode.window.showInputBox({
    title: vscode.l10n.t('MinerU: Re-run "{0}" with Page Ranges', task.name),
    prompt: tooLarge
      ? vscode.l10n.t(
          'The file is too large for one run. Parse it in parts, e.g. 1-100, then 101-200. Example: 2,4-6 or 2--2 (page 2 to the second-to-last).',
        )
      : vscode.l10n.t(
          'The document has more pages than one run allows (200 pages, 600 on older plans). Parse it in parts, e.g. 1-200, then 201-400. Example: 2,4-6 or 2--2.',
        ),
    value: task.options.pageRanges ?? (total && total > 200 ? '1-200' : tooLarge ? '1-100' : '1-200'),
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parsePageRanges(v);
      return r.ok ? undefined : pageRangesText(r, vscode.l10n);
    },
  });
  if (ranges === undefined) return;
  const parsed = parsePageRanges(ranges);
  if (!parsed.ok) return;
  await ctx.engine.retryWithOptions(task.id, { pageRanges: parsed.normalized });
}
