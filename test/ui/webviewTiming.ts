// Where the time to the viewer's first page goes: the milestones the viewer keeps on its body
// (data-timing, src/core/viewer/timing.ts), the moments the workbench created the webview's two
// iframes (their performance.timeOrigin), and, as a reference in the same run, the same moments for
// a webview this extension does not write: the built-in Markdown preview of a one-line file.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import type { Marks } from '../../src/core/viewer/timing';
import { describeTimeline, parseMarks } from '../../src/core/viewer/timing';
import { closeAllEditors, editorTab, explorerRow, openPalette, typeInQuickInput, until } from './workbench';

const ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

/** The last webview's outer iframe (the workbench's host page) and its inner frame (the content). */
export function lastWebview(page: Page): { outer: FrameLocator; inner: FrameLocator } {
  const outer = page.frameLocator('iframe.webview').last();
  return { outer, inner: outer.frameLocator('iframe#active-frame') };
}

/** Epoch ms when the frame's document began loading, and when its DOMContentLoaded fired. */
export async function frameTimes(frame: FrameLocator): Promise<{ origin: number; loaded: number }> {
  return frame.locator('html').evaluate(() => {
    // Runs in the page (its Performance has navigation entries; Node's types do not list them).
    const perf = performance as unknown as { getEntriesByType(t: string): unknown[] };
    const nav = perf.getEntriesByType('navigation')[0] as { domContentLoadedEventStart: number } | undefined;
    return {
      origin: performance.timeOrigin,
      loaded: performance.timeOrigin + (nav?.domContentLoadedEventStart ?? 0),
    };
  });
}

/** The viewer's milestones (its body's data-timing). */
export async function viewerMarks(inner: FrameLocator): Promise<Marks> {
  const raw = await inner.locator('body').getAttribute('data-timing');
  return parseMarks(raw ? (JSON.parse(raw) as unknown) : {});
}

/** Runs a palette command and returns when its row was clicked (epoch ms). */
export async function clickPaletteCommand(page: Page, title: string): Promise<number> {
  await openPalette(page);
  await typeInQuickInput(page, title);
  const row = page.locator(`${ROWS}[aria-label^="${title}"]`).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  const at = Date.now();
  await row.click();
  return at;
}

/**
 * The built-in Markdown preview of a one-line file, opened beside it: milliseconds from the palette
 * click to the workbench's iframe, to the content frame's start, and to the text shown. A webview
 * cannot start sooner than this, whatever it shows.
 */
export async function referenceWebview(page: Page, workspaceDir: string): Promise<string> {
  const name = 'viewer-timing-reference.md';
  await fs.writeFile(path.join(workspaceDir, name), '# Reference\n\nOne line.\n');
  await closeAllEditors(page);
  await (await explorerRow(page, name)).click();
  await editorTab(page, name).waitFor({ state: 'visible', timeout: 30_000 });
  const clicked = await clickPaletteCommand(page, 'Markdown: Open Preview to the Side');
  const { outer, inner } = lastWebview(page);
  await until(
    'the Markdown preview to show its text',
    async () =>
      (await inner
        .locator('body', { hasText: 'One line.' })
        .count()
        .catch(() => 0)) > 0,
    30_000,
  );
  const shown = Date.now();
  const o = await frameTimes(outer);
  const i = await frameTimes(inner);
  await closeAllEditors(page);
  return (
    `outer iframe +${Math.round(o.origin - clicked)}, content frame +${Math.round(i.origin - clicked)}, ` +
    `its DOMContentLoaded +${Math.round(i.loaded - clicked)}, text seen +${shown - clicked} ms after the click`
  );
}

/** The viewer's breakdown: the workbench's iframes and every milestone, from `clicked`. */
export async function viewerBreakdown(page: Page, clicked: number): Promise<string> {
  const { outer, inner } = lastWebview(page);
  const o = await frameTimes(outer);
  const marks = await viewerMarks(inner);
  return `outer iframe +${Math.round(o.origin - clicked)}; ${describeTimeline(marks, clicked)}`;
}
