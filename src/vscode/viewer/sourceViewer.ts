/**
 * Source beside Markdown: a webview panel that shows a result's origin PDF with every content_list
 * block drawn over its page, linked both ways to the result's Markdown editor. Loaded on first use
 * (src/vscode/commands/viewerCommand.ts imports it with import()).
 *
 * The webview gets data only (blocks, boxes, labels, the URIs of the PDF and of pdf.js's worker);
 * what it sends back is checked by parseViewerMessage before anything is done with it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MatchResult } from '../../core/viewer/matcher';
import { lineIndex, matchBlocks } from '../../core/viewer/matcher';
import type { ViewerState } from '../../core/viewer/messages';
import { parseViewerMessage } from '../../core/viewer/messages';
import type { Marks } from '../../core/viewer/timing';
import { describeTimeline } from '../../core/viewer/timing';
import type { HostMessage } from '../../core/viewer/hostMessages';
import type { ViewerModel } from '../../core/viewer/viewerModel';
import { blockLines, buildViewerModel, splitModel } from '../../core/viewer/viewerModel';
import type { OutputLogger } from '../log';
import { listResult, readBlocks, type Loaded } from './resultFiles';
import { viewerHtml } from './viewerHtml';
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

/** Lets the event loop run once: the RPC that carries the HTML to the workbench goes out now. */
const yieldOnce = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class SourceViewer implements vscode.Disposable {
  private match: MatchResult | undefined;
  private lookup: (from: number, to: number) => number[] = () => [];
  private model: ViewerModel | undefined;
  private ready = false;
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
    const fail = (message: string): undefined => {
      restore?.panel.dispose();
      void vscode.window.showWarningMessage(message);
      return undefined;
    };
    const listed = await listResult(markdownPath);
    marks.folder = Date.now();
    if (typeof listed === 'string') return fail(listed);
    // The content list and the layout are read while the Markdown editor opens.
    const gone = vscode.l10n.t(
      'The result "{0}" is no longer there. Retry to parse the document again.',
      markdownPath,
    );
    const reading = readBlocks(host.logger, markdownPath, listed).then(
      (r) => {
        marks.files = Date.now();
        return r;
      },
      () => gone,
    );
    const mdUri = vscode.Uri.file(markdownPath);
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(mdUri);
    } catch {
      return fail(gone);
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
    }
    // A content list that cannot be read opens no panel.
    const blocks = await reading;
    if (typeof blocks === 'string') return fail(blocks);
    if (!panel) {
      panel = vscode.window.createWebviewPanel(
        SOURCE_VIEW_TYPE,
        vscode.l10n.t('Source: {0}', path.basename(markdownPath)),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {},
      );
      marks.panel = Date.now();
    }
    const loaded: Loaded = { ...blocks, pdf: listed.pdf };
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
    // The page loads pdf.js and the PDF meanwhile; the blocks follow as soon as they are matched.
    await yieldOnce();
    viewer.buildModel();
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
    this.disposables.push(panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    panel.webview.html = viewerHtml(panel.webview, host.extensionUri, loaded.pdf, this.state);
    marks.html = Date.now();
    this.disposables.push(
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

  /** Matches the blocks to the Markdown and builds what the page is sent. */
  private buildModel(): void {
    if (open.get(this.state.markdown) !== this) return; // closed meanwhile
    this.match = matchBlocks(this.loaded.blocks, this.document.getText());
    this.lookup = lineIndex(this.match);
    this.model = buildViewerModel(this.loaded.blocks, this.match, this.loaded.layout);
    this.marks.model = Date.now();
    this.host.logger.info(
      `Viewer: ${path.basename(this.document.uri.fsPath)}: ${this.match.matched} of ${this.match.eligible} blocks matched to Markdown lines.`,
    );
    if (this.ready) this.sendInit();
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
    const match = matchBlocks(this.loaded.blocks, this.document.getText());
    this.match = match;
    this.lookup = lineIndex(match);
    this.post({ type: 'matched', matched: match.blocks.filter((m) => m.matched).map((m) => m.index) });
  }

  private post(message: HostMessage): void {
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
        // Again after a reload of the page (the panel was hidden): everything is sent again.
        this.ready = true;
        if (this.model) this.sendInit();
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
            `Viewer: page ${message.page} painted ${Math.round(message.ms)} ms after the PDF began loading; ` +
              `from the command: ${describeTimeline(this.marks, this.marks.command ?? this.openedAt)}.`,
          );
        }
        break;
      case 'problem':
        this.host.logger.warn(`Viewer: ${message.reason}: ${message.detail}`);
        break;
    }
  }

  /** The blocks of the pages shown first, then (a second message) all the others. */
  private sendInit(): void {
    if (!this.model) return;
    const { first, rest } = splitModel(this.model, this.state.page);
    this.marks.posted ??= Date.now();
    this.post({ type: 'init', model: first, state: this.state, marks: this.marks, more: rest.length > 0 });
    if (rest.length > 0) this.post({ type: 'blocks', blocks: rest, marks: this.marks });
    const editor = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.fsPath === this.document.uri.fsPath,
    );
    if (editor) this.highlightSelection(editor, false);
  }

  private highlightSelection(editor: vscode.TextEditor, scroll: boolean): void {
    if (!this.model) return;
    const indices = new Set<number>();
    for (const s of editor.selections) for (const i of this.lookup(s.start.line, s.end.line)) indices.add(i);
    this.highlighted = [...indices];
    this.post({ type: 'highlight', indices: this.highlighted, scroll });
  }

  /** Source → Markdown: selects the block's lines in the Markdown editor. */
  private async revealBlock(index: number): Promise<void> {
    const lines = this.match && blockLines(this.match, index);
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
