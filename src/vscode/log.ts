import * as vscode from 'vscode';
import { redact, type Logger } from '../core/util/logger';

/**
 * The one "MinerU" log channel. Every line passes through redaction of the current token and of
 * any Bearer credential, so the token can never reach the log even if a caller slips.
 */
export class OutputLogger implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(private readonly secrets: () => string | undefined) {
    this.channel = vscode.window.createOutputChannel('MinerU', { log: true });
  }

  trace(message: string): void {
    this.channel.trace(this.clean(message));
  }
  debug(message: string): void {
    this.channel.debug(this.clean(message));
  }
  info(message: string): void {
    this.channel.info(this.clean(message));
  }
  warn(message: string): void {
    this.channel.warn(this.clean(message));
  }
  error(message: string): void {
    this.channel.error(this.clean(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private clean(message: string): string {
    return redact(message, [this.secrets()]);
  }
}
