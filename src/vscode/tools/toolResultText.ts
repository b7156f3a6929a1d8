import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IndexedResult } from '../../core/results/resultIndex';

/** Images named per document; the rest is counted. */
const MAX_IMAGES_LISTED = 20;

/** Paths, then the Markdown up to the cap; the rest named by path and line range. */
export async function describeResult(
  cap: number,
  label: string,
  result: IndexedResult,
  returnMarkdown: boolean,
  reused: boolean,
): Promise<string> {
  const markdown = await fsp.readFile(result.markdownPath, 'utf8');
  const lines = markdown.split('\n');
  const head: string[] = [
    vscode.l10n.t('Document: {0}', label),
    ...(reused
      ? [
          vscode.l10n.t(
            'Reused the existing result of {0} (same source and options); nothing was sent.',
            new Date(result.date).toISOString(),
          ),
        ]
      : []),
    vscode.l10n.t('Result folder: {0}', result.folder),
    vscode.l10n.t('Markdown: {0} ({1} lines)', result.markdownPath, lines.length),
  ];
  if (result.pages) head.push(vscode.l10n.t('Pages: {0}', result.pages));
  const images = await listImages(result.folder);
  if (images.length)
    head.push(
      vscode.l10n.t(
        'Images ({0}): {1}',
        images.length,
        images.slice(0, MAX_IMAGES_LISTED).join(', ') +
          (images.length > MAX_IMAGES_LISTED ? ` … (${images.length - MAX_IMAGES_LISTED})` : ''),
      ),
    );
  if (!returnMarkdown) return head.join('\n');
  let shown = markdown;
  let shownLines = lines.length;
  let restFrom = lines.length + 1;
  if (markdown.length > cap) {
    // Whole lines up to the cap; a first line longer than the cap alone is cut at the cap.
    let used = 0;
    shownLines = 0;
    while (shownLines < lines.length && used + lines[shownLines]!.length + 1 <= cap) {
      used += lines[shownLines]!.length + 1;
      shownLines++;
    }
    restFrom = shownLines + 1;
    if (shownLines === 0) {
      shown = markdown.slice(0, cap);
      shownLines = 1;
      restFrom = 1;
    } else shown = lines.slice(0, shownLines).join('\n');
  }
  const body = [
    ...head,
    '',
    vscode.l10n.t('--- Markdown, lines 1-{0} of {1} ---', shownLines, lines.length),
    shown,
  ];
  if (restFrom <= lines.length)
    body.push(
      vscode.l10n.t(
        '--- The rest is not shown: lines {0}-{1} of {2}. Read that file for more. ---',
        restFrom,
        lines.length,
        result.markdownPath,
      ),
    );
  return body.join('\n');
}

async function listImages(folder: string): Promise<string[]> {
  const dir = path.join(folder, 'images');
  try {
    const names = await fsp.readdir(dir);
    return names.sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}
