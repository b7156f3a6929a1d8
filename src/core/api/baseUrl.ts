import { MinerUError } from '../errors';

/** An API base URL as the client uses it: http(s), without query, fragment or trailing slashes. */
export function normaliseBase(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MinerUError({
      phase: 'validate',
      reason: 'input.badBaseUrl',
      params: { what, raw },
      message: `The ${what} "${raw}" is not a valid URL`,
      hint: 'Set it to an address such as https://mineru.net/api/v4',
      code: 'BAD_BASE_URL',
      retryable: false,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MinerUError({
      phase: 'validate',
      reason: 'input.baseUrlScheme',
      params: { what, protocol: url.protocol },
      message: `The ${what} must start with https:// (got ${url.protocol})`,
      hint: 'Set it to an address such as https://mineru.net/api/v4',
      code: 'BAD_BASE_URL',
      retryable: false,
    });
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}
