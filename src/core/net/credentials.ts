/**
 * Where credentials may go. The token goes only to the configured API, in the clear only to this
 * machine (or with the user's consent); downloads and uploads carry no credentials at all.
 */
import { isLoopbackHost } from './hosts';

/** Whether anything sent to `url` crosses the network unencrypted (plain http to another machine). */
export function travelsInClear(url: URL): boolean {
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}

/** Request headers that send no credentials; `false` removes a header even when axios defaults set one. */
export const NO_CREDENTIAL_HEADERS = { Authorization: false, Cookie: false } as const;

/** For axios `beforeRedirect`: the next hop gets no basic auth, Authorization, Cookie or Proxy-Authorization. */
export function dropCredentials(options: Record<string, unknown>): void {
  delete options.auth;
  const headers = options.headers as Record<string, unknown> | undefined;
  for (const key of Object.keys(headers ?? {})) {
    if (/^(authorization|cookie|proxy-authorization)$/i.test(key)) delete headers![key];
  }
}
