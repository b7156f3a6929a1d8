/** Where the engine reports what it does. The VS Code glue backs it with a LogOutputChannel. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Replaces every occurrence of each secret, and any Bearer credential, with a fixed mask. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out.replace(/(Bearer\s+)[^\s"',}]+/gi, '$1***');
}

/** A URL safe to show or log: no credentials, no query string (presigned URLs carry signatures). */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    const hadQuery = url.search.length > 0;
    url.search = '';
    url.hash = '';
    return url.toString() + (hadQuery ? '?…' : '');
  } catch {
    return '(invalid URL)';
  }
}
