/**
 * The viewer's page: a small HTML document with a strict Content-Security-Policy (a nonce for its
 * two scripts), the addresses of the PDF and of pdf.js's worker on its body (`data-boot`, JSON), so
 * that the page starts loading them before the extension has read and matched the blocks.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ViewerBoot } from '../../core/viewer/hostMessages';
import type { ViewerState } from '../../core/viewer/messages';

/** The strings the webview shows (it has no l10n of its own). */
export function webviewStrings(): Record<string, string> {
  return {
    page: vscode.l10n.t('Page'),
    of: vscode.l10n.t('of {0}'),
    previous: vscode.l10n.t('Previous page (PageUp)'),
    next: vscode.l10n.t('Next page (PageDown)'),
    zoomIn: vscode.l10n.t('Zoom in (+)'),
    zoomOut: vscode.l10n.t('Zoom out (-)'),
    fitWidth: vscode.l10n.t('Fit width (0)'),
    discarded: vscode.l10n.t('Headers and footers'),
    outline: vscode.l10n.t('Headings'),
    unmatched: vscode.l10n.t('not found in the Markdown'),
    loading: vscode.l10n.t('Opening the origin PDF…'),
    pdfFailed: vscode.l10n.t('The origin PDF could not be opened: {0}. Parse the document again.'),
    heading: vscode.l10n.t('heading'),
    text: vscode.l10n.t('text'),
    image: vscode.l10n.t('image'),
    chart: vscode.l10n.t('chart'),
    table: vscode.l10n.t('table'),
    equation: vscode.l10n.t('equation'),
    list: vscode.l10n.t('list'),
    code: vscode.l10n.t('code'),
    unknown: vscode.l10n.t('block'),
  };
}

/**
 * Runs first, before the viewer's script (pdf.js, ~0.5 MB) has loaded: fetches pdf.js's worker and
 * starts it, and fetches the PDF, so that both are under way while the big script loads. A
 * constant (no data in it); the viewer takes the promises from `window.viewerEarly`.
 */
const EARLY_SCRIPT = `(() => {
  const boot = JSON.parse(document.body.dataset.boot || '{}');
  const at = performance.timeOrigin + performance.now();
  const worker = fetch(boot.worker)
    .then((r) => r.blob())
    .then((b) => new Worker(URL.createObjectURL(new Blob([b], { type: 'text/javascript' })), { type: 'module' }));
  const pdf = fetch(boot.pdf).then((r) => {
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.arrayBuffer();
  });
  worker.catch(() => undefined);
  pdf.catch(() => undefined);
  window.viewerEarly = { at, worker, pdf };
})();`;

function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

/** Text for a double-quoted HTML attribute. */
function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function viewerHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  pdf: vscode.Uri,
  state: ViewerState,
): string {
  const media = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const asUri = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(media, ...p)).toString();
  const boot: ViewerBoot = {
    pdf: webview.asWebviewUri(pdf).toString(),
    worker: asUri('pdf.worker.min.mjs'),
    cMaps: `${asUri('cmaps')}/`,
    standardFonts: `${asUri('standard_fonts')}/`,
    state,
    strings: webviewStrings(),
  };
  const n = nonce();
  const src = webview.cspSource;
  const csp = [
    "default-src 'none'",
    `img-src ${src} blob: data:`,
    `style-src ${src} 'nonce-${n}'`,
    `font-src ${src} data:`,
    `script-src 'nonce-${n}'`,
    'worker-src blob:',
    `connect-src ${src}`,
  ].join('; ');
  const lang = vscode.env.language.replace(/[^a-zA-Z-]/g, '');
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asUri('viewer.css')}" nonce="${n}">
</head>
<body data-boot="${attr(JSON.stringify(boot))}">
<script nonce="${n}">${EARLY_SCRIPT}</script>
<div id="toolbar" role="toolbar"></div>
<div id="main"><nav id="outline" hidden></nav><div id="pages" tabindex="0"></div></div>
<div id="status" role="status"></div>
<script type="module" nonce="${n}" src="${asUri('viewer.js')}"></script>
</body>
</html>`;
}
