import * as vscode from 'vscode';
import { findDocumentLinks, linkAt, validateDocumentUrl } from '../../core/links/findLinks';

/**
 * The URL to propose in the input box, from, in order: the selection, the link under the cursor,
 * the active document's own http(s) URI, then the clipboard — whichever first holds a URL. The
 * clipboard is not read in a browser-hosted VS Code (see below).
 */
export async function proposeUrl(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const fromSelection = urlInSelection(editor);
    if (fromSelection) return fromSelection;
    const underCursor = urlUnderCursor(editor);
    if (underCursor) return underCursor;
    const uri = editor.document.uri;
    if (uri.scheme === 'http' || uri.scheme === 'https') return uri.toString(true);
  }
  // In a browser (code-server, vscode.dev) reading the clipboard needs a permission prompt that
  // headless or locked-down browsers never answer, and the input box would wait for it: skip it.
  if (vscode.env.uiKind === vscode.UIKind.Web) return undefined;
  const clip = (await readClipboard()).trim();
  if (clip && clip.length < 8192) {
    const found = findDocumentLinks(clip, { maxLinks: 1 })[0];
    if (found) return found.url;
    const v = validateDocumentUrl(clip);
    if (v.ok && /^https?:\/\//i.test(clip)) return v.url;
  }
  return undefined;
}

/** The clipboard text, or '' when it cannot be read within a moment. */
async function readClipboard(): Promise<string> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(''), 500));
  return Promise.race([vscode.env.clipboard.readText().then(undefined, () => ''), timeout]);
}

export function urlInSelection(editor: vscode.TextEditor): string | undefined {
  const sel = editor.selection;
  if (sel.isEmpty) return undefined;
  const text = editor.document.getText(sel);
  return findDocumentLinks(text, { maxLinks: 1 })[0]?.url;
}

export function urlUnderCursor(editor: vscode.TextEditor): string | undefined {
  const pos = editor.selection.active;
  const line = editor.document.lineAt(pos.line).text;
  return linkAt(line, pos.character)?.url;
}
