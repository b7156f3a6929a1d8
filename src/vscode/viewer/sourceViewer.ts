/**
 * Source beside Markdown: a webview panel that shows a result's origin PDF with every content_list
 * block drawn over its page, linked both ways to the result's Markdown editor. Loaded on first use
 * (src/vscode/commands/viewerCommand.ts imports it with import()).
 *
 * The webview gets data only (blocks, boxes, labels, the URIs of the PDF and of pdf.js's worker);
 * what it sends back is checked by parseViewerMessage before anything is done with it.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MatchResult } from '../../core/viewer/matcher';
import { lineIndex, matchBlocks } from '../../core/viewer/matcher';
import type { ViewerState } from '../../core/viewer/messages';
import type { Marks } from '../../core/viewer/timing';
import { parseViewerMessage } from '../../core/viewer/messages';
import { blockLines, buildViewerModel } from '../../core/viewer/viewerModel';
import type { OutputLogger } from '../log';
import { loadResult, type Loaded } from './resultFiles';

import { LAST_VIEWER_KEY, SOURCE_VIEW_TYPE } from './viewType';

export interface ViewerHost {
  extensionUri: vscode.Uri;
  logger: OutputLogger;
  /** Where the page of the last viewer moved is kept (workspace state), for the serializer. */
  memento: vscode.Memento;
}

/** Open viewers by Markdown path, so a second open reveals the first. */
const open = new Map<string, SourceViewer>();

/** The viewer of a Markdown file, when one is open (tests and the palette). */
export function viewerFor(markdownPath: string): SourceViewer | undefined {
  return open.get(markdownPath);
}

/** The strings the webview shows (it has no l10n of its own). */
function webviewStrings(): Record<string, string> {
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

function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export class SourceViewer implements vscode.Disposable {
  private match: MatchResult;
  private lookup: (from: number, to: number) => number[];
  private state: ViewerState;
  private readonly disposables: vscode.Disposable[] = [];
  private rematch: ReturnType<typeof setTimeout> | undefined;
  /** Milliseconds from opening to the first page painted (for the log and the tests). */
  firstPaintMs: number | undefined;
  private readonly openedAt = Date.now();

  /** Opens (or reveals) the viewer of `markdownPath`; shows why not and returns undefined. */
  static async open(
    host: ViewerHost,
    markdownPath: string,
    restore?: { panel: vscode.WebviewPanel; state: ViewerState },
    marks: Marks = {},
  ): Promise<SourceViewer | undefined> {
    const existing = open.get(markdownPath);
    if (existing && !restore) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const loaded = await loadResult(host.logger, markdownPath);
    marks.files = Date.now();
    if (typeof loaded === 'string') {
      restore?.panel.dispose();
      void vscode.window.showWarningMessage(loaded);
      return undefined;
    }
    const mdUri = vscode.Uri.file(markdownPath);
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(mdUri);
    } catch {
      restore?.panel.dispose();
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'The result "{0}" is no longer there. Retry to parse the document again.',
          markdownPath,
        ),
      );
      return undefined;
    }
    let panel = restore?.panel;
    if (!panel) {
      // The Markdown becomes the active editor (where it is already shown, if it is), so that
      // "beside" is beside it.
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === mdUri.fsPath);
      await vscode.window.showTextDocument(document, {
        preview: false,
        viewColumn: visible?.viewColumn ?? vscode.ViewColumn.Active,
      });
      marks.editor = Date.now();
      panel = vscode.window.createWebviewPanel(
        SOURCE_VIEW_TYPE,
        vscode.l10n.t('Source: {0}', path.basename(markdownPath)),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {},
      );
      marks.panel = Date.now();
    }
    const folder = vscode.Uri.file(path.dirname(markdownPath));
    panel.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [folder, vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview')],
    };
    panel.title = vscode.l10n.t('Source: {0}', path.basename(markdownPath));
    const state = restore?.state ?? { markdown: markdownPath, page: 1, zoom: 'fit' as const };
    const viewer = new SourceViewer(host, panel, document, loaded, state, marks);
    open.set(markdownPath, viewer);
    return viewer;
  }

  private constructor(
    private readonly host: ViewerHost,
    readonly panel: vscode.WebviewPanel,
    private document: vscode.TextDocument,
    private readonly loaded: Loaded,
    state: ViewerState,
    private readonly marks: Marks,
  ) {
    this.state = { ...state };
    this.match = matchBlocks(loaded.blocks, document.getText());
    this.lookup = lineIndex(this.match);
    marks.model = Date.now();
    host.logger.info(
      `Viewer: ${path.basename(document.uri.fsPath)}: ${this.match.matched} of ${this.match.eligible} blocks matched to Markdown lines.`,
    );
    panel.webview.html = this.html();
    marks.html = Date.now();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.fsPath !== this.document.uri.fsPath) return;
        this.highlightSelection(e.textEditor, e.kind !== vscode.TextEditorSelectionChangeKind.Command);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.fsPath !== this.document.uri.fsPath) return;
        this.document = e.document;
        if (this.rematch) clearTimeout(this.rematch);
        this.rematch = setTimeout(() => this.recompute(), 300);
      }),
    );
  }

  get markdownPath(): string {
    return this.state.markdown;
  }

  get page(): number {
    return this.state.page;
  }

  /** The page's Content-Security-Policy and the folders it may read (for the tests). */
  get security(): { csp: string; roots: string[] } {
    const csp =
      /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(this.panel.webview.html)?.[1] ?? '';
    return { csp, roots: (this.panel.webview.options.localResourceRoots ?? []).map((u) => u.fsPath) };
  }

  /** Block indices highlighted last (for the tests). */
  highlighted: number[] = [];

  private recompute(): void {
    this.match = matchBlocks(this.loaded.blocks, this.document.getText());
    this.lookup = lineIndex(this.match);
    void this.panel.webview.postMessage({
      type: 'matched',
      matched: this.match.blocks.filter((m) => m.matched).map((m) => m.index),
    });
  }

  private post(message: unknown): void {
    void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const message = parseViewerMessage(raw, this.loaded.blocks.length);
    if (!message) {
      this.host.logger.warn('Viewer: a message from the webview was ignored (not one the viewer sends).');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.sendInit();
        break;
      case 'reveal':
        void this.revealBlock(message.index);
        break;
      case 'state':
        this.state = { ...this.state, page: message.page, zoom: message.zoom };
        // The web workbench may persist the webview's own state late (or not at all on a reload).
        void this.host.memento.update(LAST_VIEWER_KEY, this.state);
        break;
      case 'painted':
        if (this.firstPaintMs === undefined) {
          this.firstPaintMs = Date.now() - this.openedAt;
          this.host.logger.info(
            `Viewer: page ${message.page} painted ${Math.round(message.ms)} ms after the PDF began loading.`,
          );
        }
        break;
      case 'problem':
        this.host.logger.warn(`Viewer: ${message.reason}: ${message.detail}`);
        break;
    }
  }

  private sendInit(): void {
    const webview = this.panel.webview;
    const media = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    const model = buildViewerModel(this.loaded.blocks, this.match, this.loaded.layout);
    this.post({
      type: 'init',
      pdf: webview.asWebviewUri(this.loaded.pdf).toString(),
      worker: webview.asWebviewUri(vscode.Uri.joinPath(media, 'pdf.worker.min.mjs')).toString(),
      cMaps: `${webview.asWebviewUri(vscode.Uri.joinPath(media, 'cmaps')).toString()}/`,
      standardFonts: `${webview.asWebviewUri(vscode.Uri.joinPath(media, 'standard_fonts')).toString()}/`,
      model,
      state: this.state,
      strings: webviewStrings(),
      marks: { ...this.marks, posted: Date.now() },
    });
    const editor = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.fsPath === this.document.uri.fsPath,
    );
    if (editor) this.highlightSelection(editor, false);
  }

  private highlightSelection(editor: vscode.TextEditor, scroll: boolean): void {
    const indices = new Set<number>();
    for (const s of editor.selections) for (const i of this.lookup(s.start.line, s.end.line)) indices.add(i);
    this.highlighted = [...indices];
    this.post({ type: 'highlight', indices: this.highlighted, scroll });
  }

  /** Source → Markdown: selects the block's lines in the Markdown editor. */
  private async revealBlock(index: number): Promise<void> {
    const lines = blockLines(this.match, index);
    if (!lines) {
      vscode.window.setStatusBarMessage(
        vscode.l10n.t('This block was not found in the Markdown (or could be in more than one place).'),
        4000,
      );
      return;
    }
    const visible = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.fsPath === this.document.uri.fsPath,
    );
    const column =
      visible?.viewColumn ??
      (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(this.document, {
      viewColumn: column,
      preserveFocus: false,
      preview: false,
    });
    const end = editor.document.lineAt(Math.min(lines.end, editor.document.lineCount - 1)).range.end;
    const selection = new vscode.Selection(lines.start, 0, end.line, end.character);
    editor.selection = selection;
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private html(): string {
    const webview = this.panel.webview;
    const media = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'viewer.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'viewer.css'));
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
<link rel="stylesheet" href="${style.toString()}" nonce="${n}">
</head>
<body>
<div id="toolbar" role="toolbar"></div>
<div id="main"><nav id="outline" hidden></nav><div id="pages" tabindex="0"></div></div>
<div id="status" role="status"></div>
<script type="module" nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (open.get(this.state.markdown) === this) open.delete(this.state.markdown);
    if (this.rematch) clearTimeout(this.rematch);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Every open viewer (tests). */
export function openViewers(): SourceViewer[] {
  return [...open.values()];
}
