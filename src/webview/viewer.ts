/**
 * The viewer's page (runs inside the webview, bundled by esbuild with pdf.js into
 * dist/webview/viewer.js). It renders the origin PDF page by page as pages come near the viewport,
 * draws each content_list block over its page, and talks to the extension in the messages of
 * src/core/viewer/messages.ts. It gets data only; pdf.js runs with eval disabled.
 */
import type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist';
import type { Bbox } from '../core/viewer/contentList';
import type { PageSize } from '../core/viewer/geometry';
import { bboxToCss } from '../core/viewer/geometry';
import type { ViewerMessage, ViewerState, ZoomSetting } from '../core/viewer/messages';
import { MAX_ZOOM, MIN_ZOOM } from '../core/viewer/messages';
import type { ViewerBlock, ViewerModel } from '../core/viewer/viewerModel';
import { addMarks, mark } from './timing';

interface VsCodeApi {
  postMessage(message: ViewerMessage): void;
  setState(state: ViewerState): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface InitMessage {
  type: 'init';
  pdf: string;
  worker: string;
  cMaps: string;
  standardFonts: string;
  model: ViewerModel;
  state: ViewerState;
  strings: Record<string, string>;
  marks?: unknown;
}
type HostMessage =
  | InitMessage
  | { type: 'highlight'; indices: number[]; scroll: boolean }
  | { type: 'matched'; matched: number[] };

mark('script');
const vscode = acquireVsCodeApi();
const GAP = 12;

interface PageSlot {
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

let doc: PDFDocumentProxy | undefined;
let init: InitMessage | undefined;
let strings: Record<string, string> = {};
let slots: PageSlot[] = [];
let byPage = new Map<number, ViewerBlock[]>();
const boxEls = new Map<number, HTMLDivElement>();
let highlighted = new Set<number>();
let zoom: ZoomSetting = 'fit';
let scale = 1;
let current = 1;
let observer: IntersectionObserver | undefined;
const near = new Set<number>();
let painted = false;
let loadStarted = 0;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const pagesEl = $('pages');
const toolbar = $('toolbar');
const status = $('status');
const outline = $('outline');

function t(key: string, ...args: (string | number)[]): string {
  let s = strings[key] ?? key;
  args.forEach((a, i) => (s = s.replace(`{${i}}`, String(a))));
  return s;
}

function saveState(): void {
  if (!init) return;
  const state: ViewerState = { markdown: init.state.markdown, page: current, zoom };
  vscode.setState(state);
  vscode.postMessage({ type: 'state', page: current, zoom });
}

function button(label: string, title: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  if (id) b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

let pageInput: HTMLInputElement;
let pageCount: HTMLSpanElement;
let zoomLabel: HTMLSpanElement;

function buildToolbar(): void {
  toolbar.replaceChildren();
  const outlineButton = button(
    '☰',
    t('outline'),
    () => {
      outline.hidden = !outline.hidden;
    },
    'outline-toggle',
  );
  outlineButton.disabled = (init?.model.headings.length ?? 0) === 0;
  pageInput = document.createElement('input');
  pageInput.id = 'page-number';
  pageInput.type = 'number';
  pageInput.min = '1';
  pageInput.value = '1';
  pageInput.title = t('page');
  pageInput.setAttribute('aria-label', t('page'));
  pageInput.addEventListener('change', () => goTo(Number(pageInput.value)));
  pageCount = document.createElement('span');
  pageCount.id = 'page-count';
  zoomLabel = document.createElement('span');
  zoomLabel.id = 'zoom-label';
  const discardedLabel = document.createElement('label');
  const discarded = document.createElement('input');
  discarded.type = 'checkbox';
  discarded.id = 'show-discarded';
  discarded.checked = true;
  discarded.addEventListener('change', () =>
    document.body.classList.toggle('hide-discarded', !discarded.checked),
  );
  discardedLabel.append(discarded, ` ${t('discarded')}`);
  toolbar.append(
    outlineButton,
    button('‹', t('previous'), () => goTo(current - 1), 'prev-page'),
    pageInput,
    pageCount,
    button('›', t('next'), () => goTo(current + 1), 'next-page'),
    button('−', t('zoomOut'), () => setZoom(stepZoom(-1)), 'zoom-out'),
    zoomLabel,
    button('+', t('zoomIn'), () => setZoom(stepZoom(1)), 'zoom-in'),
    button('↔', t('fitWidth'), () => setZoom('fit'), 'fit-width'),
    discardedLabel,
  );
}

function buildOutline(): void {
  outline.replaceChildren();
  for (const h of init?.model.headings ?? []) {
    const b = document.createElement('button');
    b.className = `level-${Math.min(h.level, 6)}`;
    b.textContent = h.text;
    b.title = `${t('page')} ${h.page + 1}`;
    b.addEventListener('click', () => {
      setHighlight([h.index], true);
      vscode.postMessage({ type: 'reveal', index: h.index });
    });
    outline.append(b);
  }
}

function stepZoom(dir: 1 | -1): number {
  const steps = [0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5];
  if (dir > 0) return steps.find((s) => s > scale + 0.01) ?? MAX_ZOOM;
  return [...steps].reverse().find((s) => s < scale - 0.01) ?? MIN_ZOOM;
}

function fitScale(): number {
  const widest = slots.reduce((w, s) => Math.max(w, s.size.width), 1);
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, (pagesEl.clientWidth - 2 * GAP) / widest));
}

function setZoom(z: ZoomSetting): void {
  const keep = current;
  zoom = z;
  scale = z === 'fit' ? fitScale() : z;
  zoomLabel.textContent = `${Math.round(scale * 100)}%`;
  for (const s of slots) layoutSlot(s);
  scrollToPage(keep);
  for (const n of near) void renderPage(n);
  saveState();
}

function layoutSlot(s: PageSlot): void {
  s.el.style.width = `${s.size.width * scale}px`;
  s.el.style.height = `${s.size.height * scale}px`;
  if (s.boxes) drawBoxes(s);
}

/** Until then, scroll events come from scrollToPage, not the user (the last pages cannot reach the top). */
let chosenUntil = 0;

function scrollToPage(n: number): void {
  const s = slots[n - 1];
  if (s) pagesEl.scrollTop = s.el.offsetTop - GAP;
  chosenUntil = performance.now() + 200;
  setCurrent(n);
}

function goTo(n: number): void {
  if (!Number.isFinite(n) || slots.length === 0) return;
  scrollToPage(Math.min(Math.max(1, Math.round(n)), slots.length));
  saveState();
}

function setCurrent(n: number): void {
  current = n;
  if (pageInput) pageInput.value = String(n);
}

/** The page at the top of the viewport: binary search over the pages' offsets. */
function pageAtScroll(): number {
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

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
pagesEl.addEventListener('scroll', () => {
  const n = performance.now() < chosenUntil ? current : pageAtScroll();
  if (n !== current) setCurrent(n);
  if (scrollTimer) clearTimeout(scrollTimer);
  scrollTimer = setTimeout(saveState, 250);
});

/** The block's CSS rectangle over its page, at the current scale. */
function rectOf(block: ViewerBlock & { bbox: Bbox }, s: PageSlot): ReturnType<typeof bboxToCss> {
  return bboxToCss(block.bbox, block.unit, s.size, { scale, rotation: 0 });
}

function drawBoxes(s: PageSlot): void {
  const layer = s.boxes ?? document.createElement('div');
  if (!s.boxes) {
    layer.className = 'boxes';
    s.el.append(layer);
    s.boxes = layer;
  }
  for (const block of byPage.get(s.n - 1) ?? []) {
    if (!block.bbox) continue;
    let el = boxEls.get(block.index);
    if (!el) {
      el = document.createElement('div');
      el.className = `box kind-${block.kind}${block.matched ? '' : ' unmatched'}`;
      el.dataset.index = String(block.index);
      el.dataset.type = block.type;
      const kind = t(block.kind === 'discarded' ? 'unknown' : block.kind);
      const typeName = block.kind === 'discarded' ? block.type : kind;
      el.title = `${typeName}: ${block.label}${block.matched || block.kind === 'discarded' ? '' : ` (${t('unmatched')})`}`;
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', el.title);
      const index = block.index;
      el.addEventListener('click', () => {
        setHighlight([index], false);
        vscode.postMessage({ type: 'reveal', index });
      });
      if (highlighted.has(index)) el.classList.add('highlight');
      boxEls.set(index, el);
      layer.append(el);
    }
    const r = rectOf(block as ViewerBlock & { bbox: Bbox }, s);
    el.style.left = `${r.left}px`;
    el.style.top = `${r.top}px`;
    el.style.width = `${Math.max(2, r.width)}px`;
    el.style.height = `${Math.max(2, r.height)}px`;
  }
}

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
  if (s.boxes) {
    for (const b of byPage.get(s.n - 1) ?? []) boxEls.delete(b.index);
    s.boxes.remove();
    s.boxes = undefined;
  }
}

async function renderPage(n: number): Promise<void> {
  const s = slots[n - 1];
  if (!s || !doc) return;
  if (s.drawn === scale && s.canvas) return;
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(n);
  } catch (e) {
    vscode.postMessage({ type: 'problem', reason: 'render', detail: String(e) });
    return;
  }
  if (!near.has(n)) return;
  const base = page.getViewport({ scale: 1 });
  if (!s.known || Math.abs(base.width - s.size.width) > 0.5 || Math.abs(base.height - s.size.height) > 0.5) {
    s.size = { width: base.width, height: base.height };
    s.known = true;
    layoutSlot(s);
  }
  const target = scale;
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
      vscode.postMessage({ type: 'problem', reason: 'render', detail: String(e) });
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
  if (!painted) {
    painted = true;
    const ms = performance.now() - loadStarted;
    // For the UI tests: the part of "first page painted" spent in here (worker, PDF, page 1).
    document.body.dataset.paintedMs = String(Math.round(ms));
    mark('painted');
    vscode.postMessage({ type: 'painted', page: n, ms });
  }
}

/** Pages in view, plus one each side, are drawn; the others are dropped (memory stays bounded). */
function updateNear(visible: Set<number>): void {
  const want = new Set<number>();
  for (const n of visible) for (const m of [n - 1, n, n + 1]) if (m >= 1 && m <= slots.length) want.add(m);
  for (const n of [...near]) {
    if (!want.has(n)) {
      near.delete(n);
      const s = slots[n - 1];
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

const visible = new Set<number>();

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
  for (const s of slots) observer.observe(s.el);
}

function setHighlight(indices: number[], scroll: boolean): void {
  for (const i of highlighted) boxEls.get(i)?.classList.remove('highlight');
  highlighted = new Set(indices);
  for (const i of highlighted) boxEls.get(i)?.classList.add('highlight');
  if (!scroll || indices.length === 0) return;
  const block = init?.model.blocks[indices[0] as number];
  const s = block ? slots[block.page] : undefined;
  if (!block || !s) return;
  let top = s.el.offsetTop - GAP;
  if (block.bbox) {
    const r = rectOf(block as ViewerBlock & { bbox: Bbox }, s);
    const inView =
      s.el.offsetTop + r.top >= pagesEl.scrollTop &&
      s.el.offsetTop + r.top + r.height <= pagesEl.scrollTop + pagesEl.clientHeight;
    if (inView) return;
    top = s.el.offsetTop + r.top - pagesEl.clientHeight / 3;
  }
  pagesEl.scrollTop = Math.max(0, top);
  setCurrent(pageAtScroll());
}

async function start(message: InitMessage): Promise<void> {
  mark('message');
  addMarks(message.marks);
  init = message;
  strings = message.strings;
  zoom = message.state.zoom;
  byPage = new Map();
  for (const b of message.model.blocks) {
    const list = byPage.get(b.page);
    if (list) list.push(b);
    else byPage.set(b.page, [b]);
  }
  buildToolbar();
  buildOutline();
  status.textContent = t('loading');
  loadStarted = performance.now();
  try {
    const workerSource = await (await fetch(message.worker)).blob();
    const workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    GlobalWorkerOptions.workerPort = new Worker(workerUrl, { type: 'module' });
    mark('worker');
    const data = new Uint8Array(await (await fetch(message.pdf)).arrayBuffer());
    doc = await getDocument({
      data,
      isEvalSupported: false,
      cMapUrl: message.cMaps,
      cMapPacked: true,
      standardFontDataUrl: message.standardFonts,
      useWorkerFetch: false,
      enableXfa: false,
    }).promise;
    mark('pdf');
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    status.textContent = t('pdfFailed', detail);
    status.classList.add('error');
    vscode.postMessage({ type: 'problem', reason: 'pdfLoad', detail });
    return;
  }
  status.textContent = '';
  const first = (await doc.getPage(1)).getViewport({ scale: 1 });
  const sizes = new Map(message.model.pageSizes.map(([p, w, h]) => [p, { width: w, height: h }]));
  pagesEl.replaceChildren();
  slots = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const el = document.createElement('div');
    el.className = 'page';
    el.dataset.page = String(n);
    const guess = n === 1 ? { width: first.width, height: first.height } : sizes.get(n - 1);
    const s: PageSlot = {
      n,
      el,
      size: guess ?? { width: first.width, height: first.height },
      known: n === 1,
    };
    slots.push(s);
    pagesEl.append(el);
  }
  pageCount.textContent = t('of', doc.numPages);
  pageInput.max = String(doc.numPages);
  scale = zoom === 'fit' ? fitScale() : zoom;
  zoomLabel.textContent = `${Math.round(scale * 100)}%`;
  for (const s of slots) layoutSlot(s);
  scrollToPage(Math.min(message.state.page, slots.length));
  observe();
  document.body.dataset.ready = 'true';
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  if (m.type === 'init') void start(m);
  else if (m.type === 'highlight') setHighlight(m.indices, m.scroll);
  else if (m.type === 'matched' && init) {
    const set = new Set(m.matched);
    for (const b of init.model.blocks) {
      b.matched = set.has(b.index);
      boxEls.get(b.index)?.classList.toggle('unmatched', !b.matched && b.kind !== 'discarded');
    }
  }
});

window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === 'PageDown' || (e.key === 'ArrowRight' && !e.altKey) || e.key === 'n') goTo(current + 1);
  else if (e.key === 'PageUp' || (e.key === 'ArrowLeft' && !e.altKey) || e.key === 'p') goTo(current - 1);
  else if (e.key === 'Home') goTo(1);
  else if (e.key === 'End') goTo(slots.length);
  else if (e.key === '+' || e.key === '=') setZoom(stepZoom(1));
  else if (e.key === '-') setZoom(stepZoom(-1));
  else if (e.key === '0') setZoom('fit');
  else return;
  e.preventDefault();
});

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  if (zoom !== 'fit' || slots.length === 0) return;
  if (resizeTimer) clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => setZoom('fit'), 150);
});

vscode.postMessage({ type: 'ready' });
