import { validateDocumentUrl } from './validateUrl';

/**
 * A `vscode://mineru-community.mineru-document-parser/parse?url=…` request, as sent by a
 * bookmarklet, Zotero or a script. Such a link comes from outside VS Code and is untrusted: it may
 * name documents and nothing else. Where results go, which service parses them and with which
 * credential stay the user's settings, so a link carrying any of those is refused outright (not
 * silently stripped: the sender should learn that it cannot choose them).
 */
export type ParseRequest =
  | { ok: true; urls: string[]; unsupported: string[] }
  | { ok: false; problem: ParseRequestProblem; params: { name?: string; text?: string; count?: number } };

export type ParseRequestProblem =
  /** A path other than /parse. */
  | 'unknownPath'
  /** A credential, endpoint or output parameter (`name`). */
  | 'forbiddenParam'
  /** A parameter this handler does not know (`name`). */
  | 'unknownParam'
  /** No `url` parameter, or only empty ones. */
  | 'noUrl'
  /** More than {@link MAX_REQUEST_URLS} links (`count`). */
  | 'tooMany'
  /** A `url` value that is not a full http(s) link (`text`, the value, shortened). */
  | 'badUrl';

/** Links one request may carry; they go as one batch. */
export const MAX_REQUEST_URLS = 10;

/**
 * Parameter names that would choose a credential, an endpoint or an output folder, compared in
 * lower case with `-` and `_` removed. Refused with their own message; every other unknown
 * parameter is refused too.
 */
const FORBIDDEN = new Set(
  [
    'token',
    'apiToken',
    'accessToken',
    'apiKey',
    'key',
    'secret',
    'password',
    'auth',
    'authorization',
    'bearer',
    'credential',
    'credentials',
    'endpoint',
    'baseUrl',
    'apiBaseUrl',
    'batchApiBaseUrl',
    'agentBaseUrl',
    'selfHostedUrl',
    'server',
    'host',
    'service',
    'mode',
    'output',
    'outputDir',
    'outputDirectory',
    'outDir',
    'folder',
    'dir',
    'directory',
    'path',
    'dest',
    'destination',
    'callback',
  ].map(normalize),
);

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Checks the path and query of a request URI (`uri.path`, `uri.query`, query still encoded). */
export function parseRequest(path: string, query: string): ParseRequest {
  if (path.replace(/\/+$/, '') !== '/parse')
    return { ok: false, problem: 'unknownPath', params: { text: shorten(path) } };
  const params = new URLSearchParams(query);
  const given: string[] = [];
  for (const [name, value] of params) {
    const key = normalize(name);
    if (FORBIDDEN.has(key)) return { ok: false, problem: 'forbiddenParam', params: { name: shorten(name) } };
    if (key !== 'url') return { ok: false, problem: 'unknownParam', params: { name: shorten(name) } };
    if (value.trim() !== '') given.push(value);
  }
  if (given.length === 0) return { ok: false, problem: 'noUrl', params: {} };
  const urls: string[] = [];
  const unsupported: string[] = [];
  for (const value of given) {
    // Only a full http(s) address: validateDocumentUrl would assume https:// for "example.com/a.pdf",
    // which is fine for a user typing, but a link from a program must say what it means.
    const checked = /^https?:\/\//i.test(value.trim()) ? validateDocumentUrl(value) : undefined;
    if (!checked?.ok) return { ok: false, problem: 'badUrl', params: { text: shorten(value) } };
    if (urls.includes(checked.url)) continue;
    urls.push(checked.url);
    if (!checked.supported) unsupported.push(checked.url);
  }
  if (urls.length > MAX_REQUEST_URLS)
    return { ok: false, problem: 'tooMany', params: { count: urls.length } };
  return { ok: true, urls, unsupported };
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
