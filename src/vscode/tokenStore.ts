import * as vscode from 'vscode';
import { SecretSlot } from './secretSlot';

const SECRET_KEY = 'mineru.apiToken';

/**
 * The API token, kept only in VS Code's SecretStorage (see SecretSlot: a change made in another
 * window is honoured). The `mineru.hasToken` context key drives the welcome view and the visibility
 * of "Clear API Token"; it is set on the first read and on every change.
 */
export class TokenStore implements vscode.Disposable {
  private readonly slot: SecretSlot<string>;
  readonly onDidChange: vscode.Event<unknown>;

  constructor(secrets: vscode.SecretStorage) {
    this.slot = new SecretSlot<string>(
      secrets,
      SECRET_KEY,
      (token) => token,
      (raw) => raw || undefined,
      (token) => vscode.commands.executeCommand('setContext', 'mineru.hasToken', token !== undefined),
    );
    this.onDidChange = this.slot.onDidChange;
  }

  get(): Promise<string | undefined> {
    return this.slot.get();
  }

  /** The last known token without waiting; for redaction in synchronous log calls. */
  peek(): string | undefined {
    return this.slot.peek();
  }

  set(token: string): Promise<void> {
    return this.slot.set(token.trim());
  }

  clear(): Promise<void> {
    return this.slot.clear();
  }

  dispose(): void {
    this.slot.dispose();
  }
}

/** Asks for the token in a password box; returns it, or undefined when the user cancels. */
export async function promptForToken(tokens: TokenStore): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('MinerU API Token'),
    prompt: vscode.l10n.t(
      "Paste your MinerU API token (create one at https://mineru.net/apiManage/token). It is kept in VS Code's secret storage.",
    ),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The token cannot be empty.')),
  });
  if (!value?.trim()) return undefined;
  await tokens.set(value);
  return value.trim();
}
