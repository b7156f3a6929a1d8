import * as vscode from 'vscode';
import { promptForToken } from '../tokenStore';
import type { CommandContext } from './commandContext';

export function registerTokenCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    // An argument lets tests and automation set the token without the password box.
    vscode.commands.registerCommand('mineru.setToken', async (token?: unknown) => {
      if (typeof token === 'string' && token.trim()) await ctx.tokens.set(token);
      else if ((await promptForToken(ctx.tokens)) === undefined) return;
      ctx.logger.info('The API token was updated.');
      ctx.engine.refresh();
      if (typeof token !== 'string')
        void vscode.window.showInformationMessage(vscode.l10n.t('MinerU: API token saved.'));
    }),
    vscode.commands.registerCommand('mineru.clearToken', async () => {
      await ctx.tokens.clear();
      ctx.logger.info('The API token was cleared.');
      void vscode.window.showInformationMessage(
        vscode.l10n.t('MinerU: API token removed from this machine.'),
      );
    }),
  ];
}
