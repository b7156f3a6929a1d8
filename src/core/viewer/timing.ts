/**
 * Milestones of opening the viewer, so that "first page painted" can be split into its parts.
 * Each mark is an epoch time in milliseconds: `Date.now()` in the extension host,
 * `performance.timeOrigin + performance.now()` in the webview (the same clock on one machine).
 * The webview writes them all, the extension's included, on its body as `data-timing` (JSON), where
 * the UI test reads them; the extension's log gets the same breakdown.
 */

/** Marks taken in the extension host, in the order they happen. */
export const HOST_MARKS = [
  /** The command started. */
  'command',
  /** The viewer's module was loaded (first use only). */
  'module',
  /** The result folder was listed (the origin PDF is known). */
  'folder',
  /** The Markdown editor is shown. */
  'editor',
  /** The webview panel exists. */
  'panel',
  /** Its HTML is set. */
  'html',
  /** The content list and the layout were read. */
  'files',
  /** The blocks were matched to the Markdown and the model built. */
  'model',
  /** The message with the first page's boxes was posted. */
  'posted',
] as const;

/** Marks taken in the webview. */
export const WEBVIEW_MARKS = [
  /** The webview's document began loading (its `performance.timeOrigin`). */
  'frame',
  /** The page's first (inline) script ran: what an empty webview reaches. */
  'inline',
  /** The viewer's script (pdf.js bundled) began to run. */
  'script',
  /** pdf.js's worker was started. */
  'worker',
  /** The PDF was opened (pdf.js has its page count). */
  'pdf',
  /** The extension's first message (page boxes) arrived. */
  'message',
  /** Page 1 (the first page shown) was drawn. */
  'painted',
  /** The first page shown has its boxes too. */
  'boxes',
] as const;

export type HostMark = (typeof HOST_MARKS)[number];
export type WebviewMark = (typeof WEBVIEW_MARKS)[number];
export type Marks = Partial<Record<HostMark | WebviewMark, number>>;

const KNOWN: ReadonlySet<string> = new Set<string>([...HOST_MARKS, ...WEBVIEW_MARKS]);

/** The known marks of `raw` that are finite, positive numbers (anything else is dropped). */
export function parseMarks(raw: unknown): Marks {
  const out: Marks = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (KNOWN.has(k) && typeof v === 'number' && Number.isFinite(v) && v > 0) out[k as HostMark] = v;
  }
  return out;
}

export interface Step {
  mark: HostMark | WebviewMark;
  /** Milliseconds from `from`. */
  at: number;
  /** Milliseconds from the previous step (or from `from`). */
  delta: number;
}

/** The marks in time order, each as an offset from `from` and from the step before. */
export function timeline(marks: Marks, from: number): Step[] {
  const steps = (Object.entries(marks) as [HostMark | WebviewMark, number][])
    .filter(([, t]) => Number.isFinite(t))
    .sort((a, b) => a[1] - b[1]);
  let previous = from;
  return steps.map(([mark, t]) => {
    const step = { mark, at: Math.round(t - from), delta: Math.round(t - previous) };
    previous = t;
    return step;
  });
}

/** One line for a log: `command 12, folder +3 = 15, …` (ms from `from`). */
export function describeTimeline(marks: Marks, from: number): string {
  return timeline(marks, from)
    .map((s) => `${s.mark} +${s.delta} = ${s.at}`)
    .join(', ');
}
