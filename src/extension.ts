import type * as vscode from 'vscode';

/** Composition root: builds the services, registers everything, and hands disposal to VS Code. */
export function activate(_context: vscode.ExtensionContext): void {
  // Filled in by the product flows.
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
