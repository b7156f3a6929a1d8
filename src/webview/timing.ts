/**
 * The webview's side of the opening milestones (src/core/viewer/timing.ts): its own marks and the
 * extension's, kept on the body as `data-timing` (JSON) for the UI tests.
 */
import type { Marks, WebviewMark } from '../core/viewer/timing';
import { parseMarks } from '../core/viewer/timing';

const marks: Marks = { frame: performance.timeOrigin };

function write(): void {
  document.body.dataset.timing = JSON.stringify(marks);
}

/** Records `mark` now (the first time only). */
export function mark(name: WebviewMark, at = performance.timeOrigin + performance.now()): void {
  if (marks[name] !== undefined) return;
  marks[name] = at;
  write();
}

/** Adds the extension's marks (checked: numbers under known names only). */
export function addMarks(raw: unknown): void {
  Object.assign(marks, parseMarks(raw));
  write();
}
