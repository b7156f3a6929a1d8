/**
 * Where credentials may go. The token goes only to the configured API, in the clear only to this
 * machine (or with the user's consent); downloads and uploads carry no credentials at all.
 */
import { isLoopbackHost } from './hosts';

/** Whether anything sent to `url` crosses the network unencrypted (plain http to another machine). */
export function travelsInClear(url: URL): boolean {
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}
