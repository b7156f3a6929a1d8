// What the integration tests share: the extension's API, the workspace folder, waiting for a
// condition, finished tasks, and user-level settings.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/tasks/task';
import type { MinerUTestApi } from '../../src/extension';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';

export const EXTENSION_ID = 'mineru-community.mineru-document-parser';

/** Activates the extension (once) and returns its test API (a test host has one; production none). */
export async function api(): Promise<MinerUTestApi> {
  const ext = vscode.extensions.getExtension<MinerUTestApi | undefined>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
  const activated = await ext.activate();
  assert.ok(activated, 'activate() returns the test API in a test host');
  return activated;
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

/** A notification the extension showed while {@link recordMessages} stood in for the user. */
export interface ShownMessage {
  severity: 'information' | 'warning' | 'error';
  message: string;
  /** The buttons' titles, in order. */
  items: string[];
  options: vscode.MessageOptions | undefined;
}

type ShowMessage = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/**
 * Stands in for the user at the extension's notifications while `body` runs: every
 * `window.showInformationMessage`, `showWarningMessage` and `showErrorMessage` is recorded and
 * answered with the button `answer` names (undefined = dismissed), like {@link answerInputBoxes}.
 */
export async function recordMessages<T>(
  body: (shown: ShownMessage[]) => Promise<T>,
  answer: (shown: ShownMessage) => string | undefined = () => undefined,
): Promise<T> {
  const window = vscode.window as unknown as Record<string, ShowMessage>;
  const names = {
    information: 'showInformationMessage',
    warning: 'showWarningMessage',
    error: 'showErrorMessage',
  } as const;
  const originals = new Map<string, ShowMessage>();
  const shown: ShownMessage[] = [];
  for (const [severity, name] of Object.entries(names) as [ShownMessage['severity'], string][]) {
    originals.set(name, window[name]!);
    window[name] = (message: string, ...rest: unknown[]) => {
      // (message, options?, ...items): options is an object without a title.
      const first = rest[0];
      const hasOptions = typeof first === 'object' && first !== null && !('title' in first);
      const options = hasOptions ? (first as vscode.MessageOptions) : undefined;
      const items = (hasOptions ? rest.slice(1) : rest) as (string | vscode.MessageItem)[];
      const record: ShownMessage = {
        severity,
        message,
        items: items.map((i) => (typeof i === 'string' ? i : i.title)),
        options,
      };
      shown.push(record);
      const title = answer(record);
      return Promise.resolve(items.find((i) => (typeof i === 'string' ? i : i.title) === title));
    };
  }
  try {
    return await body(shown);
  } finally {
    for (const [name, original] of originals) window[name] = original;
  }
}
