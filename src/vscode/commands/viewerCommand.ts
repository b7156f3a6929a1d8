import * as vscode from 'vscode';
import { parseViewerState } from '../../core/viewer/messages';
import type { TaskRecord } from '../../core/tasks/task';
import type { Marks } from '../../core/viewer/timing';
import type { CommandContext } from '../commandContext';
import type * as ViewerModule from '../viewer/sourceViewer';
import type { SourceViewer, ViewerHost } from '../viewer/sourceViewer';
import { LAST_VIEWER_KEY, SOURCE_VIEW_TYPE } from '../viewer/viewType';
import { registerCommand } from './register';
import { resolveTask } from './taskArgument';

/** Context key: the Markdown paths of the results in the tree (menus: `resourcePath in …`). */
export const RESULT_MARKDOWNS_KEY = 'mineru.resultMarkdowns';

/** The viewer module (pdf.js glue, matcher) loads on the first use, not during activation. */
let module: Promise<typeof ViewerModule> | undefined;
const viewerModule = (): Promise<typeof ViewerModule> => (module ??= import('../viewer/sourceViewer.js'));

/**
 * "Open Source Beside Markdown": from a result row (its node), the editor title of a result .md
 * (its URI), or the palette (the active editor's result; else a pick among the results).
 */
export function registerViewerCommand(ctx: CommandContext): vscode.Disposable[] {
  const host: ViewerHost = {
    extensionUri: ctx.extension.extensionUri,
    logger: ctx.logger,
    memento: ctx.extension.workspaceState,
  };
  let last: string | undefined;
  const setKey = (): void => {
    const paths = ctx.store
      .all()
      .filter((t) => t.state === 'done' && t.result)
      .map((t) => t.result!.markdownPath);
    const joined = paths.join('\0');
    if (joined === last) return;
    last = joined;
    void vscode.commands.executeCommand('setContext', RESULT_MARKDOWNS_KEY, paths);
  };
  setKey();
  return [
    ctx.store.onDidChange(setKey),
    registerCommand(ctx, 'mineru.openSourceBeside', async (arg?: unknown): Promise<unknown> => {
      const marks: Marks = { command: Date.now() };
      const markdown = await markdownFor(ctx, arg);
      if (!markdown) return undefined;
      const { SourceViewer } = await viewerModule();
      marks.module = Date.now();
      const viewer: SourceViewer | undefined = await SourceViewer.open(host, markdown, undefined, marks);
      return viewer ? { markdown: viewer.markdownPath } : undefined;
    }),
    vscode.window.registerWebviewPanelSerializer(SOURCE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown): Promise<void> {
        // The panel's own state, else (the web workbench may not have saved it) the last viewer's;
        // the page the extension saw last wins over an older saved one for the same Markdown.
        const last = parseViewerState(ctx.extension.workspaceState.get(LAST_VIEWER_KEY));
        const own = parseViewerState(raw);
        const state = own && last?.markdown === own.markdown ? last : (own ?? last);
        if (!state) {
          ctx.logger.warn(
            `Viewer: a viewer from the last session could not be restored (its saved state is not valid: ${describeState(raw)}).`,
          );
          panel.dispose();
          return;
        }
        const { SourceViewer } = await viewerModule();
        const viewer = await SourceViewer.open(host, state.markdown, { panel, state });
        ctx.logger.info(
          viewer
            ? `Viewer: restored ${state.markdown} on page ${state.page}.`
            : `Viewer: ${state.markdown} could not be restored.`,
        );
      },
    }),
  ];
}

export interface ViewerInfo {
  markdown: string;
  page: number;
  highlighted: number[];
  firstPaintMs?: number;
  security: { csp: string; roots: string[] };
}

/** The test API's view of the open viewers (automation only). */
export async function openViewerStates(): Promise<ViewerInfo[]> {
  if (!module) return [];
  const { openViewers } = await module;
  return openViewers().map((v) => ({
    markdown: v.markdownPath,
    page: v.page,
    highlighted: [...v.highlighted],
    security: v.security,
    ...(v.firstPaintMs === undefined ? {} : { firstPaintMs: v.firstPaintMs }),
  }));
}

function isUri(v: unknown): v is vscode.Uri {
  return v instanceof vscode.Uri;
}

async function markdownFor(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  if (isUri(arg)) return arg.scheme === 'file' ? arg.fsPath : undefined;
  const fromTree = arg === undefined ? undefined : resolveTask(ctx, arg);
  if (fromTree?.result) return fromTree.result.markdownPath;
  const results = ctx.store
    .all()
    .filter((t): t is TaskRecord & { result: NonNullable<TaskRecord['result']> } =>
      Boolean(t.state === 'done' && t.result),
    );
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const task = results.find((t) => t.result.markdownPath === active.fsPath);
    if (task) return task.result.markdownPath;
    if (/\.md$/i.test(active.fsPath)) return active.fsPath;
  }
  if (results.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'No parsed result to show. Parse a document first, then open its source beside its Markdown.',
      ),
    );
    return undefined;
  }
  if (results.length === 1) return results[0]!.result.markdownPath;
  const pick = await vscode.window.showQuickPick(
    results.map((t) => ({ label: t.name, description: t.result.markdownPath, path: t.result.markdownPath })),
    {
      title: vscode.l10n.t('MinerU: Open Source Beside Markdown'),
      placeHolder: vscode.l10n.t('Choose a result'),
    },
  );
  return pick?.path;
}

/** The shape of a saved state, for the log (field names and types, no values). */
function describeState(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return typeof raw;
  return Object.entries(raw as Record<string, unknown>)
    .slice(0, 10)
    .map(([k, v]) => `${k.slice(0, 40)}: ${typeof v}`)
    .join(', ');
}
