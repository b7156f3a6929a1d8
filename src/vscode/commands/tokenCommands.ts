import * as vscode from 'vscode';
import type { CommandContext } from '../commandContext';
import { promptForToken } from '../tokenStore';
import { registerCommand } from './register';

export function registerTokenCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    // The token comes only from the password box the user types into. An argument is ignored:
    // any installed extension can run this command, and a token passed in would silently send the
    // user's documents to someone else's account. Tests set the token through the test API.
    registerCommand(ctx, 'mineru.setToken', async () => {
      if ((await promptForToken(ctx.tokens)) === undefined) return;
      tokenChanged(ctx);
      void vscode.window.showInformationMessage(vscode.l10n.t('MinerU: API token saved.'));
    }),
    registerCommand(ctx, 'mineru.clearToken', async () => {
      await ctx.tokens.clear();
      ctx.logger.info('The API token was cleared.');
      void vscode.window.showInformationMessage(
        vscode.l10n.t('MinerU: API token removed from this machine.'),
      );
    }),
  ];
}

/** After a new token: log it (without the value) and poll again at once. */
export function tokenChanged(ctx: CommandContext): void {
  ctx.logger.info('The API token was updated.');
  ctx.engine.refresh();
}
