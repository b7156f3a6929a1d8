import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { checkSubmitOptions } from '../../core/options/submitChecks';
import { parseAgentPageRange } from '../../core/options/pageRanges';
import { pageRangesText } from '../pageRangeText';
import { submitProblemText } from '../optionsText';
import type { UrlItem } from '../../core/tasks/engine';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { readFileSettings } from '../settings';
import { pickOutputDir } from './outputFolder';
import { chooseMode } from './parseMode';
import { revealTasks } from './revealTasks';

/**
 * The common path of every parse command: a workspace folder to write into, a token (asked for
 * once when missing), consent for a plain-http endpoint, then submission. Returns the new tasks,
 * or undefined when the user stopped at a prompt.
 */
export async function submitUrls(
  ctx: CommandContext,
  items: UrlItem[],
  options: ParseOptions,
  explicitMode?: TaskMode,
): Promise<TaskRecord[] | undefined> {
  const settings = ctx.settings();
  if (!optionsAreSendable(options)) return undefined;
  const outputDir = await pickOutputDir(settings);
  if (!outputDir) return undefined;
  const mode = await chooseMode(ctx, explicitMode);
  if (!mode) return undefined;
  if (mode === 'quick' && options.pageRanges) {
    const range = parseAgentPageRange(options.pageRanges);
    if (!range.ok) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'Quick mode takes one page range such as "1-20": {0}',
          pageRangesText(range, vscode.l10n),
        ),
      );
      return undefined;
    }
  }
  if (mode === 'precise' && readFileSettings().uploadUrlsLocally === 'always') {
    // Download here and upload (fileCommands.ts), instead of letting the service fetch the URLs.
    // A direct call, not a command: no other extension may name the output folder.
    return ctx.uploadUrls?.({ urls: items, options, outputDir, mode });
  }
  // "with Options…" may carry this run's data ID template next to the wire options.
  const { dataIdTemplate, ...wire } = options as ParseOptions & { dataIdTemplate?: string };
  const tasks = await ctx.engine.submitUrls(items, {
    outputDir,
    options: wire,
    mode,
    ...(dataIdTemplate !== undefined ? { dataIdTemplate } : {}),
  });
  await revealTasks(ctx, tasks);
  return tasks;
}

/**
 * Checks options that the service would reject for every document (a callback without a seed,
 * a malformed seed) before anything is sent; tells the user what to change.
 */
export function optionsAreSendable(options: ParseOptions): boolean {
  const problem = checkSubmitOptions(options);
  if (!problem) return true;
  const open = vscode.l10n.t('Open Settings');
  void vscode.window
    .showErrorMessage(
      vscode.l10n.t('MinerU cannot submit: {0}.', submitProblemText(problem, vscode.l10n)),
      open,
    )
    .then((answer) => {
      if (answer === open)
        void vscode.commands.executeCommand('workbench.action.openSettings', 'mineru.seed');
    });
  return false;
}
