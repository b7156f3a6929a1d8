import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MinerUClient } from '../../core/api/client';
import type { CheckId, CheckResult } from '../../core/api/connectionCheck';
import type { SerializedError } from '../../core/errors';
import { parsePageRanges } from '../../core/options/pageRanges';
import type { TaskRecord } from '../../core/tasks/task';
import { resolveTask, type CommandContext } from './commandContext';
import { registerCommand } from './register';

/** Formats the service can add besides Markdown; they land beside the .md as <name>.docx/.html/.tex. */
const EXTRA_KINDS: ReadonlySet<string> = new Set(['docx', 'html', 'latex']);

export function extrasOf(task: TaskRecord): { format: string; path: string }[] {
  return task.result?.extras.filter((e) => EXTRA_KINDS.has(e.format)) ?? [];
}

/** Whether a failure is one that page ranges can get around (too large, too many pages). */
export function suggestsPageRanges(error: SerializedError | undefined): boolean {
  if (!error) return false;
  if (error.code && ['-60005', '-60006', '-30001', '-30003'].includes(error.code)) return true;
  return /pages?/i.test(error.message) && /limit|exceed|too many/i.test(error.message);
}

/** Test Connection, Open Extra Format, Re-run with Page Ranges. */
export function registerPowerCommands(
  ctx: CommandContext,
  client: () => Promise<MinerUClient>,
): vscode.Disposable[] {
  return [
    registerCommand(ctx, 'mineru.testConnection', async () => testConnection(ctx, await client())),
    registerCommand(ctx, 'mineru.openExtra', async (arg?: unknown) => {
      const task = resolveTask(ctx, arg);
      if (task) await openExtra(task);
    }),
    registerCommand(ctx, 'mineru.retryWithPageRanges', async (arg?: unknown) => {
      const task = resolveTask(ctx, arg);
      if (task) await retryWithPageRanges(ctx, task);
    }),
  ];
}

function checkLabel(id: CheckId): string {
  switch (id) {
    case 'api':
      return vscode.l10n.t('API host');
    case 'token':
      return vscode.l10n.t('API token');
    case 'batch':
      return vscode.l10n.t('Batch API host');
    case 'upload':
      return vscode.l10n.t('Upload host');
    case 'result':
      return vscode.l10n.t('Result download host');
  }
}

function outcomeLabel(outcome: CheckResult['outcome']): string {
  switch (outcome) {
    case 'passed':
      return vscode.l10n.t('passed');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'skipped':
      return vscode.l10n.t('skipped');
  }
}

/**
 * Checks the token and every host with one small request each, writes a section to the MinerU
 * log and tells the user the outcome. Returns the results (the integration tests read them).
 */
async function testConnection(ctx: CommandContext, client: MinerUClient): Promise<CheckResult[]> {
  // Loaded on first use, like the client: none of this runs during activation.
  const {
    createHttpProbe,
    DEFAULT_RESULT_PROBE_URL,
    DEFAULT_UPLOAD_PROBE_URL,
    describeProxy,
    runConnectionChecks,
  } = await import('../../core/api/connectionCheck.js');
  const settings = ctx.settings();
  const official = isOfficial(settings.apiBaseUrl);
  const recentZip = ctx.store
    .all()
    .map((t) => t.zipUrl)
    .filter((u): u is string => !!u)
    .pop();
  const recentOrigin = recentZip ? `${new URL(recentZip).origin}/` : undefined;
  const proxySetting = vscode.workspace.getConfiguration('http').get<string>('proxy');
  const proxy = describeProxy(proxySetting, process.env, settings.apiBaseUrl);
  const results = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('MinerU: testing the connection…'),
      cancellable: true,
    },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return runConnectionChecks({
        apiBaseUrl: settings.apiBaseUrl,
        batchBaseUrl: settings.batchApiBaseUrl,
        uploadUrl: official ? DEFAULT_UPLOAD_PROBE_URL : recentOrigin,
        resultUrl: recentOrigin ?? (official ? DEFAULT_RESULT_PROBE_URL : undefined),
        checkToken: (signal) => client.checkConnection(signal),
        probe: createHttpProbe({ timeoutMs: 10_000 }),
        signal: controller.signal,
      });
    },
  );

  const proxyText = proxy.proxy
    ? vscode.l10n.t(
        'Proxy: {0} (from {1}){2}',
        proxy.proxy,
        proxy.source ?? '',
        proxy.bypassed ? vscode.l10n.t(', bypassed for this host by NO_PROXY') : '',
      )
    : vscode.l10n.t('Proxy: none (direct connection)');
  ctx.logger.info('---- Test Connection ----');
  for (const r of results) {
    ctx.logger.info(
      `${checkLabel(r.id)}: ${outcomeLabel(r.outcome)} — ${r.target} — ${r.detail}${r.code ? ` [${r.code}]` : ''}${r.hint ? ` (${r.hint})` : ''}`,
    );
  }
  ctx.logger.info(proxyText);
  const strict = vscode.workspace.getConfiguration('http').get<boolean>('proxyStrictSSL');
  if (strict === false) ctx.logger.info('http.proxyStrictSSL is off: TLS certificates are not verified.');

  const failed = results.filter((r) => r.outcome === 'failed');
  const checked = results.filter((r) => r.outcome !== 'skipped');
  const details = vscode.l10n.t('Show Details');
  const message = failed.length
    ? vscode.l10n.t(
        'MinerU: {0} of {1} connection checks failed: {2}. {3}',
        failed.length,
        checked.length,
        failed.map((r) => `${checkLabel(r.id)} (${r.code ?? r.detail})`).join(', '),
        proxyText,
      )
    : vscode.l10n.t('MinerU: all {0} connection checks passed. {1}', checked.length, proxyText);
  const show = failed.length
    ? vscode.window.showErrorMessage(message, details)
    : vscode.window.showInformationMessage(message, details);
  void show.then((answer) => {
    if (answer === details) ctx.logger.show();
  });
  return results;
}

function isOfficial(apiBaseUrl: string): boolean {
  try {
    return /(^|\.)mineru\.net$/i.test(new URL(apiBaseUrl).hostname);
  } catch {
    return false;
  }
}

/** Opens an extra format: one directly, several through a quick pick. Word files open outside VS Code. */
async function openExtra(task: TaskRecord): Promise<void> {
  const extras = extrasOf(task);
  if (extras.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" has no extra formats. Choose them with "Parse … with Options…".', task.name),
    );
    return;
  }
  let chosen = extras[0]!;
  if (extras.length > 1) {
    const pick = await vscode.window.showQuickPick(
      extras.map((e) => ({ label: path.basename(e.path), description: e.format, extra: e })),
      { title: vscode.l10n.t('Open Extra Format'), placeHolder: task.name },
    );
    if (!pick) return;
    chosen = pick.extra;
  }
  const uri = vscode.Uri.file(chosen.path);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('The file "{0}" is no longer there. Retry to parse the document again.', chosen.path),
    );
    return;
  }
  if (chosen.format === 'docx') await vscode.env.openExternal(uri);
  else await vscode.commands.executeCommand('vscode.open', uri);
}

/** Asks for page ranges (proposing a first part) and submits the document again with them. */
async function retryWithPageRanges(ctx: CommandContext, task: TaskRecord): Promise<void> {
  const total = task.progress?.totalPages;
  const tooLarge = task.error?.code === '-60005' || task.error?.code === '-30001';
  const ranges = await vscode.window.showInputBox({
    title: vscode.l10n.t('MinerU: Re-run "{0}" with Page Ranges', task.name),
    prompt: tooLarge
      ? vscode.l10n.t(
          'The file is too large for one run. Parse it in parts, e.g. 1-100, then 101-200. Example: 2,4-6 or 2--2 (page 2 to the second-to-last).',
        )
      : vscode.l10n.t(
          'The document has more pages than one run allows (200 pages, 600 on older plans). Parse it in parts, e.g. 1-200, then 201-400. Example: 2,4-6 or 2--2.',
        ),
    value: task.options.pageRanges ?? (total && total > 200 ? '1-200' : tooLarge ? '1-100' : '1-200'),
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parsePageRanges(v);
      return r.ok ? undefined : r.message;
    },
  });
  if (ranges === undefined) return;
  const parsed = parsePageRanges(ranges);
  if (!parsed.ok) return;
  await ctx.engine.retryWithOptions(task.id, { pageRanges: parsed.normalized });
}

/**
 * Tells the user once that the queue paused on a quota or a full queue, with the time it will be
 * tried again; "Retry Now" resumes at once (the same as Refresh).
 */
export async function announcePause(
  ctx: CommandContext,
  event: { until: number; error: SerializedError; count: number },
): Promise<void> {
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
  if (answer === now) ctx.engine.refresh();
}
