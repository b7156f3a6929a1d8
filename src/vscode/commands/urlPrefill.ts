import * as vscode from 'vscode';
import { findDocumentLinks, linkAt } from '../../core/links/findLinks';
import { validateDocumentUrl } from '../../core/links/validateUrl';

/**
 * The URL to propose in the input box, from, in order: the selection, the link under the cursor,
 * the active document's own http(s) URI, then the clipboard — whichever first holds a URL. The
 * clipboard gets a moment to answer, and is left out from then on when it fails or times out.
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
  const clip = (await readClipboard()).trim();
  if (clip && clip.length < 8192) {
    const found = findDocumentLinks(clip, { maxLinks: 1 })[0];
    if (found) return found.url;
    const v = validateDocumentUrl(clip);
    if (v.ok && /^https?:\/\//i.test(clip)) return v.url;
  }
  return undefined;
}

/** How long the input box waits for the clipboard before it opens without it. */
export const CLIPBOARD_TIMEOUT_MS = 500;

/**
 * False once a read failed or timed out: in a browser (code-server, vscode.dev) reading the
 * clipboard may need a permission the user never grants, and every later input box would wait
 * for it again. Reset by a reload.
 */
let clipboardReadable = true;

/** The clipboard text, or '' when it cannot be read within a moment. */
async function readClipboard(): Promise<string> {
  if (!clipboardReadable) return '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), CLIPBOARD_TIMEOUT_MS);
  });
  const read = vscode.env.clipboard.readText().then(
    (text) => text,
    () => undefined,
  );
  const text = await Promise.race([read, timeout]);
  clearTimeout(timer);
  if (text === undefined) clipboardReadable = false;
  return text ?? '';
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
