import * as vscode from 'vscode';
import { isLoopbackHost } from '../core/net/hosts';

const CONSENT_KEY = 'mineru.plainHttpConsent';

/**
 * The token is sent to a plain-http endpoint that is not on this machine only after the user
 * said yes once for that origin (remembered in global state). Returns whether it may be sent.
 */
export class EndpointConsent {
  constructor(private readonly state: vscode.Memento) {}

  isAllowed(baseUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      return false;
    }
    if (url.protocol === 'https:') return true;
    if (url.protocol !== 'http:') return false;
    if (isLoopbackHost(url.hostname)) return true;
    return (this.state.get<string[]>(CONSENT_KEY) ?? []).includes(url.origin);
  }

  /** Asks (modal) when needed. */
  async ensure(baseUrl: string): Promise<boolean> {
    if (this.isAllowed(baseUrl)) return true;
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'The MinerU endpoint "{0}" is not a valid URL. Fix the setting mineru.apiBaseUrl.',
          baseUrl,
        ),
      );
      return false;
    }
    if (url.protocol !== 'http:') {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('The MinerU endpoint must use https (or http with your consent).'),
      );
      return false;
    }
    const allow = vscode.l10n.t('Send over HTTP');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('The MinerU endpoint {0} does not use TLS.', url.origin),
      {
        modal: true,
        detail: vscode.l10n.t(
          'Your API token and documents would travel unencrypted to {0}. Only allow this for a private deployment you trust. Your answer is remembered for this address.',
          url.origin,
        ),
      },
      allow,
    );
    if (answer !== allow) return false;
    const list = this.state.get<string[]>(CONSENT_KEY) ?? [];
    await this.state.update(CONSENT_KEY, [...new Set([...list, url.origin])]);
    return true;
  }
}
