import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUSettings } from '../settings';

/** The output folder of a run: asks for the workspace folder when there are several. */
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

/** The output folder of the workspace folder holding `filePath`, else the usual choice. */
export async function outputDirFor(settings: MinerUSettings, filePath: string): Promise<string | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(filePath));
  if (!folder) return pickOutputDir(settings);
  const resolved = resolveOutputDir(folder.uri, settings.outputDirectory);
  if (typeof resolved !== 'string') {
    void vscode.window.showErrorMessage(resolved.error);
    return undefined;
  }
  return resolved;
}

/**
 * The folder results go to: `<workspace folder>/<mineru.outputDirectory>`. A value that would
 * leave the workspace folder (absolute, with `..`, or through a symbolic link inside the workspace
 * that points elsewhere) is refused, so a workspace's settings can never make the extension write
 * elsewhere.
 */
export function resolveOutputDir(folder: vscode.Uri, outputDirectory: string): string | { error: string } {
  const root = folder.fsPath;
  const resolved = path.resolve(root, outputDirectory);
  if (
    path.isAbsolute(outputDirectory) ||
    !isWithin(root, resolved) ||
    // The lexical check alone lets `results -> /elsewhere` through: compare where it really leads.
    !isWithin(realPath(root), realPath(resolved))
  ) {
    return {
      error: vscode.l10n.t(
        'The setting mineru.outputDirectory ("{0}") points outside the workspace folder. Use a relative folder such as "mineru".',
        outputDirectory,
      ),
    };
  }
  return resolved;
}

function isWithin(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  // `..results` is a folder inside; `..` and `../x` are not.
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Where `p` really is: the real path of its deepest existing ancestor (symbolic links resolved),
 * with the parts that do not exist yet appended (they cannot be links).
 */
function realPath(p: string): string {
  const missing: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}
