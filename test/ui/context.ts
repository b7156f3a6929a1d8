// What scripts/run-ui-tests.mjs hands to the UI tests: the browser page on a code-server
// workbench with the packaged extension installed, the opened workspace, and ways to change the
// user settings (applied live) and to save screenshots. Set once by the runner before mocha runs.
import type { Page } from 'playwright-core';
import type { FakeMinerU } from '../fake-mineru/server';

export interface UiContext {
  page: Page;
  /** Absolute path of the opened workspace folder (a temp copy of a fixture). */
  workspaceDir: string;
  /** code-server base URL, e.g. http://127.0.0.1:41234 */
  serverUrl: string;
  /** The fake MinerU service the workbench's settings point at (timed progress, 60 ms steps). */
  fake: FakeMinerU;
  /** Merges into the user settings.json; the running workbench applies it live. */
  setUserSettings(settings: Record<string, unknown>): void;
  /** Saves a PNG under test-results/ and returns its path. */
  screenshot(name: string): Promise<string | undefined>;
  /** Runs `fn` when the UI run ends (after all tests), e.g. to stop a fake service. */
  onCleanup(fn: () => Promise<void> | void): void;
}

let current: UiContext | undefined;

export function setUiContext(context: UiContext): void {
  current = context;
}

export function ui(): UiContext {
  if (!current) throw new Error('UI context not set: run the UI tests through scripts/run-ui-tests.mjs');
  return current;
}
