/**
 * `data_id` from a template such as `{name}` or `{date}-{name}-{index}`. The service accepts
 * `[A-Za-z0-9_.-]` up to 128 characters (guide §2.1), so everything else becomes `_`.
 */

export interface DataIdVars {
  /** The document name (result folder name). */
  name: string;
  /** When the submission was made (local time). */
  date: Date;
  /** 1-based position in the submission. */
  index: number;
}

export const DATA_ID_MAX = 128;
const PLACEHOLDER = /\{(name|date|time|index)\}/g;

/** The data_id for one document, or undefined when the template is empty or yields nothing usable. */
export function renderDataId(template: string, vars: DataIdVars): string | undefined {
  const t = template.trim();
  if (!t) return undefined;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const d = vars.date;
  const values: Record<string, string> = {
    name: vars.name,
    date: `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`,
    time: `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`,
    index: String(vars.index),
  };
  const raw = t.replace(PLACEHOLDER, (_, key: string) => values[key] ?? '');
  const clean = sanitizeDataId(raw);
  return clean || undefined;
}

/** Keeps `[A-Za-z0-9_.-]`, turns runs of anything else into one `_`, trims and caps at 128. */
export function sanitizeDataId(raw: string): string {
  return raw
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[_.]+|[_.]+$/g, '')
    .slice(0, DATA_ID_MAX)
    .replace(/[_.]+$/g, '');
}

/** A placeholder the data ID template does not know; the glue words it (src/vscode/optionsText.ts). */
export interface DataIdProblem {
  problem: 'unknownPlaceholder';
  placeholder: string;
}

/** The problem when the template has an unknown placeholder, else undefined. */
export function checkDataIdTemplate(template: string): DataIdProblem | undefined {
  const unknown = template.match(/\{[^}]*\}/g)?.find((p) => !/^\{(name|date|time|index)\}$/.test(p));
  return unknown ? { problem: 'unknownPlaceholder', placeholder: unknown } : undefined;
}
