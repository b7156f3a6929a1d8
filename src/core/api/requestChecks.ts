/**
 * The checks the API client makes before a request leaves (the last line of defence: the UI has
 * already checked the same options with submitChecks and pageRanges). A failure is a `validate`
 * MinerUError with the code the service would have answered.
 */
import type { AgentOptions, ParseOptions } from './types';
import { describeCode } from './errorCodes';
import { type ErrorParams, type InputReason, MinerUError } from '../errors';
import { SEED_PATTERN } from '../options/submitChecks';

/** The agent API's `page_range` on the wire: `N` or `N-M` (the UI normalizes what users type). */
const AGENT_PAGE_RANGE = /^\d+(-\d+)?$/;

/** A request refused before it leaves: `reason` and `params` for the user's text, English for the log. */
export function invalid(
  reason: InputReason,
  message: string,
  hint: string,
  params?: ErrorParams,
  code = 'INVALID_INPUT',
): MinerUError {
  return new MinerUError({
    phase: 'validate',
    reason,
    ...(params ? { params } : {}),
    message,
    hint,
    code,
    retryable: false,
  });
}

export function assertHttpUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalid(
      'input.notHttpUrl',
      `"${url.slice(0, 200)}" is not an http(s) URL`,
      'The service fetches documents from public http(s) URLs; upload local files instead',
      { url: url.slice(0, 200) },
      'BAD_URL',
    );
  }
}

export function assertParseOptions(options: ParseOptions): void {
  if (options.callback && !options.seed) {
    throw invalid(
      'input.callbackNeedsSeed',
      'A callback URL needs a seed',
      'Set a seed (letters, digits, underscore; up to 64)',
      undefined,
      '-10002',
    );
  }
  if (options.seed !== undefined && !SEED_PATTERN.test(options.seed)) {
    throw invalid(
      'input.badSeed',
      'The seed may hold only letters, digits and underscores (up to 64)',
      'Change the seed',
      undefined,
      '-10002',
    );
  }
}

export function assertAgentOptions(options: AgentOptions): void {
  if (options.pageRange !== undefined && !AGENT_PAGE_RANGE.test(options.pageRange.trim())) {
    const info = describeCode('-30004');
    throw invalid(
      'input.agentPageRange',
      `Quick mode page range "${options.pageRange}" must be "N" or "N-M"`,
      info.hint,
      { pageRange: options.pageRange },
      '-30004',
    );
  }
}
