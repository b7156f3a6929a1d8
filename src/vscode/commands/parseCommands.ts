import * as vscode from 'vscode';
import type { ParseOptions } from '../../core/api/types';
import { findDocumentLinks, type FoundLink } from '../../core/links/findLinks';
import { validateDocumentUrl } from '../../core/links/validateUrl';
import type { TaskMode, TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { askForOptions } from '../flows/optionsPrompt';
import { submitUrls } from '../flows/submitUrls';
import { registerCommand } from './register';
import { urlProblemText } from '../errorText';
import { proposeUrl, urlUnderCursor } from './urlPrefill';

/** Registers "Parse Document from URL", "… with Options…" and "Parse Linked Documents". */
export function registerParseCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    registerCommand(ctx, 'mineru.parseUrl', (url?: unknown) => parseUrl(ctx, false, url)),
    registerCommand(ctx, 'mineru.parseUrlWithOptions', (url?: unknown) => parseUrl(ctx, true, url)),
    registerCommand(ctx, 'mineru.parseLinks', () => parseLinks(ctx)),
  ];
}

/** Asks for a URL (prefilled), validates it, optionally asks for options, and submits. */
async function parseUrl(
  ctx: CommandContext,
  withOptions: boolean,
  given?: unknown,
): Promise<TaskRecord[] | undefined> {
  // A URL handed in by a caller submits at once only in a test host. In production it is only
  // proposed in the input box: another extension must not submit documents without the user.
  let input = ctx.automation && typeof given === 'string' ? given : undefined;
  if (input === undefined) {
    const proposed = typeof given === 'string' && given.trim() ? given.trim() : await proposeUrl();
    input = await vscode.window.showInputBox({
      title: vscode.l10n.t('MinerU: Parse Document from URL'),
      prompt: vscode.l10n.t('A link to a PDF, Word, PowerPoint, image or HTML document'),
      placeHolder: 'https://example.com/paper.pdf',
      value: proposed ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const r = validateDocumentUrl(v);
        return r.ok ? undefined : urlProblemText(r, vscode.l10n);
      },
    });
    if (input === undefined) return undefined;
  }
  const checked = validateDocumentUrl(input);
  if (!checked.ok) {
    void vscode.window.showErrorMessage(urlProblemText(checked, vscode.l10n));
    return undefined;
  }
  if (!checked.supported && !(await confirmUnknown([checked.url]))) return undefined;
  let options: ParseOptions = ctx.settings().defaults;
  let mode: TaskMode | undefined;
  if (withOptions) {
    const chosen = await askForOptions(ctx, checked.url, options);
    if (!chosen) return undefined;
    ({ options, mode } = chosen);
  }
  return submitUrls(ctx, [{ url: checked.url }], options, mode);
}

/**
 * With no selection, parses the link under the cursor; with a selection, every document link in
 * it, as one batch request (split at the batch limit).
 */
async function parseLinks(ctx: CommandContext): Promise<TaskRecord[] | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Open a file with links, select them, and run this command again.'),
    );
    return undefined;
  }
  let links: FoundLink[];
  if (editor.selections.every((s) => s.isEmpty)) {
    const url = urlUnderCursor(editor);
    if (!url) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'There is no link under the cursor. Put the cursor on a link, or select text that holds links.',
        ),
      );
      return undefined;
    }
    links = findDocumentLinks(url);
  } else {
    const text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
    links = findDocumentLinks(text);
    const seen = new Set<string>();
    links = links.filter((l) => !seen.has(l.url) && seen.add(l.url));
  }
  if (links.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('The selection holds no http or https links.'));
    return undefined;
  }
  let chosen = links.filter((l) => l.supported);
  const unknown = links.filter((l) => !l.supported);
  if (chosen.length === 0) {
    if (!(await confirmUnknown(unknown.map((l) => l.url)))) return undefined;
    chosen = unknown;
  } else if (unknown.length > 0) {
    ctx.logger.info(`Skipped ${unknown.length} link(s) that do not point to a supported document type.`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Parsing {0} document link(s); skipped {1} link(s) that are not documents.',
        chosen.length,
        unknown.length,
      ),
    );
  }
  return submitUrls(
    ctx,
    chosen.map((l) => ({ url: l.url })),
    ctx.settings().defaults,
  );
}

async function confirmUnknown(urls: string[]): Promise<boolean> {
  const go = vscode.l10n.t('Parse Anyway');
  const answer = await vscode.window.showWarningMessage(
    urls.length === 1
      ? vscode.l10n.t(
          '"{0}" does not end in a known document type (.pdf, .docx, .pptx, .png, .jpg, .html …). MinerU may not parse it.',
          urls[0]!,
        )
      : vscode.l10n.t(
          '{0} links do not end in a known document type. MinerU may not parse them.',
          urls.length,
        ),
    go,
  );
  return answer === go;
}
