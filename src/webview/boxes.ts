/**
 * The boxes over the pages: one element per content_list block on a drawn page (created when the
 * page is drawn, dropped with it), coloured by kind; a click reveals the block in the Markdown; the
 * extension's highlight marks the blocks of the Markdown selection and scrolls the first into view.
 */
import type { Bbox } from '../core/viewer/contentList';
import { bboxToCss } from '../core/viewer/geometry';
import type { ViewerBlock } from '../core/viewer/viewerModel';
import type { PageSlot } from './state';
import { GAP, host, pageAtScroll, pagesEl, setCurrent, t, view } from './state';

const boxEls = new Map<number, HTMLDivElement>();
let highlighted = new Set<number>();

/** The block's CSS rectangle over its page, at the current scale. */
function rectOf(block: ViewerBlock & { bbox: Bbox }, s: PageSlot): ReturnType<typeof bboxToCss> {
  return bboxToCss(block.bbox, block.unit, s.size, { scale: view.scale, rotation: 0 });
}

function boxElement(block: ViewerBlock): HTMLDivElement {
  const el = document.createElement('div');
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
    host.postMessage({ type: 'reveal', index });
  });
  if (highlighted.has(index)) el.classList.add('highlight');
  return el;
}

/** Draws (or places again, after a zoom) the boxes of a page's blocks received so far. */
export function drawBoxes(s: PageSlot): void {
  const layer = s.boxes ?? document.createElement('div');
  if (!s.boxes) {
    layer.className = 'boxes';
    s.el.append(layer);
    s.boxes = layer;
  }
  for (const block of view.byPage.get(s.n - 1) ?? []) {
    if (!block.bbox) continue;
    let el = boxEls.get(block.index);
    if (!el) {
      el = boxElement(block);
      boxEls.set(block.index, el);
      layer.append(el);
    }
    const r = rectOf(block as ViewerBlock & { bbox: Bbox }, s);
    el.style.left = `${r.left}px`;
    el.style.top = `${r.top}px`;
    el.style.width = `${Math.max(2, r.width)}px`;
    el.style.height = `${Math.max(2, r.height)}px`;
  }
}

/** Removes a page's boxes (the page left the view). */
export function dropBoxes(s: PageSlot): void {
  if (!s.boxes) return;
  for (const b of view.byPage.get(s.n - 1) ?? []) boxEls.delete(b.index);
  s.boxes.remove();
  s.boxes = undefined;
}

/** Keeps blocks the extension sent (by index and by page). */
export function addBlocks(blocks: readonly ViewerBlock[]): void {
  for (const b of blocks) {
    view.blocks[b.index] = b;
    const list = view.byPage.get(b.page);
    if (list) list.push(b);
    else view.byPage.set(b.page, [b]);
  }
}

/** The Markdown was edited: which blocks are found in it now. */
export function setMatched(matched: readonly number[]): void {
  const set = new Set(matched);
  for (const b of view.blocks) {
    if (!b) continue;
    b.matched = set.has(b.index);
    boxEls.get(b.index)?.classList.toggle('unmatched', !b.matched && b.kind !== 'discarded');
  }
}

export function setHighlight(indices: number[], scroll: boolean): void {
  for (const i of highlighted) boxEls.get(i)?.classList.remove('highlight');
  highlighted = new Set(indices);
  for (const i of highlighted) boxEls.get(i)?.classList.add('highlight');
  if (!scroll || indices.length === 0) return;
  const block = view.blocks[indices[0] as number];
  const s = block ? view.slots[block.page] : undefined;
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
