/** The viewer's webview panel type; package.json's `onWebviewPanel:` activation event names it too. */
export const SOURCE_VIEW_TYPE = 'mineru.sourceViewer';

/** workspaceState key: the last viewer's Markdown, page and zoom (a ViewerState). */
export const LAST_VIEWER_KEY = 'mineru.viewer.last';
