/**
 * The pages: one slot per PDF page, sized from the layout (or page 1) until the page is loaded;
 * only the pages in view, plus one each side, hold a drawn canvas (the others are released, so
 * memory stays bounded); zoom and fit width; the page shown, kept as the user scrolls.
 */
import type { PDFPageProxy } from 'pdfjs-dist';
import type { PageSize } from '../core/viewer/geometry';
import type { ZoomSetting } from '../core/viewer/messages';
import { MAX_ZOOM, MIN_ZOOM } from '../core/viewer/messages';
import { drawBoxes, dropBoxes } from './boxes';
import type { PageSlot } from './state';
import { GAP, host, pageAtScroll, pagesEl, saveState, setCurrent, view } from './state';

/** Told when a page's canvas is drawn (the first paint's marks). */
let onDrawn: (n: number) => void = () => undefined;
const near = new Set<number>();
const visible = new Set<number>();
let observer: IntersectionObserver | undefined;
/** Until then, scroll events come from scrollToPage, not the user (the last pages cannot reach the top). */
let chosenUntil = 0;

export function whenDrawn(f: (n: number) => void): void {
  onDrawn = f;
}

export function stepZoom(dir: 1 | -1): number {
  const steps = [0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5];
  if (dir > 0) return steps.find((s) => s > view.scale + 0.01) ?? MAX_ZOOM;
  return [...steps].reverse().find((s) => s < view.scale - 0.01) ?? MIN_ZOOM;
}

function fitScale(): number {
  const widest = view.slots.reduce((w, s) => Math.max(w, s.size.width), 1);
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, (pagesEl.clientWidth - 2 * GAP) / widest));
}

function layoutSlot(s: PageSlot): void {
  s.el.style.width = `${s.size.width * view.scale}px`;
  s.el.style.height = `${s.size.height * view.scale}px`;
  if (s.boxes) drawBoxes(s);
}

/** Zoom label text, e.g. "125%". */
export const zoomText = (): string => `${Math.round(view.scale * 100)}%`;
let onZoom: () => void = () => undefined;
export function whenZoomed(f: () => void): void {
  onZoom = f;
}

export function setZoom(z: ZoomSetting): void {
  const keep = view.current;
  view.zoom = z;
  view.scale = z === 'fit' ? fitScale() : z;
  onZoom();
  for (const s of view.slots) layoutSlot(s);
  scrollToPage(keep);
  for (const n of near) void renderPage(n);
  saveState();
}

function scrollToPage(n: number): void {
  const s = view.slots[n - 1];
  if (s) pagesEl.scrollTop = s.el.offsetTop - GAP;
  chosenUntil = performance.now() + 200;
  setCurrent(n);
}

export function goTo(n: number): void {
  if (!Number.isFinite(n) || view.slots.length === 0) return;
  scrollToPage(Math.min(Math.max(1, Math.round(n)), view.slots.length));
  saveState();
}

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
pagesEl.addEventListener('scroll', () => {
  const n = performance.now() < chosenUntil ? view.current : pageAtScroll();
  if (n !== view.current) setCurrent(n);
  if (scrollTimer) clearTimeout(scrollTimer);
  scrollTimer = setTimeout(saveState, 250);
});

function dropPage(s: PageSlot): void {
  s.task?.cancel();
  s.task = undefined;
  if (s.canvas) {
    // Frees the bitmap now rather than at garbage collection.
    s.canvas.width = 0;
    s.canvas.height = 0;
    s.canvas.remove();
    s.canvas = undefined;
    s.drawn = undefined;
  }
  dropBoxes(s);
}

async function renderPage(n: number): Promise<void> {
  const s = view.slots[n - 1];
  const doc = view.doc;
  if (!s || !doc) return;
  if (s.drawn === view.scale && s.canvas) return;
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(n);
  } catch (e) {
    host.postMessage({ type: 'problem', reason: 'render', detail: String(e) });
    return;
  }
  if (!near.has(n)) return;
  const base = page.getViewport({ scale: 1 });
  if (!s.known || Math.abs(base.width - s.size.width) > 0.5 || Math.abs(base.height - s.size.height) > 0.5) {
    s.size = { width: base.width, height: base.height };
    s.known = true;
    layoutSlot(s);
  }
  const target = view.scale;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: target * ratio });
  const canvas = document.createElement('canvas');
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = `${s.size.width * target}px`;
  canvas.style.height = `${s.size.height * target}px`;
  canvas.dataset.page = String(n);
  s.task?.cancel();
  const task = page.render({ canvas, viewport });
  s.task = task;
  try {
    await task.promise;
  } catch (e) {
    if ((e as { name?: string }).name !== 'RenderingCancelledException')
      host.postMessage({ type: 'problem', reason: 'render', detail: String(e) });
    return;
  }
  if (s.task !== task || !near.has(n)) return;
  s.task = undefined;
  if (s.canvas) {
    s.canvas.width = 0;
    s.canvas.remove();
  }
  s.canvas = canvas;
  s.drawn = target;
  s.el.prepend(canvas);
  s.el.classList.add('painted');
  drawBoxes(s);
  onDrawn(n);
}

/** Pages in view, plus one each side, are drawn; the others are dropped (memory stays bounded). */
function updateNear(seen: Set<number>): void {
  const want = new Set<number>();
  const count = view.slots.length;
  for (const n of seen) for (const m of [n - 1, n, n + 1]) if (m >= 1 && m <= count) want.add(m);
  for (const n of [...near]) {
    if (!want.has(n)) {
      near.delete(n);
      const s = view.slots[n - 1];
      if (s) dropPage(s);
    }
  }
  for (const n of want) {
    if (!near.has(n)) {
      near.add(n);
      void renderPage(n);
    }
  }
}

function observe(): void {
  observer?.disconnect();
  visible.clear();
  observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const n = Number((e.target as HTMLElement).dataset.page);
        if (e.isIntersecting) visible.add(n);
        else visible.delete(n);
      }
      updateNear(visible);
    },
    { root: pagesEl, rootMargin: '0px', threshold: 0 },
  );
  for (const s of view.slots) observer.observe(s.el);
}

/** A slot for each of the document's pages, sized from the layout or page 1; shows `page`. */
export function buildSlots(count: number, first: PageSize, page: number): void {
  pagesEl.replaceChildren();
  view.slots = [];
  for (let n = 1; n <= count; n++) {
    const el = document.createElement('div');
    el.className = 'page';
    el.dataset.page = String(n);
    const guess = n === 1 ? first : view.pageSizes.get(n - 1);
    view.slots.push({ n, el, size: guess ?? first, known: n === 1 });
    pagesEl.append(el);
  }
  view.scale = view.zoom === 'fit' ? fitScale() : view.zoom;
  onZoom();
  for (const s of view.slots) layoutSlot(s);
  scrollToPage(Math.min(page, view.slots.length));
  observe();
}

/**
 * The layout's page sizes arrived after the slots were made: pages not yet loaded take them, and
 * the page shown stays at the top.
 */
export function applyPageSizes(): void {
  let changed = false;
  for (const s of view.slots) {
    const size = view.pageSizes.get(s.n - 1);
    if (s.known || !size || (size.width === s.size.width && size.height === s.size.height)) continue;
    s.size = size;
    changed = true;
  }
  // Lays the pages out again (fit width may change with them), keeping the page shown.
  if (changed) setZoom(view.zoom);
}

/** Places the boxes of the drawn pages (their blocks arrived after the canvas). */
export function drawAllBoxes(): void {
  for (const s of view.slots) if (s.canvas) drawBoxes(s);
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  if (view.zoom !== 'fit' || view.slots.length === 0) return;
  if (resizeTimer) clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => setZoom('fit'), 150);
});
