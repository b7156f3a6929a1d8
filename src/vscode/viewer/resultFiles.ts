/**
 * Reads what the source viewer shows from a result folder: first its listing (the origin PDF's URI,
 * or why there is nothing to show), then the content list (typed blocks) and the layout in points
 * when present; problems are worded for the user.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContentBlock, ViewerIssue } from '../../core/viewer/contentList';
import { readContentList } from '../../core/viewer/contentList';
import type { LayoutInfo } from '../../core/viewer/layout';
import { readLayout } from '../../core/viewer/layout';
import { pickResultFiles, type ResultFiles } from '../../core/viewer/viewerModel';
import type { OutputLogger } from '../log';
import { viewerIssueText } from './viewerText';

/** Largest content list read (a 600-page result is a few MB). */
const MAX_CONTENT_LIST_BYTES = 200 * 1_048_576;

export interface Loaded {
  blocks: ContentBlock[];
  layout?: LayoutInfo;
  pdf: vscode.Uri;
}

/** A result folder the viewer can show: its inputs by name, and the origin PDF's URI. */
export interface Listed {
  folder: vscode.Uri;
  files: ResultFiles & { contentList: string; originPdf: string };
  pdf: vscode.Uri;
}

/** Lists the result folder: what the viewer reads, or why it cannot show it, worded for the user. */
export async function listResult(markdownPath: string): Promise<Listed | string> {
  const folder = vscode.Uri.file(path.dirname(markdownPath));
  const name = path.basename(markdownPath);
  let names: string[];
  try {
    names = (await vscode.workspace.fs.readDirectory(folder)).map(([n]) => n);
  } catch {
    return vscode.l10n.t(
      'The result folder of "{0}" is no longer there. Retry to parse the document again.',
      name,
    );
  }
  const files = pickResultFiles(names);
  if (!files.contentList && !files.originPdf)
    return vscode.l10n.t(
      '"{0}" has no origin PDF and no content list, so there is no source to show beside it. Quick mode results have neither: parse the document in precise mode (or on your own server) to check it against its pages.',
      name,
    );
  if (!files.originPdf)
    return vscode.l10n.t(
      '"{0}" has no origin PDF (*_origin.pdf) in its folder, so its pages cannot be shown. Parse the document again in precise mode.',
      name,
    );
  if (!files.contentList)
    return vscode.l10n.t(
      '"{0}" has no content list (*_content_list.json) in its folder, so its blocks cannot be placed on the pages. Parse the document again in precise mode.',
      name,
    );
  const picked = { ...files, contentList: files.contentList, originPdf: files.originPdf };
  return { folder, files: picked, pdf: vscode.Uri.joinPath(folder, files.originPdf) };
}

/** Reads the content list (typed blocks) and the layout in points when present; or why not. */
export async function readBlocks(
  logger: OutputLogger,
  markdownPath: string,
  { folder, files }: Listed,
): Promise<Omit<Loaded, 'pdf'> | string> {
  const name = path.basename(markdownPath);
  const listUri = vscode.Uri.joinPath(folder, files.contentList);
  const layoutRead = files.layout
    ? Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, files.layout))).then(
        (bytes) => bytes,
        (e: unknown) => e,
      )
    : undefined;
  const stat = await vscode.workspace.fs.stat(listUri);
  if (stat.size > MAX_CONTENT_LIST_BYTES)
    return vscode.l10n.t(
      'The content list of "{0}" is too large to show ({1} MB).',
      name,
      Math.round(stat.size / 1_048_576),
    );
  const read = readContentList(new TextDecoder().decode(await vscode.workspace.fs.readFile(listUri)));
  if (!read.ok) return contentListProblem(name, files.contentList, read.error);
  const loaded: Omit<Loaded, 'pdf'> = { blocks: read.value };
  if (files.layout && layoutRead) {
    const bytes = await layoutRead;
    if (bytes instanceof Uint8Array) {
      const layout = readLayout(new TextDecoder().decode(bytes));
      if (layout.ok) loaded.layout = layout.value;
      else logger.warn(`Viewer: ${files.layout} ignored (${layout.error.reason}); boxes use content_list.`);
    } else {
      logger.warn(`Viewer: ${files.layout} could not be read (${String(bytes)}); boxes use content_list.`);
    }
  }
  return loaded;
}

function contentListProblem(name: string, file: string, issue: ViewerIssue): string {
  return vscode.l10n.t(
    'The content list {0} of "{1}" cannot be read: {2}. Parse the document again; if it keeps happening, report it with the task id.',
    file,
    name,
    viewerIssueText(issue),
  );
}
