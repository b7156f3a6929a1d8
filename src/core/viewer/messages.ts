/**
 * The messages the viewer's webview may send to the extension, and the state it may persist.
 * A webview is a page the extension does not fully control (it renders a PDF it did not write), so
 * every message is checked here before the glue acts on it: anything else is dropped.
 */

export type ZoomSetting = 'fit' | number;

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 5;
/** Longest text a `problem` message may carry (it only goes to the log). */
export const MAX_PROBLEM_CHARS = 500;
/** More pages than any document the services accept (and a bound for the page field). */
export const MAX_PAGES = 100_000;

export type ViewerMessage =
  | { type: 'ready' }
  | { type: 'reveal'; index: number }
  | { type: 'state'; page: number; zoom: ZoomSetting }
  | { type: 'painted'; page: number; ms: number }
  | { type: 'problem'; reason: 'pdfLoad' | 'render'; detail: string };

/** What the webview keeps with setState (the serializer gets it back after a reload). */
export interface ViewerState {
  /** The result's Markdown file (absolute path). */
  markdown: string;
  /** 1-based page shown. */
  page: number;
  zoom: ZoomSetting;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOnly(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

function intIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export function isZoom(v: unknown): v is ZoomSetting {
  return v === 'fit' || (typeof v === 'number' && Number.isFinite(v) && v >= MIN_ZOOM && v <= MAX_ZOOM);
}

/**
 * The message, when it is one the viewer sends and its values are in range (`blockCount`: blocks of
 * the open result, so a reveal names one of them); undefined otherwise.
 */
export function parseViewerMessage(raw: unknown, blockCount: number): ViewerMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return hasOnly(raw, ['type']) ? { type: 'ready' } : undefined;
    case 'reveal':
      return hasOnly(raw, ['type', 'index']) && intIn(raw.index, 0, blockCount - 1)
        ? { type: 'reveal', index: raw.index }
        : undefined;
    case 'state':
      return hasOnly(raw, ['type', 'page', 'zoom']) && intIn(raw.page, 1, MAX_PAGES) && isZoom(raw.zoom)
        ? { type: 'state', page: raw.page, zoom: raw.zoom }
        : undefined;
    case 'painted':
      return hasOnly(raw, ['type', 'page', 'ms']) &&
        intIn(raw.page, 1, MAX_PAGES) &&
        typeof raw.ms === 'number' &&
        Number.isFinite(raw.ms) &&
        raw.ms >= 0
        ? { type: 'painted', page: raw.page, ms: raw.ms }
        : undefined;
    case 'problem':
      return hasOnly(raw, ['type', 'reason', 'detail']) &&
        (raw.reason === 'pdfLoad' || raw.reason === 'render') &&
        typeof raw.detail === 'string'
        ? { type: 'problem', reason: raw.reason, detail: raw.detail.slice(0, MAX_PROBLEM_CHARS) }
        : undefined;
    default:
      return undefined;
  }
}

/** A persisted state, when well-formed: an absolute `.md` path, a page and a zoom. */
export function parseViewerState(raw: unknown): ViewerState | undefined {
  if (!isRecord(raw)) return undefined;
  const { markdown, page, zoom } = raw;
  if (typeof markdown !== 'string' || markdown.length > 4096 || !/\.md$/i.test(markdown)) return undefined;
  if (!(markdown.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(markdown) || markdown.startsWith('\\\\')))
    return undefined;
  if (markdown.includes('\0')) return undefined;
  return { markdown, page: intIn(page, 1, MAX_PAGES) ? page : 1, zoom: isZoom(zoom) ? zoom : 'fit' };
}
