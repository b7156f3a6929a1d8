/**
 * Why parse options cannot be sent, in the user's language: the core gives a problem code and its
 * values (src/core/options/submitChecks.ts, dataId.ts), this words them through l10n.
 */
import type { DataIdProblem } from '../core/options/dataId';
import type { SubmitProblem } from '../core/options/submitChecks';
import type { L10n } from './l10nText';

/** The text of a callback or seed problem. */
export function submitProblemText(problem: SubmitProblem, l10n: L10n): string {
  switch (problem.problem) {
    case 'callbackNotHttp':
      return l10n.t('The callback "{0}" is not an http(s) URL', problem.callback);
    case 'callbackNeedsSeed':
      return l10n.t(
        'A callback URL needs a seed: set mineru.seed (letters, digits and underscores, up to 64)',
      );
    case 'badSeed':
      return l10n.t('The seed may hold only letters, digits and underscores (up to 64)');
  }
}

/** The text of a data ID template problem. */
export function dataIdProblemText(problem: DataIdProblem, l10n: L10n): string {
  return l10n.t(
    'Unknown placeholder {0} in the data ID template; use {1}, {2}, {3} or {4}',
    problem.placeholder,
    '{name}',
    '{date}',
    '{time}',
    '{index}',
  );
}
