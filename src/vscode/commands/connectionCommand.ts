import * as vscode from 'vscode';
import type { MinerUClient } from '../../core/api/client';
import type { CheckId, CheckResult } from '../../core/api/connectionCheck';
import type { ServerCheck, ServerCheckId } from '../../core/services/selfHosted/serverCheck';
import type { CommandContext } from '../commandContext';
import { describeError, errorText } from '../errorText';
import { readProxySettings } from '../settings';
import { registerCommand } from './register';

/** Test Connection. */
export function registerConnectionCommand(
  ctx: CommandContext,
  client: () => Promise<MinerUClient>,
): vscode.Disposable {
  return registerCommand(ctx, 'mineru.testConnection', async () =>
    ctx.settings().service === 'selfHosted' ? testSelfHosted(ctx) : testConnection(ctx, await client()),
  );
}

function serverCheckLabel(id: ServerCheckId): string {
  switch (id) {
    case 'server':
      return vscode.l10n.t('Your MinerU server');
    case 'credential':
      return vscode.l10n.t('Server credential');
    case 'tasks':
      return vscode.l10n.t('Task API (/tasks)');
  }
}

/** Test Connection with mineru.service = selfHosted: health and version, the credential, /tasks. */
async function testSelfHosted(ctx: CommandContext): Promise<ServerCheck[] | undefined> {
  const url = ctx.settings().selfHostedUrl;
  if (!url) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'MinerU: mineru.service is "selfHosted" but no server is set. Set mineru.selfHosted.url to your mineru-api or mineru-router server.',
      ),
    );
    return undefined;
  }
  if (!(await ctx.consent.ensure(url))) return undefined;
  const { SelfHostedClient } = await import('../../core/services/selfHosted/serverClient.js');
  const { checkServer } = await import('../../core/services/selfHosted/serverCheck.js');
  const credential = await ctx.serverCredential.get();
  const client = new SelfHostedClient({
    baseUrl: url,
    credential: () => ctx.serverCredential.get(),
    logger: ctx.logger,
    timeoutMs: 10_000,
  });
  const results = await checkingConnection((signal) => checkServer(client, credential !== undefined, signal));
  ctx.logger.info(`---- Test Connection (self-hosted ${url}) ----`);
  for (const r of results)
    ctx.logger.info(`${serverCheckLabel(r.id)}: ${outcomeLabel(r.outcome)} — ${r.detail}`);
  const legacy = results.some((r) => r.legacy);
  const failed = results.filter((r) => r.outcome === 'failed');
  const server = results.find((r) => r.id === 'server');
  const details = vscode.l10n.t('Show Details');
  let message: string;
  if (legacy) {
    message = vscode.l10n.t(
      'MinerU: the server at {0} is MinerU 2.x, which has only /file_parse. This extension needs MinerU 3.x (its task API /tasks): upgrade it with pip install -U mineru.',
      url,
    );
  } else if (failed.length) {
    message = vscode.l10n.t(
      'MinerU: {0} of your server checks failed: {1}',
      failed.length,
      failed
        .map(
          (r) =>
            `${serverCheckLabel(r.id)} (${r.error ? describeError(r.error.toJSON(), vscode.l10n) : r.detail})`,
        )
        .join('; '),
    );
  } else {
    message = vscode.l10n.t(
      'MinerU: your server at {0} answers: MinerU {1}, healthy, task API present.',
      url,
      server?.version ?? '?',
    );
  }
  const show =
    failed.length || legacy
      ? vscode.window.showErrorMessage(message, details)
      : vscode.window.showInformationMessage(message, details);
  void show.then((answer) => {
    if (answer === details) ctx.logger.show();
  });
  return results;
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
  const proxySetting = readProxySettings().proxy;
  const proxy = describeProxy(proxySetting, process.env, settings.apiBaseUrl);
  const results = await checkingConnection((signal) =>
    runConnectionChecks({
      apiBaseUrl: settings.apiBaseUrl,
      batchBaseUrl: settings.batchApiBaseUrl,
      uploadUrl: official ? DEFAULT_UPLOAD_PROBE_URL : recentOrigin,
      resultUrl: recentOrigin ?? (official ? DEFAULT_RESULT_PROBE_URL : undefined),
      checkToken: (signal) => client.checkConnection(signal),
      probe: createHttpProbe({ timeoutMs: 10_000 }),
      signal,
    }),
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
  const strict = readProxySettings().strictSSL;
  if (strict === false) ctx.logger.info('http.proxyStrictSSL is off: TLS certificates are not verified.');

  const failed = results.filter((r) => r.outcome === 'failed');
  const checked = results.filter((r) => r.outcome !== 'skipped');
  const details = vscode.l10n.t('Show Details');
  const message = failed.length
    ? vscode.l10n.t(
        'MinerU: {0} of {1} connection checks failed: {2}. {3}',
        failed.length,
        checked.length,
        failed.map((r) => `${checkLabel(r.id)} (${r.code ?? failureText(r)})`).join(', '),
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

/** A failed check's reason in the user's language (the English detail when it has no error). */
function failureText(r: CheckResult): string {
  return r.error ? errorText(r.error, vscode.l10n).message : r.detail;
}

/** Runs the checks under a cancellable notification; cancelling aborts them. */
function checkingConnection<T>(run: (signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('MinerU: testing the connection…'),
      cancellable: true,
    },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return run(controller.signal);
    },
  );
}
