import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { describeError as logText, MinerUError } from '../../core/errors';
import { describeError } from '../errorText';
import { downloadForUpload, removeLocalCopy, type LocalCopy } from '../../core/files/localCopy';
import { formatBytes } from '../../core/files/preflight';
import type { UrlItem } from '../../core/tasks/engine';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import { isAbortError } from '../../core/util/clock';
import type { CommandContext } from '../commandContext';
import { readFileSettings } from '../settings';
import { parseLocalFiles } from './localFiles';

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
    opts: { outputDir: string; options: ParseOptions; mode?: TaskMode; split?: 'force' },
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
