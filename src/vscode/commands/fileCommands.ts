import * as path from 'node:path';
import * as vscode from 'vscode';
import { SUPPORTED_EXTENSIONS } from '../../core/api/types';
import { findDocuments } from '../../core/files/findDocuments';
import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { DownloadCache } from '../files/downloadCache';
import { parseLocalFiles } from '../files/localFiles';
import { resolveOutputDir } from '../flows/outputFolder';
import { isOverLimitFailure } from '../overLimit';
import { readFileSettings } from '../settings';
import { registerCommand } from './register';
import { resolveTask } from './taskArgument';

/** Most documents "Parse All Documents in Folder" takes at once. */
export const MAX_FOLDER_DOCUMENTS = 200;

/** Registers "Parse File with MinerU", "Parse All Documents in Folder" and "Download Here and Upload". */
export function registerFileCommands(ctx: CommandContext): vscode.Disposable[] {
  const downloads = new DownloadCache(ctx);
  void downloads.prune();
  ctx.uploadUrls = (request) =>
    downloads.uploadUrls(request.urls, {
      outputDir: request.outputDir,
      options: request.options,
      ...(request.mode ? { mode: request.mode } : {}),
    });
  return [
    downloads,
    registerCommand(ctx, 'mineru.parseFile', (uri?: unknown, uris?: unknown) => parseFile(ctx, uri, uris)),
    registerCommand(ctx, 'mineru.parseFolder', (uri?: unknown) => parseFolder(ctx, uri)),
    registerCommand(ctx, 'mineru.uploadFromUrl', (arg?: unknown) => uploadFromUrl(ctx, downloads, arg)),
    registerCommand(ctx, 'mineru.parseInParts', (arg?: unknown) => parseInParts(ctx, downloads, arg)),
  ];
}

/**
 * Explorer (one file, or a multi-selection as one batch), editor title and context (the file),
 * palette (the active file when it is a document, else a file picker).
 */
async function parseFile(
  ctx: CommandContext,
  uri: unknown,
  uris: unknown,
): Promise<TaskRecord[] | undefined> {
  let targets: vscode.Uri[] = [];
  /** False when the user chose the files in the picker just now. */
  let confirmOutside = true;
  if (Array.isArray(uris) && uris.length > 0) targets = uris.filter(isUri);
  else if (isUri(uri)) targets = [uri];
  else {
    const active = activeDocumentUri();
    if (active && isSupported(active)) targets = [active];
    else {
      confirmOutside = false;
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true,
        canSelectFiles: true,
        canSelectFolders: false,
        openLabel: vscode.l10n.t('Parse with MinerU'),
        title: vscode.l10n.t('MinerU: choose documents to parse'),
        filters: {
          [vscode.l10n.t('Documents')]: SUPPORTED_EXTENSIONS.map((e) => e.slice(1)),
        },
        ...(vscode.workspace.workspaceFolders?.[0]
          ? { defaultUri: vscode.workspace.workspaceFolders[0].uri }
          : {}),
      });
      if (!picked || picked.length === 0) return undefined;
      targets = picked;
    }
  }
  const files = targets.filter((u) => u.scheme === 'file');
  if (files.length < targets.length) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'MinerU parses files on this computer only; {0} item(s) were left out.',
        targets.length - files.length,
      ),
    );
  }
  if (confirmOutside && !(await confirmFilesOutsideWorkspace(files))) return undefined;
  return parseLocalFiles(
    ctx,
    files.map((u) => ({ path: u.fsPath })),
  );
}

/**
 * Files from outside the workspace folders leave the machine only after the user says so: the
 * command can be run with any file by any extension, and the Explorer only ever passes files of
 * the workspace. True when there are none, or the user chose Upload.
 */
async function confirmFilesOutsideWorkspace(files: vscode.Uri[]): Promise<boolean> {
  const outside = files.filter((u) => !vscode.workspace.getWorkspaceFolder(u));
  if (outside.length === 0) return true;
  const upload = vscode.l10n.t('Upload');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Upload {0} file(s) from outside this workspace to MinerU?', outside.length),
    {
      modal: true,
      detail: outside
        .slice(0, 10)
        .map((u) => u.fsPath)
        .join('\n')
        .concat(outside.length > 10 ? '\n…' : ''),
    },
    upload,
  );
  return answer === upload;
}

/** Every document under a folder (output folders left out), after a confirmation with the count. */
async function parseFolder(ctx: CommandContext, uri: unknown): Promise<TaskRecord[] | undefined> {
  let folder = isUri(uri) ? uri : undefined;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: vscode.l10n.t('Parse Documents'),
    });
    folder = picked?.[0];
  }
  if (!folder || folder.scheme !== 'file') return undefined;
  const outputDirectory = ctx.settings().outputDirectory;
  const skip = (vscode.workspace.workspaceFolders ?? [])
    .map((f) => resolveOutputDir(f.uri, outputDirectory))
    .filter((p): p is string => typeof p === 'string');
  const { files, truncated } = await findDocuments(folder.fsPath, { maxFiles: MAX_FOLDER_DOCUMENTS, skip });
  const name = path.basename(folder.fsPath);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        '"{0}" holds no documents MinerU parses (.pdf .doc .docx .ppt .pptx .png .jpg .jpeg .html).',
        name,
      ),
    );
    return [];
  }
  const go = vscode.l10n.t('Parse {0} Documents', files.length);
  const answer = await vscode.window.showInformationMessage(
    truncated
      ? vscode.l10n.t(
          'Parse the first {0} documents in "{1}"? There are more; parse the rest separately.',
          files.length,
          name,
        )
      : vscode.l10n.t('Parse {0} documents in "{1}"?', files.length, name),
    {
      modal: true,
      detail: files
        .slice(0, 10)
        .map((f) => path.relative(folder.fsPath, f))
        .join('\n')
        .concat(files.length > 10 ? '\n…' : ''),
    },
    go,
  );
  if (answer !== go) return undefined;
  return parseLocalFiles(
    ctx,
    files.map((f) => ({ path: f })),
  );
}

/**
 * "Download Here and Upload": for a URL task the service could not fetch (tree or notification).
 * It takes a task only, never a folder or URLs, so another extension cannot choose where to write.
 */
async function uploadFromUrl(
  ctx: CommandContext,
  downloads: DownloadCache,
  arg: unknown,
): Promise<TaskRecord[] | undefined> {
  const task = resolveTask(ctx, arg);
  if (!task || task.source.kind !== 'url') return undefined;
  if (readFileSettings().uploadUrlsLocally === 'never') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Downloading documents here is turned off (setting mineru.uploadUrlsLocally).'),
    );
    return undefined;
  }
  const tasks = await downloads.uploadUrls([{ url: task.source.url }], {
    outputDir: task.outputDir,
    options: task.options,
    mode: task.mode,
  });
  // The upload replaces the failed URL task.
  if (tasks && tasks.length > 0 && task.state === 'failed') await ctx.engine.remove([task.id]);
  return tasks;
}

/**
 * "Parse in Parts": a local PDF (Explorer) is split when it is beyond the limits (parsed as usual
 * otherwise); a URL task refused with -60005/-60006 (tree or notification) is downloaded here,
 * split, and replaces the failed task.
 */
async function parseInParts(
  ctx: CommandContext,
  downloads: DownloadCache,
  arg: unknown,
): Promise<TaskRecord[] | undefined> {
  if (isUri(arg)) {
    if (arg.scheme !== 'file' || path.extname(arg.fsPath).toLowerCase() !== '.pdf') return undefined;
    return parseLocalFiles(ctx, [{ path: arg.fsPath }], { split: 'force' });
  }
  const task = resolveTask(ctx, arg);
  if (!task || !isOverLimitFailure(task) || task.source.kind !== 'url') return undefined;
  const tasks = await downloads.uploadUrls([{ url: task.source.url }], {
    outputDir: task.outputDir,
    options: task.options,
    mode: task.mode,
    split: 'force',
  });
  if (tasks && tasks.length > 0) await ctx.engine.remove([task.id]);
  return tasks;
}

function isUri(value: unknown): value is vscode.Uri {
  return value instanceof vscode.Uri;
}

function isSupported(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && SUPPORTED_EXTENSIONS.includes(path.extname(uri.fsPath).toLowerCase());
}

/** The file of the active editor, text or custom (a PDF or image viewer has no text editor). */
function activeDocumentUri(): vscode.Uri | undefined {
  const text = vscode.window.activeTextEditor?.document.uri;
  if (text) return text;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}
