import * as vscode from 'vscode';
import type { CommandContext } from '../commandContext';

/**
 * Registers a command of this extension. Any installed extension can run our commands, so in
 * production a command hands nothing back (no task records, no paths): what it did is for the
 * user to see in the tree. The test host (ExtensionMode Development or Test) gets the result, so
 * that host tests can follow the tasks a command created.
 */
export function registerCommand(
  ctx: CommandContext,
  id: string,
  run: (...args: unknown[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    const result: unknown = await run(...args);
    return ctx.automation ? result : undefined;
  });
}
