import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { checkFile, formatBytes, type PreflightResult } from '../../core/files/preflight';
import type { FileItem } from '../../core/tasks/engine';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { outputDirFor } from '../flows/outputFolder';
import { chooseMode } from '../flows/parseMode';
import { revealTasks } from '../flows/revealTasks';
import { readFileSettings } from '../settings';
import { limitsFor } from './fileLimits';
import { describeProblem } from './preflightText';
import { isSplittable, parseFileInParts, partCount } from './splitOffer';

/** A local file to parse; `name` overrides the name sent to the service (downloads keep the URL's name). */
export interface LocalFile {
  path: string;
  name?: string;
}

export interface LocalParseOptions {
  /** Where results go; default: the output folder of the file's workspace folder. */
  outputDir?: string;
  options?: ParseOptions;
  mode?: TaskMode;
  /** 'force': a PDF over the limits is split without asking ("Download and Parse in Parts"). */
  split?: 'force';
}

/**
 * Parses local files: output folder, mode (token), pre-flight checks of every file, then one
 * upload batch of the files that passed, with a cancellable progress notification in bytes.
 * Files that fail a check are reported (and logged) and the others still go.
 */
export async function parseLocalFiles(
  ctx: CommandContext,
  files: LocalFile[],
  opts: LocalParseOptions = {},
): Promise<TaskRecord[] | undefined> {
  if (files.length === 0) return undefined;
  const outputDir = opts.outputDir ?? (await outputDirFor(ctx.settings(), files[0]!.path));
  if (!outputDir) return undefined;
  const mode = opts.mode ?? (await chooseMode(ctx));
  if (!mode) return undefined;
  const options = opts.options ?? ctx.settings().defaults;

  const limits = limitsFor(mode);
  const checked = await Promise.all(files.map((f) => checkFile(f.path, limits)));
  const policy = opts.split === 'force' ? 'always' : readFileSettings().splitLargeDocuments;
  // "always": a PDF beyond the limits alone is split without asking; the message says so.
  const autoSplit = policy === 'always' ? checked.filter((r) => !r.ok && isSplittable(r)) : [];
  const refused = checked.filter((r) => !r.ok && !autoSplit.includes(r));
  const items: FileItem[] = [];
  checked.forEach((r, i) => {
    if (r.ok) items.push({ path: r.path, size: r.size, ...(files[i]!.name ? { name: files[i]!.name } : {}) });
  });
  for (const r of refused) {
    for (const p of r.problems) ctx.logger.warn(`Not sent: ${p.message}. ${p.hint}.`);
  }
  if (refused.length > 0) void reportRefused(ctx, refused, items.length, mode, { outputDir, options }, files);
  const request = { outputDir, options, mode };
  const documents: TaskRecord[] = [];
  for (const r of autoSplit) {
    const index = checked.indexOf(r);
    const name = files[index]!.name ?? path.basename(r.path);
    const count = partCount(r, limits);
    ctx.logger.info(`"${name}" is beyond the service's limits: parsed in parts.`);
    void vscode.window.showInformationMessage(
      count
        ? vscode.l10n.t(
            'MinerU: "{0}" is beyond the service\'s limits: it is parsed in {1} parts.',
            name,
            count,
          )
        : vscode.l10n.t('MinerU: "{0}" is beyond the service\'s limits: it is parsed in parts.', name),
    );
    const file = { path: r.path, size: r.size, ...(files[index]!.name ? { name: files[index]!.name } : {}) };
    const doc = await parseFileInParts(ctx, file, limits, request);
    if (doc) documents.push(doc);
  }
  if (items.length === 0) return documents;
  return [...documents, ...(await uploadWithProgress(ctx, items, request))];
}

async function uploadWithProgress(
  ctx: CommandContext,
  items: FileItem[],
  request: { outputDir: string; options: ParseOptions; mode: TaskMode },
): Promise<TaskRecord[]> {
  const total = items.reduce((sum, item) => sum + item.size, 0);
  const paths = new Set(items.map((item) => item.path));
  const started = Date.now();
  const tasks = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title:
        items.length === 1
          ? vscode.l10n.t('MinerU: uploading "{0}"', items[0]!.name ?? path.basename(items[0]!.path))
          : vscode.l10n.t('MinerU: uploading {0} files', items.length),
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => {
        ctx.logger.info('Upload cancelled by the user.');
        controller.abort();
      });
      let reported = 0;
      const report = (): void => {
        let done = 0;
        for (const t of ctx.store.all()) {
          if (t.source.kind !== 'file' || !paths.has(t.source.path) || t.createdAt < started) continue;
          if (t.state === 'submitting') continue;
          done += t.state === 'uploading' ? (t.transfer?.done ?? 0) : t.source.size;
        }
        const percent = total > 0 ? Math.min(100, (done / total) * 100) : 100;
        progress.report({
          message: `${formatBytes(done)} / ${formatBytes(total)}`,
          increment: Math.max(0, percent - reported),
        });
        reported = Math.max(reported, percent);
      };
      const listener = ctx.store.onDidChange(report);
      try {
        return await ctx.engine.submitFiles(items, request, controller.signal);
      } finally {
        listener.dispose();
        cancel.dispose();
      }
    },
  );
  await revealTasks(ctx, tasks);
  return tasks;
}

async function reportRefused(
  ctx: CommandContext,
  refused: PreflightResult[],
  sent: number,
  mode: TaskMode,
  request: { outputDir: string; options: ParseOptions },
  files: LocalFile[],
): Promise<void> {
  const first = refused[0]!;
  const name = files.find((f) => f.path === first.path)?.name;
  const text = describeProblem(path.basename(first.path), first.problems[0]!, mode);
  const log = vscode.l10n.t('Show Log');
  const onlyPages =
    refused.length === 1 && first.problems.length === 1 && first.problems[0]!.code === 'too-many-pages';
  const limit = first.problems[0]!.limit ?? 0;
  const firstPages = vscode.l10n.t('Parse Pages 1-{0}', limit);
  const limits = limitsFor(mode);
  const offerSplit =
    refused.length === 1 && isSplittable(first) && readFileSettings().splitLargeDocuments === 'ask';
  const count = offerSplit ? partCount(first, limits) : undefined;
  const inParts = count ? vscode.l10n.t('Parse in {0} Parts', count) : vscode.l10n.t('Parse in Parts');
  const message =
    refused.length === 1
      ? sent > 0
        ? vscode.l10n.t('MinerU: {0} The other {1} file(s) are being parsed.', text, sent)
        : vscode.l10n.t('MinerU: {0}', text)
      : vscode.l10n.t(
          'MinerU: {0} of {1} files were not sent. {2}',
          refused.length,
          refused.length + sent,
          text,
        );
  const answer = await vscode.window.showWarningMessage(
    message,
    ...(offerSplit ? [inParts] : []),
    ...(onlyPages ? [firstPages] : []),
    log,
  );
  if (answer === log) ctx.logger.show();
  if (answer === inParts && offerSplit) {
    await parseFileInParts(ctx, { path: first.path, size: first.size, ...(name ? { name } : {}) }, limits, {
      ...request,
      mode,
    });
  }
  if (answer === firstPages) {
    // The file is within the page limit once narrowed to the first pages.
    const item: FileItem = { path: first.path, size: first.size };
    const tasks = await uploadWithProgress(ctx, [item], {
      ...request,
      options: { ...request.options, pageRanges: `1-${limit}` },
      mode,
    });
    await revealTasks(ctx, tasks);
  }
}
