// What the integration tests share: the extension's API, the workspace folder, waiting for a
// condition, finished tasks, and user-level settings.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi, MinerUTestHandle } from '../../src/extension';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';

export const EXTENSION_ID = 'mineru-community.mineru-document-parser';

/**
 * Activates the extension (once) and returns its test API once the composition root has run (a
 * test host has one; production none).
 */
export async function api(): Promise<MinerUTestApi> {
  const ext = vscode.extensions.getExtension<MinerUTestHandle | undefined>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
  const activated = await ext.activate();
  assert.ok(activated, 'activate() returns the test handle in a test host');
  return activated.ready;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration suite runs with a workspace folder open');
  return folder.uri.fsPath;
}

/** Polls `probe` until it returns something truthy, or fails naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The tasks, once every one of them is done or failed. */
export function finished(a: MinerUTestApi, ids: string[]): TaskRecord[] | undefined {
  const tasks = ids.map((id) => a.store.get(id));
  return tasks.every((t) => t && (t.state === 'done' || t.state === 'failed'))
    ? (tasks as TaskRecord[])
    : undefined;
}

/** Sets (or, with undefined, removes) a `mineru.*` user setting. */
export async function configure(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('mineru').update(key, value, vscode.ConfigurationTarget.Global);
}

/** The fake service and the extension's API of a suite that uses {@link useFakeMinerU}. */
export interface FakeSuite {
  fake: FakeMinerU;
  api: MinerUTestApi;
}

/**
 * For the enclosing `describe`: starts the fake MinerU service, points the user-level endpoints
 * (and any `settings` given) at it, activates the extension and sets the fake's token; afterwards
 * clears those settings and stops the fake. The returned object is filled in by the `before` hook.
 */
export function useFakeMinerU(settings: Record<string, unknown> = {}): FakeSuite {
  const suite = {} as FakeSuite;
  before(async () => {
    suite.fake = await startFakeMinerU({ progress: 'timed', stepMs: 40, pages: 3 });
    await configure('apiBaseUrl', suite.fake.apiBaseUrl);
    await configure('agentBaseUrl', suite.fake.agentBaseUrl);
    for (const [key, value] of Object.entries(settings)) await configure(key, value);
    suite.api = await api();
    await suite.api.setToken(suite.fake.token);
  });
  after(async () => {
    for (const key of ['apiBaseUrl', 'agentBaseUrl', ...Object.keys(settings)])
      await configure(key, undefined);
    await suite.fake?.close();
  });
  return suite;
}

/** The SecretStorage key of the API token (pinned here: renaming it would lose users' tokens). */
export const TOKEN_SECRET_KEY = 'mineru.apiToken';

/** An input box the extension opened while {@link answerInputBoxes} stood in for the user. */
export interface AskedInputBox {
  options: vscode.InputBoxOptions | undefined;
}

/**
 * Stands in for the user at the extension's input boxes while `body` runs: every
 * `window.showInputBox` the extension calls is recorded and answered by `answer` (undefined =
 * Escape). The test host shares one `vscode` API object with the extension under test (both live
 * in the extension's folder), so this sees exactly what the user would be asked. Restored after.
 */
export async function answerInputBoxes<T>(
  answer: (options: vscode.InputBoxOptions | undefined) => string | undefined,
  body: (asked: AskedInputBox[]) => Promise<T>,
): Promise<T> {
  const window = vscode.window as { showInputBox: typeof vscode.window.showInputBox };
  const original = window.showInputBox;
  const asked: AskedInputBox[] = [];
  window.showInputBox = (options?: vscode.InputBoxOptions) => {
    asked.push({ options });
    return Promise.resolve(answer(options));
  };
  try {
    return await body(asked);
  } finally {
    window.showInputBox = original;
  }
}

/** A quick pick the extension opened while {@link answerQuickPicks} stood in for the user. */
export interface AskedQuickPick {
  items: readonly vscode.QuickPickItem[];
  options: vscode.QuickPickOptions | undefined;
}

/**
 * Stands in for the user at the extension's quick picks while `body` runs, like
 * {@link answerInputBoxes}: `answer` gets the items (resolved) and options and returns the item(s)
 * to accept (an array for `canPickMany`), or undefined for Escape. Restored after.
 */
export async function answerQuickPicks<T>(
  answer: (
    items: readonly vscode.QuickPickItem[],
    options: vscode.QuickPickOptions | undefined,
  ) => vscode.QuickPickItem | readonly vscode.QuickPickItem[] | undefined,
  body: (asked: AskedQuickPick[]) => Promise<T>,
): Promise<T> {
  const window = vscode.window as { showQuickPick: unknown };
  const original = window.showQuickPick;
  const asked: AskedQuickPick[] = [];
  window.showQuickPick = async (
    items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>,
    options?: vscode.QuickPickOptions,
  ) => {
    const list = await items;
    asked.push({ items: list, options });
    return answer(list, options);
  };
  try {
    return await body(asked);
  } finally {
    window.showQuickPick = original;
  }
}

/** A notification or modal dialog the extension showed while {@link answerMessages} recorded them. */
export interface ShownMessage {
  kind: 'info' | 'warning' | 'error';
  message: string;
  modal: boolean;
  detail: string | undefined;
  /** The buttons' titles. */
  items: string[];
}

/**
 * Records every `window.show{Information,Warning,Error}Message` of the extension while `body` runs
 * and answers it with the button whose title `answer` returns (undefined: dismissed / Escape).
 * Restored after.
 */
export async function answerMessages<T>(
  answer: (shown: ShownMessage) => string | undefined,
  body: (shown: ShownMessage[]) => Promise<T>,
): Promise<T> {
  type Item = string | vscode.MessageItem;
  const window = vscode.window as unknown as Record<string, unknown>;
  const names = {
    info: 'showInformationMessage',
    warning: 'showWarningMessage',
    error: 'showErrorMessage',
  } as const;
  const originals = new Map<string, unknown>();
  const shown: ShownMessage[] = [];
  for (const [kind, name] of Object.entries(names) as [ShownMessage['kind'], string][]) {
    originals.set(name, window[name]);
    window[name] = (message: string, ...rest: unknown[]) => {
      const first = rest[0];
      const options =
        first && typeof first === 'object' && !('title' in first)
          ? (rest.shift() as vscode.MessageOptions)
          : {};
      const items = rest as Item[];
      const titles = items.map((i) => (typeof i === 'string' ? i : i.title));
      const record: ShownMessage = {
        kind,
        message,
        modal: options.modal === true,
        detail: options.detail,
        items: titles,
      };
      shown.push(record);
      const chosen = answer(record);
      return Promise.resolve(chosen === undefined ? undefined : items[titles.indexOf(chosen)]);
    };
  }
  try {
    return await body(shown);
  } finally {
    for (const [name, fn] of originals) window[name] = fn;
  }
}

/**
 * The file selected in the Explorer, read through the workbench itself: `copyFilePath` without an
 * argument copies the path of the focused Explorer selection (or of the active editor when the
 * Explorer has no focus). The clipboard is set to a sentinel first, so a stale value never passes.
 */
export async function explorerSelectionPath(): Promise<string> {
  const sentinel = `no-selection-${Date.now()}`;
  await vscode.env.clipboard.writeText(sentinel);
  await vscode.commands.executeCommand('copyFilePath');
  const copied = await vscode.env.clipboard.readText();
  return copied === sentinel ? '' : copied;
}

/**
 * Records the URIs the extension hands to `env.openExternal` while `body` runs, and opens nothing
 * (the user's browser is outside the test). The test host leaves `vscode.env` writable for this.
 */
export async function interceptOpenExternal<T>(body: (opened: vscode.Uri[]) => Promise<T>): Promise<T> {
  const env = vscode.env as { openExternal: typeof vscode.env.openExternal };
  const original = env.openExternal;
  const opened: vscode.Uri[] = [];
  env.openExternal = (target: vscode.Uri) => {
    opened.push(target);
    return Promise.resolve(true);
  };
  try {
    return await body(opened);
  } finally {
    env.openExternal = original;
  }
}
