import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SerializedError } from '../core/errors';
import { describeError, errorText } from './errorText';
import { isOverLimitFailure } from './overLimit';
import { suggestsPageRanges } from './pageRangeText';
import { isFetchFailure } from '../core/files/localCopy';
import type { EngineEvent, ParseEngine } from '../core/tasks/engine';
import type { TaskRecord } from '../core/tasks/task';
import { readFileSettings } from './settings';

const SETTLE_MS = 1500;

/**
 * Tells the user when documents finish. Several results finishing together give one
 * notification, not a storm; failures name the phase, the cause and the next step.
 */
export class Notifier implements vscode.Disposable {
  private pending: TaskRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastAuthCode: string | undefined;
  private rateLimitTold = false;

  constructor(
    /** "Retry Now" of a paused queue polls again at once, the same as Refresh. */
    private readonly engine: Pick<ParseEngine, 'refresh'>,
    private readonly settleMs = SETTLE_MS,
  ) {}

  /** Every engine event ends here: extension.ts subscribes this one handler. */
  handle(event: EngineEvent): void {
    switch (event.kind) {
      case 'finished':
        // A part's end is told by its document (merged, or failed naming the part): one notice.
        if (event.task.part) return;
        this.pending = this.pending.filter((t) => t.id !== event.task.id);
        this.pending.push(event.task);
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.flush(), this.settleMs);
        return;
      case 'auth-failed':
        void this.authFailed(event.error);
        return;
      case 'rate-limited':
        if (this.rateLimitTold) return;
        // Once per window: the task row shows the retry time from then on.
        this.rateLimitTold = true;
        void vscode.window.showWarningMessage(
          vscode.l10n.t(
            'MinerU Quick mode is busy for your network address (HTTP 429). "{0}" will be tried again at {1}; set an API token to use the precise mode instead.',
            event.task.name,
            new Date(event.retryAt).toLocaleTimeString(),
          ),
        );
        return;
      case 'paused':
        void this.announcePause(event);
        return;
      case 'poll-trouble':
        void this.pollTrouble(event.tasks, event.error);
        return;
      default: {
        // A new kind of event fails to compile here until the notifier handles it.
        const unhandled: never = event;
        void unhandled;
      }
    }
  }

  /**
   * Following tasks stopped working (the server is down, refuses, is busy): once per outage, say
   * what failed and that the tasks wait and are checked again; the tree row shows it meanwhile.
   */
  private async pollTrouble(tasks: readonly TaskRecord[], error: SerializedError): Promise<void> {
    const log = vscode.l10n.t('Show Log');
    const test = vscode.l10n.t('Test Connection');
    const what = tasks.length === 1 ? `"${tasks[0]!.name}"` : vscode.l10n.t('{0} documents', tasks.length);
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'MinerU: cannot follow {0} right now: {1} The task keeps its place and is checked again with growing waits.',
        what,
        describeError(error, vscode.l10n),
      ),
      test,
      log,
    );
    if (answer === test) await vscode.commands.executeCommand('mineru.testConnection');
    if (answer === log) await vscode.commands.executeCommand('mineru.showLog');
  }

  /** Called when the token changes, so a new bad token is reported again. */
  resetAuth(): void {
    this.lastAuthCode = undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const tasks = this.pending;
    this.pending = [];
    const done = tasks.filter((t) => t.state === 'done');
    const failed = tasks.filter((t) => t.state === 'failed');
    if (tasks.length === 1 && done.length === 1) {
      const t = done[0]!;
      const open = vscode.l10n.t('Open');
      const answer = await vscode.window.showInformationMessage(
        vscode.l10n.t('MinerU: "{0}" is ready: {1}', t.name, path.basename(t.result?.markdownPath ?? '')),
        open,
      );
      if (answer === open) await vscode.commands.executeCommand('mineru.openResult', t.id);
      return;
    }
    if (tasks.length === 1 && failed.length === 1) {
      const t = failed[0]!;
      const retry = vscode.l10n.t('Retry');
      const log = vscode.l10n.t('Show Log');
      // Too large / too many pages: page ranges get around it.
      const ranges = vscode.l10n.t('Re-run with Page Ranges');
      // The service could not fetch the URL: offer to download it here and upload the bytes.
      const upload = vscode.l10n.t('Download Here and Upload');
      const inParts = vscode.l10n.t('Download and Parse in Parts');
      const canSplit = isOverLimitFailure(t);
      const canUpload =
        t.source.kind === 'url' &&
        isFetchFailure(t.error) &&
        readFileSettings().uploadUrlsLocally !== 'never';
      const answer = await vscode.window.showErrorMessage(
        vscode.l10n.t(
          'MinerU: "{0}": {1}',
          t.name,
          t.error ? describeError(t.error, vscode.l10n) : vscode.l10n.t('failed'),
        ),
        ...(canUpload ? [upload] : []),
        ...(canSplit ? [inParts] : []),
        ...(suggestsPageRanges(t.error) ? [ranges] : []),
        retry,
        log,
      );
      if (answer === ranges) await vscode.commands.executeCommand('mineru.retryWithPageRanges', t.id);
      if (answer === upload) await vscode.commands.executeCommand('mineru.uploadFromUrl', t.id);
      if (answer === inParts) await vscode.commands.executeCommand('mineru.parseInParts', t.id);
      if (answer === retry) await vscode.commands.executeCommand('mineru.retryTask', t.id);
      if (answer === log) await vscode.commands.executeCommand('mineru.showLog');
      return;
    }
    const show = vscode.l10n.t('Show Tasks');
    const open = vscode.l10n.t('Open');
    const message = failed.length
      ? vscode.l10n.t('MinerU: {0} documents are ready, {1} failed.', done.length, failed.length)
      : vscode.l10n.t('MinerU: {0} documents are ready.', done.length);
    const actions = done.length ? [open, show] : [show];
    const answer = failed.length
      ? await vscode.window.showWarningMessage(message, ...actions)
      : await vscode.window.showInformationMessage(message, ...actions);
    if (answer === show) await vscode.commands.executeCommand('mineru.tasks.focus');
    if (answer === open && done[0]) await vscode.commands.executeCommand('mineru.openResult', done[0].id);
  }

  private async authFailed(error: SerializedError): Promise<void> {
    if (this.lastAuthCode === error.code) return; // tell once per token, not once per poll
    this.lastAuthCode = error.code;
    const set = vscode.l10n.t('Set API Token');
    const text =
      error.code === 'A0211'
        ? vscode.l10n.t('MinerU: the API token has expired (A0211). Create a new token and set it.')
        : vscode.l10n.t(
            'MinerU rejected the API token ({0}): {1}. Check the token, or create a new one.',
            error.code ?? '401',
            errorText(error, vscode.l10n).message,
          );
    const answer = await vscode.window.showErrorMessage(text, set);
    if (answer === set) await vscode.commands.executeCommand('mineru.setToken');
  }

  /**
   * Tells the user once that the queue paused on a quota or a full queue, with the time it will be
   * tried again; "Retry Now" resumes at once (the same as Refresh).
   */
  private async announcePause(event: Extract<EngineEvent, { kind: 'paused' }>): Promise<void> {
    const at = new Date(event.until).toLocaleTimeString(vscode.env.language, {
      hour: '2-digit',
      minute: '2-digit',
    });
    const reason =
      event.error.code === '-60009'
        ? vscode.l10n.t('the service queue is full (-60009)')
        : event.error.code === '-60019'
          ? vscode.l10n.t('the HTML parsing quota is used up (-60019)')
          : vscode.l10n.t('the daily parsing quota is used up (-60018)');
    const now = vscode.l10n.t('Retry Now');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'MinerU paused the queue: {0}. Your documents keep their place and are tried again at {1}.',
        reason,
        at,
      ),
      now,
    );
    if (answer === now) this.engine.refresh();
  }
}
