// @ts-check
// Headless Debian Chromium driven by playwright-core, for the workbench served by code-server.
// A fresh profile per launch (removed at the end); XDG_CONFIG_HOME/XDG_CACHE_HOME point into it
// so crashpad and dconf write nothing under $HOME. Closed on exit/signals via host.mjs' cleanup.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { chromium } from 'playwright-core';
import { RESULTS_DIR, errorText, onCleanup, tempDir } from './host.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Chromium; returns { context, page, close() }. */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Run: bash scripts/install-host.sh`);
  }
  const profile = tempDir('mineru-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    viewport,
    // Signals are handled by host.mjs, which closes the browser among everything else.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 60_000,
  });
  const close = onCleanup(async () => {
    await context.close().catch(() => undefined);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  if (process.env.DEBUG_BROWSER_CONSOLE === '1') {
    page.on('console', (m) => console.error(`[browser ${m.type()}] ${m.text().slice(0, 500)}`));
  }
  return { context, page, close };
}

/**
 * Installs the workbench's automation hooks before the page loads:
 *   window.codeAutomationLog(level, args)  — log lines (incl. the extension host's console) → onLog
 *   window.codeAutomationExit(code, logs)   — the extension-tests run ended → resolves `exited`
 * Returns { exited } (wrapped: an async function would otherwise wait for the promise itself).
 */
export async function exposeAutomationHooks(page, onLog) {
  let resolveExit;
  const exited = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const parts = Array.isArray(args) ? args : [args];
    onLog(level, util.format(...parts));
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit({ code: typeof code === 'number' ? code : Number(code) });
  });
  page.on('crash', () => resolveExit({ code: 'crash' }));
  return { exited };
}

/** Waits until the workbench shell is there (optionally the explorer of an opened folder). */
export async function waitForWorkbench(page, { folder = true, timeout = 60_000 } = {}) {
  await page.waitForSelector('.monaco-workbench', { timeout });
  if (folder) await page.waitForSelector('.explorer-folders-view', { timeout });
}

/** Saves a screenshot under test-results/ and returns its path (never throws). */
export async function screenshot(page, name) {
  const file = path.join(RESULTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
  try {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch (err) {
    console.error(`[browser] screenshot ${file} failed: ${errorText(err)}`);
    return undefined;
  }
}
