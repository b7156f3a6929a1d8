import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { L10n } from '../../../src/vscode/errorText';

/** The repository root (tests run from out/test/unit/helpers). */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * vscode.l10n.t as the extension host runs it under `--locale zh-cn`: the message looked up in
 * l10n/bundle.l10n.zh-cn.json (the English key itself when missing), then {n} filled in.
 */
export function zhCnL10n(): L10n {
  const bundle = JSON.parse(
    readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'),
  ) as Record<string, string>;
  return {
    t: (message, ...args) =>
      (bundle[message] ?? message).replace(/\{(\d+)\}/g, (whole, i: string) =>
        Number(i) < args.length ? String(args[Number(i)]) : whole,
      ),
  };
}

/** Whether `text` holds Chinese characters. */
export const hasChinese = (text: string | undefined): boolean => /[\u4e00-\u9fff]/.test(text ?? '');
