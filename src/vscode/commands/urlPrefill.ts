import * as vscode from 'vscode';
import { findDocumentLinks, linkAt, validateDocumentUrl } from '../../core/links/findLinks';

/**
 * The URL to propose in the input box, from, in order: the selection, the link under the cursor,
 * the active document's own http(s) URI, then the clipboard — whichever first holds a URL.
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
  const clip = (await vscode.env.clipboard.readText()).trim();
  if (clip && clip.length < 8192) {
    const found = findDocumentLinks(clip, { maxLinks: 1 })[0];
    if (found) return found.url;
    const v = validateDocumentUrl(clip);
    if (v.ok && /^https?:\/\//i.test(clip)) return v.url;
  }
  return undefined;
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
