/**
 * Why typed page ranges were refused, in the user's language: the core gives a problem code and its
 * values (src/core/options/pageRanges.ts), this words them through l10n. Same rule as errorText: the
 * translation is used only when its English rendering equals the core's English text.
 */
import type { SerializedError } from '../core/errors';
import type { PagePartProblem, PageRangesResult } from '../core/options/pageRanges';
import { englishL10n, type L10n } from './l10nText';

const preciseExample = (l10n: L10n): string =>
  l10n.t('for example "2,4-6" (pages 2, 4, 5 and 6) or "2--2" (page 2 to the second-to-last page)');
const agentExample = (l10n: L10n): string => l10n.t('for example "5" or "1-10"');

function partText(part: PagePartProblem, l10n: L10n): string {
  switch (part.kind) {
    case 'zero':
      return l10n.t('page 0 does not exist (pages start at 1; -1 is the last page)');
    case 'tooLarge':
      return l10n.t('{0} is too large a page number', part.digits);
    case 'emptyPart':
      return l10n.t('there is an empty part between commas');
    case 'notRange':
      return l10n.t('"{0}" is not a page or a range', part.text);
    case 'reversed':
      return l10n.t('"{0}" is reversed; write {1}-{2}', part.text, part.to, part.from);
  }
}

function render(refused: Extract<PageRangesResult, { ok: false }>, l10n: L10n): string {
  switch (refused.problem) {
    case 'empty':
      return l10n.t('No pages given. Enter pages, {0}.', preciseExample(l10n));
    case 'tooLong':
      return l10n.t('Page ranges are too long. Enter pages, {0}.', preciseExample(l10n));
    case 'part':
      return l10n.t('Invalid page ranges: {0}. Use {1}.', partText(refused.part, l10n), preciseExample(l10n));
    case 'agentEmpty':
      return l10n.t('No pages given. Enter one page or one range, {0}.', agentExample(l10n));
    case 'commas':
      return l10n.t(
        'The quick API takes one page or one range, without commas: use {0}, or the precise API for several ranges.',
        agentExample(l10n),
      );
    case 'fromEnd':
      return l10n.t(
        'The quick API cannot count pages from the end: use {0}, or the precise API for "{1}".',
        agentExample(l10n),
        refused.text,
      );
    case 'agentPart':
      return l10n.t('Invalid page range: {0}. Use {1}.', partText(refused.part, l10n), agentExample(l10n));
    case 'agentReversed':
      return l10n.t('Invalid page range: {0}.', partText(refused.part, l10n));
  }
}

/** The refusal's text in the user's language (the core's English text when it does not match). */
export function pageRangesText(refused: Extract<PageRangesResult, { ok: false }>, target: L10n): string {
  return render(refused, englishL10n) === refused.message ? render(refused, target) : refused.message;
}

/**
 * Service codes of failures that page ranges can get around: too large (-60005, -30001), too many
 * pages (-60006, -30003). -60022 (the service could not read a web page: network error or rate
 * limit) is offered too, as it was when this test read the English message ("page", "limit").
 */
const PAGE_RANGE_CODES: ReadonlySet<string> = new Set(['-60005', '-60006', '-30001', '-30003', '-60022']);

/** Whether a failure is one that page ranges can get around (too large, too many pages). */
export function suggestsPageRanges(error: SerializedError | undefined): boolean {
  if (!error) return false;
  if (error.code && PAGE_RANGE_CODES.has(error.code)) return true;
  // Otherwise the service's own words about pages and a limit (they are not translated); a record
  // written before reasons existed has them only in its message.
  const said = error.reason ? error.params?.serviceMsg : error.message;
  if (typeof said !== 'string') return false;
  return /pages?/i.test(said) && /limit|exceed|too many/i.test(said);
}
