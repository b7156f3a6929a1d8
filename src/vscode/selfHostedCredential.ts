import * as vscode from 'vscode';
import type { ServerCredential } from '../core/services/selfHosted/serverClient';
import { SecretSlot } from './secretSlot';

const SECRET_KEY = 'mineru.selfHosted.credential';

/**
 * The credential of the reverse proxy in front of the user's own MinerU server (a bearer token, or
 * user and password for basic auth), kept in SecretStorage under its own key, apart from the
 * mineru.net token. The core sends it only to the configured server's origin.
 */
export class SelfHostedCredentialStore implements vscode.Disposable {
  private readonly slot: SecretSlot<ServerCredential>;

  constructor(secrets: vscode.SecretStorage) {
    this.slot = new SecretSlot<ServerCredential>(secrets, SECRET_KEY, (c) => JSON.stringify(c), parse);
  }

  get(): Promise<ServerCredential | undefined> {
    return this.slot.get();
  }

  /** The secret parts, for redaction in synchronous log calls. */
  peekSecrets(): string[] {
    const c = this.slot.peek();
    if (!c) return [];
    return c.kind === 'bearer' ? [c.token] : [c.password];
  }

  set(credential: ServerCredential): Promise<void> {
    return this.slot.set(credential);
  }

  clear(): Promise<void> {
    return this.slot.clear();
  }

  dispose(): void {
    this.slot.dispose();
  }
}

function parse(raw: string): ServerCredential | undefined {
  try {
    const o = JSON.parse(raw) as Partial<{ kind: string; token: string; user: string; password: string }>;
    if (o.kind === 'bearer' && typeof o.token === 'string' && o.token)
      return { kind: 'bearer', token: o.token };
    if (o.kind === 'basic' && typeof o.user === 'string' && typeof o.password === 'string')
      return { kind: 'basic', user: o.user, password: o.password };
  } catch {
    // not ours: ignored
  }
  return undefined;
}

/** Asks for the kind, then the secret, in input boxes; undefined when the user stops. */
export async function promptForCredential(): Promise<ServerCredential | undefined> {
  const bearer: vscode.QuickPickItem = { label: vscode.l10n.t('Bearer token') };
  const basic: vscode.QuickPickItem = { label: vscode.l10n.t('User and password (basic auth)') };
  const kind = await vscode.window.showQuickPick([bearer, basic], {
    title: vscode.l10n.t('MinerU: Credential for Your MinerU Server'),
    placeHolder: vscode.l10n.t('What does the reverse proxy in front of your server check?'),
    ignoreFocusOut: true,
  });
  if (!kind) return undefined;
  if (kind.label === bearer.label) {
    const token = await vscode.window.showInputBox({
      title: vscode.l10n.t('MinerU: Credential for Your MinerU Server'),
      prompt: vscode.l10n.t(
        "The bearer token your proxy expects. It is kept in VS Code's secret storage and sent only to your server.",
      ),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The token cannot be empty.')),
    });
    return token?.trim() ? { kind: 'bearer', token: token.trim().replace(/^Bearer\s+/i, '') } : undefined;
  }
  const user = await vscode.window.showInputBox({
    title: vscode.l10n.t('MinerU: Credential for Your MinerU Server'),
    prompt: vscode.l10n.t('User name'),
    ignoreFocusOut: true,
    validateInput: (v) =>
      v && !v.includes(':') ? undefined : vscode.l10n.t('Enter a user name without ":".'),
  });
  if (!user) return undefined;
  const password = await vscode.window.showInputBox({
    title: vscode.l10n.t('MinerU: Credential for Your MinerU Server'),
    prompt: vscode.l10n.t(
      "The password. It is kept in VS Code's secret storage and sent only to your server.",
    ),
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return undefined;
  return { kind: 'basic', user, password };
}
