import * as vscode from 'vscode';

/** A quick-pick item that carries the value it stands for. */
export type ValuePick<T> = vscode.QuickPickItem & { value: T };

/** One choice; the active value is listed first. Undefined when the user pressed Escape. */
export async function pickOne<T>(
  title: string,
  placeHolder: string,
  items: ValuePick<T>[],
  active: T,
): Promise<T | undefined> {
  const sorted = [...items.filter((i) => i.value === active), ...items.filter((i) => i.value !== active)];
  const choice = await vscode.window.showQuickPick(sorted, { title, placeHolder, ignoreFocusOut: true });
  return choice?.value;
}

/** Several choices (the items' `picked` preselects). Undefined when the user pressed Escape. */
export async function pickMany<T>(
  title: string,
  placeHolder: string,
  items: ValuePick<T>[],
): Promise<T[] | undefined> {
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder,
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return choice?.map((c) => c.value);
}
