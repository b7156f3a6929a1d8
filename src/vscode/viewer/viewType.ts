/** The viewer's webview panel type; package.json's `onWebviewPanel:` activation event names it too. */
export const SOURCE_VIEW_TYPE = 'mineru.sourceViewer';
