/**
 * The toolbar (headings, previous/next, the page box, zoom, fit width, headers and footers), the
 * headings outline, and the keyboard: PageUp/PageDown (or n/p, arrows), Home/End, + - 0.
 */
import { setHighlight } from './boxes';
import { goTo, setZoom, stepZoom, whenZoomed, zoomText } from './pages';
import { host, outlineEl, t, toolbarEl, view } from './state';

function button(label: string, title: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  if (id) b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

let outlineButton: HTMLButtonElement | undefined;
let pageCount: HTMLSpanElement | undefined;
let pageInput: HTMLInputElement | undefined;

export function buildToolbar(): void {
  toolbarEl.replaceChildren();
  outlineButton = button(
    '☰',
    t('outline'),
    () => {
      outlineEl.hidden = !outlineEl.hidden;
    },
    'outline-toggle',
  );
  outlineButton.disabled = view.headings.length === 0;
  const input = document.createElement('input');
  input.id = 'page-number';
  input.type = 'number';
  input.min = '1';
  input.value = String(view.current);
  input.title = t('page');
  input.setAttribute('aria-label', t('page'));
  input.addEventListener('change', () => goTo(Number(input.value)));
  pageInput = input;
  view.onCurrent = (n) => (input.value = String(n));
  pageCount = document.createElement('span');
  pageCount.id = 'page-count';
  const zoomLabel = document.createElement('span');
  zoomLabel.id = 'zoom-label';
  whenZoomed(() => (zoomLabel.textContent = zoomText()));
  const discardedLabel = document.createElement('label');
  const discarded = document.createElement('input');
  discarded.type = 'checkbox';
  discarded.id = 'show-discarded';
  discarded.checked = true;
  discarded.addEventListener('change', () =>
    document.body.classList.toggle('hide-discarded', !discarded.checked),
  );
  discardedLabel.append(discarded, ` ${t('discarded')}`);
  toolbarEl.append(
    outlineButton,
    button('‹', t('previous'), () => goTo(view.current - 1), 'prev-page'),
    input,
    pageCount,
    button('›', t('next'), () => goTo(view.current + 1), 'next-page'),
    button('−', t('zoomOut'), () => setZoom(stepZoom(-1)), 'zoom-out'),
    zoomLabel,
    button('+', t('zoomIn'), () => setZoom(stepZoom(1)), 'zoom-in'),
    button('↔', t('fitWidth'), () => setZoom('fit'), 'fit-width'),
    discardedLabel,
  );
}

/** The document's page count, once the PDF is open. */
export function showPageCount(count: number): void {
  if (pageCount) pageCount.textContent = t('of', count);
  if (pageInput) pageInput.max = String(count);
}

export function buildOutline(): void {
  outlineEl.replaceChildren();
  if (outlineButton) outlineButton.disabled = view.headings.length === 0;
  for (const h of view.headings) {
    const b = document.createElement('button');
    b.className = `level-${Math.min(h.level, 6)}`;
    b.textContent = h.text;
    b.title = `${t('page')} ${h.page + 1}`;
    b.addEventListener('click', () => {
      setHighlight([h.index], true);
      host.postMessage({ type: 'reveal', index: h.index });
    });
    outlineEl.append(b);
  }
}

window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  const { current } = view;
  if (e.key === 'PageDown' || (e.key === 'ArrowRight' && !e.altKey) || e.key === 'n') goTo(current + 1);
  else if (e.key === 'PageUp' || (e.key === 'ArrowLeft' && !e.altKey) || e.key === 'p') goTo(current - 1);
  else if (e.key === 'Home') goTo(1);
  else if (e.key === 'End') goTo(view.slots.length);
  else if (e.key === '+' || e.key === '=') setZoom(stepZoom(1));
  else if (e.key === '-') setZoom(stepZoom(-1));
  else if (e.key === '0') setZoom('fit');
  else return;
  e.preventDefault();
});
