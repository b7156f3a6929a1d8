/**
 * What the viewer's modules share: the VS Code API of the page, its elements, the open PDF, the
 * page slots, zoom and current page, the blocks received so far, and the strings.
 */
import type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist';
import type { PageSize } from '../core/viewer/geometry';
import type { ViewerMessage, ViewerState, ZoomSetting } from '../core/viewer/messages';
import type { ViewerBlock, ViewerHeading } from '../core/viewer/viewerModel';

interface VsCodeApi {
  postMessage(message: ViewerMessage): void;
  setState(state: ViewerState): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const host = acquireVsCodeApi();
export const GAP = 12;

export interface PageSlot {
  n: number;
  el: HTMLDivElement;
  /** Size in points as displayed (rotation applied); a guess until the page is loaded. */
  size: PageSize;
  known: boolean;
  canvas?: HTMLCanvasElement;
  boxes?: HTMLDivElement;
  task?: RenderTask;
  /** The scale the canvas was drawn at. */
  drawn?: number;
}

export const view = {
  markdown: '',
  doc: undefined as PDFDocumentProxy | undefined,
  slots: [] as PageSlot[],
  zoom: 'fit' as ZoomSetting,
  scale: 1,
  current: 1,
  strings: {} as Record<string, string>,
  /** Blocks by content_list index (those received so far). */
  blocks: [] as (ViewerBlock | undefined)[],
  /** Blocks by 0-based page. */
  byPage: new Map<number, ViewerBlock[]>(),
  headings: [] as ViewerHeading[],
  /** Page sizes in points from the layout (0-based page). */
  pageSizes: new Map<number, PageSize>(),
  /** Whether the extension's blocks arrived (the first page's at least). */
  modelIn: false,
  /** Told when the current page changes (the toolbar's page box). */
  onCurrent: (_n: number): void => undefined,
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
export const pagesEl = $<HTMLDivElement>('pages');
export const toolbarEl = $<HTMLDivElement>('toolbar');
export const statusEl = $<HTMLDivElement>('status');
export const outlineEl = $<HTMLElement>('outline');

export function t(key: string, ...args: (string | number)[]): string {
  let s = view.strings[key] ?? key;
  args.forEach((a, i) => (s = s.replace(`{${i}}`, String(a))));
  return s;
}

export function saveState(): void {
  if (!view.markdown) return;
  const state: ViewerState = { markdown: view.markdown, page: view.current, zoom: view.zoom };
  host.setState(state);
  host.postMessage({ type: 'state', page: view.current, zoom: view.zoom });
}

export function setCurrent(n: number): void {
  view.current = n;
  view.onCurrent(n);
}

/** The page at the top of the viewport: binary search over the pages' offsets. */
export function pageAtScroll(): number {
  const { slots } = view;
  // Scrolled to the end: the last page, though its top never reaches the top of the view.
  if (pagesEl.scrollTop + pagesEl.clientHeight >= pagesEl.scrollHeight - 2) return slots.length;
  const y = pagesEl.scrollTop + pagesEl.clientHeight / 3;
  let lo = 0;
  let hi = slots.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((slots[mid] as PageSlot).el.offsetTop <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
