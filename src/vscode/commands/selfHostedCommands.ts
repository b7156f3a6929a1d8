import * as vscode from 'vscode';
import type { CommandContext } from '../commandContext';
import { promptForCredential } from '../selfHostedCredential';
import { registerCommand } from './register';

/** Set and clear the credential of the reverse proxy in front of the user's own MinerU server. */
export function registerSelfHostedCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    // As with the API token, the credential comes only from what the user types: an argument from
    // another extension is ignored.
    registerCommand(ctx, 'mineru.setSelfHostedCredential', async () => {
      const credential = await promptForCredential();
      if (!credential) return;
      await ctx.serverCredential.set(credential);
      ctx.logger.info(`The credential for the self-hosted server was updated (${credential.kind}).`);
      ctx.engine.refresh();
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'MinerU: credential saved; it is sent only to {0}.',
          ctx.settings().selfHostedUrl || '—',
        ),
      );
    }),
    registerCommand(ctx, 'mineru.clearSelfHostedCredential', async () => {
      await ctx.serverCredential.clear();
      ctx.logger.info('The credential for the self-hosted server was cleared.');
      void vscode.window.showInformationMessage(
        vscode.l10n.t('MinerU: credential for your MinerU server removed from this machine.'),
      );
    }),
  ];
}
