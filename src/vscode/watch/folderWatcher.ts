import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fileSha256, resultKey, type ResultIndex } from '../../core/results/resultIndex';
import { systemClock, type Clock, type TimerHandle } from '../../core/util/clock';
import { StabilityTracker } from '../../core/watch/stability';
import {
  checkWatchGlob,
  globBase,
  isWatchable,
  outermostPaths,
  type WatchGlobCheck,
} from '../../core/watch/watchRules';
import type { CommandContext } from '../commandContext';
import { parseLocalFiles } from '../files/localFiles';
import { currentDestination } from '../flows/destination';
import { readWatchSettings } from '../settings';

/** The workspaceState key of the globs the user agreed to watch (`<folder uri>|<glob>`). */
export const WATCH_CONFIRMED_KEY = 'mineru.watch.confirmed';

export interface WatchTiming {
  /** Quiet time after a file's last event before it is looked at. */
  debounceMs: number;
  /** Time between two looks at its size. */
  checkMs: number;
}

const DEFAULT_TIMING: WatchTiming = { debounceMs: 1500, checkMs: 1000 };

/**
 * Watched folders (`mineru.watch.folders`): new or replaced files matching a confirmed glob are
 * parsed once they are stable (src/core/watch/stability.ts), unless the result index already holds
 * a result of the same content and options. Nothing is watched in an untrusted workspace, and a
 * glob is only watched after the user said so for this workspace.
 */
export class FolderWatcher implements vscode.Disposable {
  private readonly watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly tracker: StabilityTracker;
  /** Globs already asked about in this window (asked again after a reload until confirmed). */
  private readonly asked = new Set<string>();
  /** Keys being sent now: a second event for the same content waits for the index. */
  private readonly sending = new Set<string>();
  private rebuilding: Promise<void> = Promise.resolve();
  /** Per watched glob, the pending look into what was created (see watch()). */
  private readonly scans = new Map<string, TimerHandle>();

  constructor(
    private readonly ctx: CommandContext,
    private readonly results: ResultIndex,
    private readonly timing: WatchTiming = DEFAULT_TIMING,
    private readonly clock: Clock = systemClock,
  ) {
    this.tracker = new StabilityTracker({
      clock,
      ...timing,
      stat: async (file) => {
        const st = await fs.stat(file);
        return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
      },
      onStable: (file) => void this.send(file),
    });
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          e.affectsConfiguration('mineru.watch.folders') ||
          e.affectsConfiguration('mineru.outputDirectory')
        )
          this.rebuild();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.rebuild()),
    );
    this.rebuild();
  }

  /** Settles when the last rebuild (and the questions it asked) is done; for the host tests. */
  get ready(): Promise<void> {
    return this.rebuilding;
  }

  /** Files seen but not yet stable. */
  get pending(): string[] {
    return this.tracker.pending;
  }

  rebuild(): void {
    this.rebuilding = this.rebuilding
      .then(() => this.start())
      .catch((e: unknown) => {
        this.ctx.logger.warn(
          `Watched folders could not start: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
  }

  private async start(): Promise<void> {
    disposeAll(this.watchers);
    this.clearScans();
    if (!vscode.workspace.isTrusted) {
      const any = (vscode.workspace.workspaceFolders ?? []).some(
        (f) => readWatchSettings(f.uri).globs.length > 0,
      );
      if (any) this.ctx.logger.info('Watched folders are off: this workspace is not trusted.');
      return;
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const settings = readWatchSettings(folder.uri);
      for (const raw of settings.globs) {
        const checked = checkWatchGlob(raw);
        if (!checked.ok) {
          this.refuse(checked);
          continue;
        }
        if (!(await this.confirmed(folder, checked.glob))) continue;
        this.watch(folder, checked.glob);
      }
    }
  }

  private watch(folder: vscode.WorkspaceFolder, glob: string): void {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, glob),
      false,
      false,
      true,
    );
    const inScope = (uri: vscode.Uri): boolean =>
      uri.scheme === 'file' &&
      // The output folder as it is now: a changed mineru.outputDirectory counts at once.
      isWatchable(
        path.relative(folder.uri.fsPath, uri.fsPath),
        readWatchSettings(folder.uri).outputDirectory,
      );
    const seen = (uri: vscode.Uri): void => {
      if (inScope(uri)) this.tracker.touch(uri.fsPath);
    };
    // A folder moved or copied in may come as one event for the folder alone: a move is a single
    // event, and the platform watcher starts watching a new folder after files may already be in it.
    // So what is created under the glob's base is looked into once creations are quiet: one search
    // for the glob, whatever the number created (a build writing thousands of files costs one).
    const base = globBase(glob);
    const folders = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, base ? `{${base},${base}/**}` : '**'),
      false,
      true,
      true,
    );
    const key = `${folder.uri.toString()}|${glob}`;
    const createdPaths = new Set<string>();
    const created = (uri: vscode.Uri): void => {
      if (!inScope(uri)) return;
      createdPaths.add(uri.fsPath);
      const earlier = this.scans.get(key);
      if (earlier) this.clock.clearTimeout(earlier);
      const timer = this.clock.setTimeout(() => {
        this.scans.delete(key);
        const paths = outermostPaths([...createdPaths], path.sep);
        createdPaths.clear();
        void this.scan(folder, glob, paths, seen);
      }, this.timing.debounceMs);
      this.scans.set(key, timer);
    };
    this.watchers.push(
      watcher,
      watcher.onDidCreate(seen),
      watcher.onDidChange(seen),
      folders,
      folders.onDidCreate(created),
    );
    this.ctx.logger.info(`Watching "${glob}" in ${folder.name}.`);
  }

  /** Created paths: every file that matches the glob inside those that are folders is seen. */
  private async scan(
    folder: vscode.WorkspaceFolder,
    glob: string,
    paths: readonly string[],
    seen: (uri: vscode.Uri) => void,
  ): Promise<void> {
    const stats = await Promise.all(paths.map((p) => fs.stat(p).catch(() => undefined)));
    const dirs = paths.filter((_, i) => stats[i]?.isDirectory()).map((d) => d + path.sep);
    if (dirs.length === 0) return;
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), null, 10_000);
    for (const uri of found) if (dirs.some((d) => uri.fsPath.startsWith(d))) seen(uri);
  }

  private clearScans(): void {
    for (const timer of this.scans.values()) this.clock.clearTimeout(timer);
    this.scans.clear();
  }

  /** Whether the user agreed to watch this glob here: asked once per window until they do. */
  private async confirmed(folder: vscode.WorkspaceFolder, glob: string): Promise<boolean> {
    const id = `${folder.uri.toString()}|${glob}`;
    const state = this.ctx.extension.workspaceState;
    const agreed = state.get<string[]>(WATCH_CONFIRMED_KEY) ?? [];
    if (agreed.includes(id)) return true;
    if (this.asked.has(id)) return false;
    this.asked.add(id);
    const destination = await currentDestination(this.ctx);
    const watch = vscode.l10n.t('Watch');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'MinerU: watch "{0}"? New or replaced files there will be sent to {1} and parsed automatically, without asking each time.',
        glob,
        destination?.label ?? vscode.l10n.t('the MinerU service'),
      ),
      watch,
      vscode.l10n.t('Not Now'),
    );
    if (answer !== watch) {
      this.ctx.logger.info(`Watched folder "${glob}" not confirmed; nothing there is sent.`);
      return false;
    }
    await state.update(WATCH_CONFIRMED_KEY, [...(state.get<string[]>(WATCH_CONFIRMED_KEY) ?? []), id]);
    return true;
  }

  private refuse(checked: Extract<WatchGlobCheck, { ok: false }>): void {
    const why =
      checked.problem === 'empty'
        ? vscode.l10n.t('it is empty')
        : checked.problem === 'absolute'
          ? vscode.l10n.t('it is an absolute path')
          : vscode.l10n.t('it leaves the workspace folder with ".."');
    const open = vscode.l10n.t('Open Settings');
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t(
          'MinerU does not watch "{0}": {1}. Use a glob relative to the workspace folder, such as "papers/inbox/**/*.pdf".',
          checked.glob,
          why,
        ),
        open,
      )
      .then((answer) =>
        answer === open
          ? vscode.commands.executeCommand('workbench.action.openSettings', 'mineru.watch.folders')
          : undefined,
      );
  }

  /** A stable file: parsed unless the same content was parsed (or is being sent) with the same options. */
  private async send(file: string): Promise<void> {
    const name = path.basename(file);
    const destination = await currentDestination(this.ctx);
    const options = this.ctx.settings().defaults;
    let key: string | undefined;
    try {
      if (destination)
        key = resultKey({ kind: 'file', sha256: await fileSha256(file) }, destination.mode, options);
    } catch {
      return; // gone or unreadable since it was stable: its next event tries again
    }
    if (key && (this.sending.has(key) || (await this.results.lookup(key)))) {
      this.ctx.logger.info(`Watched file ${name} was already parsed with these options; not sent again.`);
      return;
    }
    if (key) this.sending.add(key);
    this.ctx.logger.info(`Watched file ${name} is complete; parsing it.`);
    try {
      const tasks = await parseLocalFiles(this.ctx, [{ path: file }]);
      // Until its task finishes (and the index holds it), the same content is not sent again.
      const ids = new Set((tasks ?? []).map((t) => t.id));
      if (key && ids.size > 0) this.releaseWhenFinished(key, ids);
      else if (key) this.sending.delete(key);
    } catch (e) {
      if (key) this.sending.delete(key);
      this.ctx.logger.warn(
        `Watched file ${name} was not sent: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private releaseWhenFinished(key: string, ids: Set<string>): void {
    const listener = this.ctx.engine.onEvent((e) => {
      if (e.kind !== 'finished' || !ids.has(e.task.id)) return;
      ids.delete(e.task.id);
      if (ids.size > 0) return;
      listener.dispose();
      // The index records the result on the same event; a failed task may be sent again.
      setTimeout(() => this.sending.delete(key), 1000);
    });
    this.subscriptions.push(listener);
  }

  dispose(): void {
    this.tracker.dispose();
    this.clearScans();
    disposeAll(this.watchers);
    disposeAll(this.subscriptions);
  }
}

function disposeAll(disposables: vscode.Disposable[]): void {
  for (const d of disposables.splice(0)) d.dispose();
}
