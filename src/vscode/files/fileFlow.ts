import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { describeError as logText, MinerUError } from '../../core/errors';
import { describeError } from '../errorText';
import { downloadForUpload, removeLocalCopy, type LocalCopy } from '../../core/files/localCopy';
import {
  checkFile,
  formatBytes,
  type PreflightProblem,
  type PreflightResult,
} from '../../core/files/preflight';
import type { FileItem, UrlItem } from '../../core/tasks/engine';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import { isAbortError } from '../../core/util/clock';
import { chooseMode, pickOutputDir, revealTasks, type CommandContext } from '../commands/commandContext';
import { resolveOutputDir } from '../settings';
import { limitsFor, readFileSettings } from './fileSettings';

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
  const outputDir = opts.outputDir ?? (await outputDirFor(ctx, files[0]!.path));
  if (!outputDir) return undefined;
  const mode = opts.mode ?? (await chooseMode(ctx));
  if (!mode) return undefined;
  const options = opts.options ?? ctx.settings().defaults;

  const limits = limitsFor(mode);
  const checked = await Promise.all(files.map((f) => checkFile(f.path, limits)));
  const refused = checked.filter((r) => !r.ok);
  const items: FileItem[] = [];
  checked.forEach((r, i) => {
    if (r.ok) items.push({ path: r.path, size: r.size, ...(files[i]!.name ? { name: files[i]!.name } : {}) });
  });
  for (const r of refused) {
    for (const p of r.problems) ctx.logger.warn(`Not sent: ${p.message}. ${p.hint}.`);
  }
  if (refused.length > 0) void reportRefused(ctx, refused, items.length, mode, { outputDir, options });
  if (items.length === 0) return [];
  return uploadWithProgress(ctx, items, { outputDir, options, mode });
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

/** The output folder of the workspace folder holding `filePath`, else the usual choice. */
async function outputDirFor(ctx: CommandContext, filePath: string): Promise<string | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(filePath));
  if (!folder) return pickOutputDir(ctx.settings());
  const resolved = resolveOutputDir(folder.uri, ctx.settings().outputDirectory);
  if (typeof resolved !== 'string') {
    void vscode.window.showErrorMessage(resolved.error);
    return undefined;
  }
  return resolved;
}

/** A translated sentence for one pre-flight problem. */
export function describeProblem(name: string, p: PreflightProblem, mode: TaskMode): string {
  switch (p.code) {
    case 'unsupported-type':
      return vscode.l10n.t(
        '"{0}" is not a type MinerU parses. Supported: .pdf .doc .docx .ppt .pptx .png .jpg .jpeg .html.',
        name,
      );
    case 'empty':
      return vscode.l10n.t('"{0}" is empty (0 bytes). Save the document again, then parse it.', name);
    case 'too-large':
      return mode === 'quick'
        ? vscode.l10n.t(
            '"{0}" is {1}, over the {2} limit of Quick mode. Set an API token to parse files up to 200 MB.',
            name,
            formatBytes(p.actual ?? 0),
            formatBytes(p.limit ?? 0),
          )
        : vscode.l10n.t(
            '"{0}" is {1}, over the {2} limit (setting mineru.maxFileSizeMB). Split the document or compress its images.',
            name,
            formatBytes(p.actual ?? 0),
            formatBytes(p.limit ?? 0),
          );
    case 'too-many-pages':
      return vscode.l10n.t(
        '"{0}" has {1} pages, over the {2}-page limit (setting mineru.maxPages). Parse it in parts with page ranges, e.g. "1-{2}".',
        name,
        p.actual ?? 0,
        p.limit ?? 0,
      );
    default:
      return vscode.l10n.t('"{0}" could not be read. Check that it still exists.', name);
  }
}

async function reportRefused(
  ctx: CommandContext,
  refused: PreflightResult[],
  sent: number,
  mode: TaskMode,
  request: { outputDir: string; options: ParseOptions },
): Promise<void> {
  const first = refused[0]!;
  const text = describeProblem(path.basename(first.path), first.problems[0]!, mode);
  const log = vscode.l10n.t('Show Log');
  const onlyPages =
    refused.length === 1 && first.problems.length === 1 && first.problems[0]!.code === 'too-many-pages';
  const limit = first.problems[0]!.limit ?? 0;
  const firstPages = vscode.l10n.t('Parse Pages 1-{0}', limit);
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
  const answer = await vscode.window.showWarningMessage(message, ...(onlyPages ? [firstPages, log] : [log]));
  if (answer === log) ctx.logger.show();
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

/**
 * Downloaded copies of URLs waiting for their upload: `<globalStorage>/downloads/<uuid>/<name>`.
 * A copy is deleted once its task is done or removed; failed tasks keep theirs for Retry.
 */
export class DownloadCache implements vscode.Disposable {
  readonly dir: string;
  private readonly busy = new Set<string>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly ctx: CommandContext) {
    this.dir = path.join(ctx.extension.globalStorageUri.fsPath, 'downloads');
    this.subscription = ctx.store.onDidChange((e) => {
      if (e.removed.length > 0 || e.changed.some((t) => t.state === 'done' && this.owns(t)))
        void this.prune();
    });
  }

  owns(task: TaskRecord): boolean {
    return task.source.kind === 'file' && task.source.path.startsWith(this.dir + path.sep);
  }

  /** Deletes every copy no task needs any more (not while a download or upload is under way). */
  async prune(): Promise<void> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.dir);
    } catch {
      return;
    }
    const needed = new Set<string>();
    for (const t of this.ctx.store.all()) {
      if (t.state !== 'done' && this.owns(t)) needed.add(path.dirname((t.source as { path: string }).path));
    }
    for (const entry of entries) {
      const folder = path.join(this.dir, entry);
      if (needed.has(folder) || this.busy.has(folder)) continue;
      await fs.rm(folder, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Downloads each URL here (cancellable, size-capped, no credentials) and parses the copies as
   * local files. URLs that cannot be downloaded are reported; the rest still go.
   */
  async uploadUrls(
    urls: UrlItem[],
    opts: { outputDir: string; options: ParseOptions; mode?: TaskMode },
  ): Promise<TaskRecord[] | undefined> {
    const maxBytes = readFileSettings().localDownloadMaxMB * 1_048_576;
    const copies: LocalCopy[] = [];
    const claimed: string[] = [];
    try {
      const cancelled = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('MinerU: downloading {0} document(s) to upload them', urls.length),
          cancellable: true,
        },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          try {
            for (const [i, item] of urls.entries()) {
              if (controller.signal.aborted) return true;
              progress.report({ message: `${i + 1}/${urls.length}` });
              try {
                const copy = await downloadForUpload(item.url, this.dir, {
                  maxBytes,
                  signal: controller.signal,
                  logger: this.ctx.logger,
                  onProgress: (done, total) =>
                    progress.report({
                      message: `${i + 1}/${urls.length} · ${formatBytes(done)}${total ? ` / ${formatBytes(total)}` : ''}`,
                    }),
                });
                this.busy.add(path.dirname(copy.path));
                claimed.push(path.dirname(copy.path));
                copies.push(copy);
              } catch (error) {
                if (isAbortError(error) || controller.signal.aborted) return true;
                const text = error instanceof MinerUError ? logText(error.toJSON()) : String(error);
                this.ctx.logger.error(`Could not download ${item.url} here: ${text}`);
                const shown =
                  error instanceof MinerUError ? describeError(error.toJSON(), vscode.l10n) : text;
                void vscode.window.showErrorMessage(
                  vscode.l10n.t('MinerU: could not download "{0}": {1}', item.url, shown),
                );
              }
            }
            return false;
          } finally {
            sub.dispose();
          }
        },
      );
      if (cancelled) {
        for (const copy of copies) await removeLocalCopy(this.dir, copy.path).catch(() => undefined);
        return undefined;
      }
      if (copies.length === 0) return [];
      return await parseLocalFiles(
        this.ctx,
        copies.map((c) => ({ path: c.path, name: c.name })),
        opts,
      );
    } finally {
      for (const folder of claimed) this.busy.delete(folder);
      void this.prune();
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
