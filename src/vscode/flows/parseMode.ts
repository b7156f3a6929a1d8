import * as vscode from 'vscode';
import type { TaskMode } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { promptForToken } from '../tokenStore';

/**
 * Precise (token) or quick (token-free) for this run. `auto` is precise when a token is set and
 * quick otherwise, telling the user once what quick mode leaves out. Precise without a token asks
 * for one; a plain-http endpoint needs consent. Undefined when the user stopped at a prompt.
 */
export async function chooseMode(ctx: CommandContext, explicit?: TaskMode): Promise<TaskMode | undefined> {
  if (explicit === 'selfHosted' || (explicit === undefined && ctx.settings().service === 'selfHosted'))
    return chooseSelfHosted(ctx);
  const setting = explicit ?? ctx.settings().mode;
  let mode: TaskMode;
  if (setting === 'auto') mode = (await ctx.tokens.get()) ? 'precise' : 'quick';
  else mode = setting;
  if (mode === 'quick') {
    if (setting === 'auto') noticeQuickOnce(ctx);
    return 'quick';
  }
  if (!(await ctx.consent.ensure(ctx.settings().apiBaseUrl))) return undefined;
  const batchBase = ctx.settings().batchApiBaseUrl;
  if (batchBase && batchBase !== ctx.settings().apiBaseUrl && !(await ctx.consent.ensure(batchBase)))
    return undefined;
  if (!(await ctx.tokens.get()) && !(await promptForToken(ctx.tokens))) return undefined;
  return 'precise';
}

/** The user's own server: it must be set, and plain http to another machine needs consent. */
async function chooseSelfHosted(ctx: CommandContext): Promise<TaskMode | undefined> {
  const url = ctx.settings().selfHostedUrl;
  if (!url) {
    const open = vscode.l10n.t('Open Settings');
    const answer = await vscode.window.showErrorMessage(
      vscode.l10n.t(
        'MinerU: mineru.service is "selfHosted" but no server is set. Set mineru.selfHosted.url to your mineru-api or mineru-router server.',
      ),
      open,
    );
    if (answer === open)
      void vscode.commands.executeCommand('workbench.action.openSettings', 'mineru.selfHosted.url');
    return undefined;
  }
  return (await ctx.consent.ensure(url)) ? 'selfHosted' : undefined;
}

const QUICK_NOTICE_KEY = 'mineru.quickNoticeShown';

function noticeQuickOnce(ctx: CommandContext): void {
  const state = ctx.extension.globalState;
  if (state.get<boolean>(QUICK_NOTICE_KEY)) return;
  void state.update(QUICK_NOTICE_KEY, true);
  const set = vscode.l10n.t('Set API Token');
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t(
        'MinerU: no API token is set, so this runs in Quick mode (up to 10 MB and 20 pages, Markdown only). Images, tables and formulas need a token.',
      ),
      set,
    )
    .then((answer) => (answer === set ? vscode.commands.executeCommand('mineru.setToken') : undefined));
}
