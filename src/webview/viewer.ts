/**
 * The viewer's page (runs inside the webview, bundled by esbuild with pdf.js into
 * dist/webview/viewer.js). It starts from what its body carries (`data-boot`: the PDF's and the
 * worker's addresses, the page to show, the strings): the PDF is opened and its first page drawn
 * while the extension matches the blocks; they come in messages (src/core/viewer/hostMessages.ts)
 * and are drawn over the pages (boxes.ts). Pages and their memory: pages.ts; the toolbar and the
 * keyboard: toolbar.ts. It gets data only; pdf.js runs with eval disabled.
 */
import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist';
import type { HostMessage, ViewerBoot } from '../core/viewer/hostMessages';
import type { ViewerState } from '../core/viewer/messages';
import { parseViewerState } from '../core/viewer/messages';
import type { ViewerModel } from '../core/viewer/viewerModel';
import { addBlocks, setHighlight, setMatched } from './boxes';
import { applyPageSizes, buildSlots, drawAllBoxes, whenDrawn } from './pages';
import { host, statusEl, t, view } from './state';
import { addMarks, mark } from './timing';
import { buildOutline, buildToolbar, showPageCount } from './toolbar';

mark('script');

/** What the page's first script started (viewerHtml.ts): the worker and the PDF's bytes. */
interface Early {
  at: number;
  worker: Promise<Worker>;
  pdf: Promise<ArrayBuffer>;
}
const early = (window as unknown as { viewerEarly?: Early }).viewerEarly;
if (early) mark('inline', early.at);

const boot = JSON.parse(document.body.dataset.boot ?? '{}') as ViewerBoot;
// The page's own saved state (a reload while hidden) wins over the one it was opened with.
const saved = parseViewerState(host.getState());
const start: ViewerState = saved?.markdown === boot.state.markdown ? saved : boot.state;
view.markdown = start.markdown;
view.zoom = start.zoom;
view.current = start.page;
view.strings = boot.strings;
const loadStarted = early ? early.at - performance.timeOrigin : performance.now();
let painted = false;

function firstPaint(n: number): void {
  if (painted) return;
  painted = true;
  const ms = performance.now() - loadStarted;
  // For the UI tests: the part of "first page painted" spent in here (worker, PDF, page 1).
  document.body.dataset.paintedMs = String(Math.round(ms));
  mark('painted');
  if (view.modelIn) mark('boxes');
  host.postMessage({ type: 'painted', page: n, ms });
}
whenDrawn(firstPaint);

async function openPdf(): Promise<void> {
  statusEl.textContent = t('loading');
  try {
    const worker = early ? early.worker : startWorker(boot.worker);
    const bytes = early ? early.pdf : fetchPdf(boot.pdf);
    GlobalWorkerOptions.workerPort = await worker;
    mark('worker');
    view.doc = await getDocument({
      data: new Uint8Array(await bytes),
      isEvalSupported: false,
      cMapUrl: boot.cMaps,
      cMapPacked: true,
      standardFontDataUrl: boot.standardFonts,
      useWorkerFetch: false,
      enableXfa: false,
    }).promise;
    mark('pdf');
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    statusEl.textContent = t('pdfFailed', detail);
    statusEl.classList.add('error');
    host.postMessage({ type: 'problem', reason: 'pdfLoad', detail });
    return;
  }
  statusEl.textContent = '';
  const first = (await view.doc.getPage(1)).getViewport({ scale: 1 });
  buildSlots(view.doc.numPages, { width: first.width, height: first.height }, view.current);
  showPageCount(view.doc.numPages);
  document.body.dataset.ready = 'true';
}

async function startWorker(url: string): Promise<Worker> {
  const source = await (await fetch(url)).blob();
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
}

async function fetchPdf(url: string): Promise<ArrayBuffer> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.arrayBuffer();
}

/** The first page's blocks (and the headings, the layout's page sizes); the rest follow. */
function onInit(model: ViewerModel): void {
  mark('message');
  view.blocks = [];
  view.byPage = new Map();
  addBlocks(model.blocks);
  view.headings = model.headings;
  view.pageSizes = new Map(model.pageSizes.map(([p, w, h]) => [p, { width: w, height: h }]));
  view.modelIn = true;
  buildOutline();
  applyPageSizes();
  drawAllBoxes();
  if (painted) mark('boxes');
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  if (m.type === 'init') {
    addMarks(m.marks);
    onInit(m.model);
  } else if (m.type === 'blocks') {
    addMarks(m.marks);
    addBlocks(m.blocks);
    drawAllBoxes();
  } else if (m.type === 'highlight') setHighlight(m.indices, m.scroll);
  else if (m.type === 'matched') setMatched(m.matched);
});

buildToolbar();
host.postMessage({ type: 'ready' });
void openPdf();
