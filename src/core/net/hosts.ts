/** The host (name and port) of `url`, or undefined when `url` is not a URL. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** The host of `url` for a message: "(invalid URL)" when `url` is not a URL. */
export function hostLabel(url: string): string {
  return hostOf(url) ?? '(invalid URL)';
}

/** Whether a URL host name is this machine (nothing sent to it leaves the machine). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
