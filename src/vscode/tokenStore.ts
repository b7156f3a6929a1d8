import * as vscode from 'vscode';

const SECRET_KEY = 'mineru.apiToken';

/**
 * The API token, kept only in VS Code's SecretStorage. A change made in another window arrives
 * through `secrets.onDidChange` and is honoured here; the `mineru.hasToken` context key drives
 * the welcome view and the visibility of "Clear API Token".
 */
export class TokenStore implements vscode.Disposable {
  private cached: string | undefined;
  private loaded = false;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key !== SECRET_KEY) return;
      this.loaded = false;
      void this.get().then(() => this.emitter.fire());
    });
  }

  async get(): Promise<string | undefined> {
    if (!this.loaded) {
      this.cached = (await this.secrets.get(SECRET_KEY)) || undefined;
      this.loaded = true;
      await vscode.commands.executeCommand('setContext', 'mineru.hasToken', this.cached !== undefined);
    }
    return this.cached;
  }

  /** The last known token without waiting; for redaction in synchronous log calls. */
  peek(): string | undefined {
    return this.cached;
  }

  async set(token: string): Promise<void> {
    const value = token.trim();
    await this.secrets.store(SECRET_KEY, value);
    this.cached = value;
    this.loaded = true;
    await vscode.commands.executeCommand('setContext', 'mineru.hasToken', true);
    this.emitter.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
    this.cached = undefined;
    this.loaded = true;
    await vscode.commands.executeCommand('setContext', 'mineru.hasToken', false);
    this.emitter.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
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
