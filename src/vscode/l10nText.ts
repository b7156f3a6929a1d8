/**
 * What the error texts share: the translate function (`vscode.l10n` in the extension, English in
 * unit tests), the shape of a reason's texts and the params helpers. No `vscode` import.
 */
import type { ErrorParams } from '../core/errors';

/** The translate function: `vscode.l10n`, or {@link englishL10n}. Messages use {0}, {1} … placeholders. */
export interface L10n {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** English, the bundle's keys themselves: fills the {n} placeholders. */
export const englishL10n: L10n = {
  t: (message, ...args) =>
    message.replace(/\{(\d+)\}/g, (whole, i: string) =>
      Number(i) < args.length ? String(args[Number(i)]) : whole,
    ),
};

export interface ErrorText {
  message: string;
  hint: string | undefined;
}

export type Params = ErrorParams;
export type Part = (p: Params, l10n: L10n, code: string | undefined) => string | undefined;

export const str = (p: Params, key: string): string | undefined =>
  p[key] === undefined ? undefined : String(p[key]);
export const num = (p: Params, key: string): number => Number(p[key] ?? 0);

/** The message and hint of one reason. */
export interface Texts {
  message: Part;
  hint: Part;
}
