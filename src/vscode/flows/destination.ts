import * as vscode from 'vscode';
import type { TaskMode } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';

/** Where a run started now would go, worked out without asking anything. */
export interface Destination {
  mode: TaskMode;
  /** The host (and port) the documents go to, e.g. `mineru.net`. */
  host: string;
  /** That host with the service's name, for a confirmation: "mineru.net (MinerU cloud)". */
  label: string;
}

/**
 * The service the settings choose (as chooseMode would, without its prompts): the user's own
 * server, or mineru.net precise (token) or quick. Undefined when no own server is set although
 * mineru.service asks for one (the run would then stop at chooseMode's message).
 */
export async function currentDestination(ctx: CommandContext): Promise<Destination | undefined> {
  const s = ctx.settings();
  if (s.service === 'selfHosted') {
    if (!s.selfHostedUrl) return undefined;
    const host = hostOf(s.selfHostedUrl);
    return { mode: 'selfHosted', host, label: vscode.l10n.t('your server at {0}', host) };
  }
  const mode: TaskMode =
    s.mode === 'auto'
      ? (await ctx.tokens.get())
        ? 'precise'
        : 'quick'
      : s.mode === 'quick'
        ? 'quick'
        : 'precise';
  const host = hostOf(mode === 'quick' ? s.agentBaseUrl : s.apiBaseUrl);
  return {
    mode,
    host,
    label:
      mode === 'quick'
        ? vscode.l10n.t('{0} (MinerU, Quick mode)', host)
        : vscode.l10n.t('{0} (MinerU, with your API token)', host),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
