import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { checkSubmitOptions } from '../../core/options/submitChecks';
import { parseAgentPageRange } from '../../core/options/pageRanges';
import type { ParseEngine, UrlItem } from '../../core/tasks/engine';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import type { TaskStore } from '../../core/tasks/taskStore';
import type { EndpointConsent } from '../endpointConsent';
import type { OutputLogger } from '../log';
import { readSettings, resolveOutputDir, type MinerUSettings } from '../settings';
import { promptForToken, type TokenStore } from '../tokenStore';
import type { TaskNode, TaskTreeProvider } from '../taskTree';

/** What every command needs, built once in extension.ts. */
export interface CommandContext {
  extension: vscode.ExtensionContext;
  engine: ParseEngine;
  store: TaskStore;
  tokens: TokenStore;
  consent: EndpointConsent;
  logger: OutputLogger;
  tree: TaskTreeProvider;
  treeView: vscode.TreeView<unknown>;
  settings: () => MinerUSettings;
  /**
   * True only in a test host (ExtensionMode Development or Test): commands then accept a URL to
   * submit without the input box and return what they created. Never true in production, where
   * any other extension could run our commands.
   */
  automation: boolean;
  /** Downloads URLs here and uploads them (set by the file commands, used by "always upload"). */
  uploadUrls?: (request: UploadUrlsRequest) => Promise<TaskRecord[] | undefined>;
}

/** URLs to download here and upload, with the run's options and output folder. */
export interface UploadUrlsRequest {
  urls: UrlItem[];
  options: ParseOptions;
  outputDir: string;
  mode?: TaskMode;
}

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
        vscode.l10n.t('Quick mode takes one page range such as "1-20": {0}', range.message),
      );
      return undefined;
    }
  }
  if (
    mode === 'precise' &&
    vscode.workspace.getConfiguration('mineru').get('uploadUrlsLocally') === 'always'
  ) {
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
 * Precise (token) or quick (token-free) for this run. `auto` is precise when a token is set and
 * quick otherwise, telling the user once what quick mode leaves out. Precise without a token asks
 * for one; a plain-http endpoint needs consent. Undefined when the user stopped at a prompt.
 */
export async function chooseMode(ctx: CommandContext, explicit?: TaskMode): Promise<TaskMode | undefined> {
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

/**
 * Checks options that the service would reject for every document (a callback without a seed,
 * a malformed seed) before anything is sent; tells the user what to change.
 */
export function optionsAreSendable(options: ParseOptions): boolean {
  const problem = checkSubmitOptions(options);
  if (!problem) return true;
  const open = vscode.l10n.t('Open Settings');
  void vscode.window
    .showErrorMessage(vscode.l10n.t('MinerU cannot submit: {0}.', problem), open)
    .then((answer) => {
      if (answer === open)
        void vscode.commands.executeCommand('workbench.action.openSettings', 'mineru.seed');
    });
  return false;
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

export async function pickOutputDir(settings: MinerUSettings): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  let folder: vscode.WorkspaceFolder | undefined;
  if (folders.length === 0) {
    const open = vscode.l10n.t('Open Folder');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('MinerU writes the Markdown into your workspace. Open a folder first, then parse again.'),
      open,
    );
    if (answer === open) await vscode.commands.executeCommand('vscode.openFolder');
    return undefined;
  }
  if (folders.length === 1) folder = folders[0];
  else {
    const active = vscode.window.activeTextEditor?.document.uri;
    folder =
      (active && vscode.workspace.getWorkspaceFolder(active)) ||
      (await vscode.window.showWorkspaceFolderPick({
        placeHolder: vscode.l10n.t('Where should the results go?'),
      }));
  }
  if (!folder) return undefined;
  const resolved = resolveOutputDir(folder.uri, settings.outputDirectory);
  if (typeof resolved !== 'string') {
    void vscode.window.showErrorMessage(resolved.error);
    return undefined;
  }
  return resolved;
}

export async function revealTasks(ctx: CommandContext, tasks: TaskRecord[]): Promise<void> {
  const first = tasks[0] && ctx.tree.nodeFor(tasks[0].id);
  if (!first) return;
  try {
    await ctx.treeView.reveal(first, { select: false, focus: false });
  } catch {
    // The view may be hidden in a collapsed container; revealing is a courtesy.
  }
}

/** Tree commands get a node (context menu), a task id (notification buttons) or nothing (keyboard). */
export function resolveTask(ctx: CommandContext, arg: unknown): TaskRecord | undefined {
  if (typeof arg === 'string') return ctx.store.get(arg);
  if (arg && typeof arg === 'object' && 'taskId' in arg) return ctx.store.get((arg as TaskNode).taskId);
  const selected = ctx.treeView.selection[0];
  if (selected && typeof selected === 'object' && 'taskId' in selected)
    return ctx.store.get((selected as TaskNode).taskId);
  return undefined;
}

export { readSettings };
