/**
 * The user's text of requests refused before they leave (`input.*`), of requests and uploads that
 * went wrong (`http.insecure`, `http.badResponse`, `upload.*`, `service.uploadLinkCount`) and of the
 * engine's own errors (`task.*`).
 */
import type { ErrorReason } from '../core/errors';
import { type L10n, num, type Params, str, type Texts } from './l10nText';
import { codeText } from './serviceCodeText';

const none = (): undefined => undefined;
const baseUrlHint = (_p: Params, l10n: L10n): string =>
  l10n.t('Set it to an address such as https://mineru.net/api/v4');

/** "The task id is empty", by the id's name (the core's English name otherwise). */
function emptyIdText(what: string, l10n: L10n): string {
  switch (what) {
    case 'task id':
      return l10n.t('The task id is empty');
    case 'batch id':
      return l10n.t('The batch id is empty');
    default:
      return l10n.t('The {0} is empty', what);
  }
}

/** The base URL setting a message names (the core's `what`). */
function badBaseUrlText(what: string, raw: string, l10n: L10n): string {
  switch (what) {
    case 'API base URL':
      return l10n.t('The API base URL "{0}" is not a valid URL', raw);
    case 'batch API base URL':
      return l10n.t('The batch API base URL "{0}" is not a valid URL', raw);
    case 'agent API base URL':
      return l10n.t('The agent API base URL "{0}" is not a valid URL', raw);
    default:
      return l10n.t('The {0} "{1}" is not a valid URL', what, raw);
  }
}

function baseUrlSchemeText(what: string, protocol: string, l10n: L10n): string {
  switch (what) {
    case 'API base URL':
      return l10n.t('The API base URL must start with https:// (got {0})', protocol);
    case 'batch API base URL':
      return l10n.t('The batch API base URL must start with https:// (got {0})', protocol);
    case 'agent API base URL':
      return l10n.t('The agent API base URL must start with https:// (got {0})', protocol);
    default:
      return l10n.t('The {0} must start with https:// (got {1})', what, protocol);
  }
}

function uploadRejectedText(p: Params, l10n: L10n): string {
  const host = str(p, 'host') ?? '';
  const status = num(p, 'status');
  const ossCode = str(p, 'ossCode');
  const ossMessage = str(p, 'ossMessage');
  if (ossCode === undefined) return l10n.t('The upload host {0} rejected the file (HTTP {1})', host, status);
  return ossMessage === undefined
    ? l10n.t('The upload host {0} rejected the file (HTTP {1}: {2})', host, status, ossCode)
    : l10n.t(
        'The upload host {0} rejected the file (HTTP {1}: {2} — {3})',
        host,
        status,
        ossCode,
        ossMessage,
      );
}

function uploadRejectedHint(p: Params, l10n: L10n): string {
  switch (str(p, 'why')) {
    case 'signature':
      return l10n.t(
        'The upload link did not accept the request as sent; a proxy may be adding headers. Check the proxy settings and parse the file again',
      );
    case 'expired':
      return l10n.t('The upload link has expired (links last 24 h); parse the file again to get a new one');
    case 'refused':
      return l10n.t('The upload link was refused; parse the file again to get a new one');
    case 'busy':
      return l10n.t('Try again in a few minutes');
    default:
      return l10n.t('Parse the file again to get a new upload link');
  }
}

/** Message and hint of the request, upload and engine reasons. */
export const REQUEST_TEXTS = {
  'input.noDocuments': {
    message: (_p, l10n) => l10n.t('No documents to submit'),
    hint: (_p, l10n) => l10n.t('Choose at least one URL'),
  },
  'input.noFiles': {
    message: (_p, l10n) => l10n.t('No files to upload'),
    hint: (_p, l10n) => l10n.t('Choose at least one file'),
  },
  'input.aFileUnnamed': {
    message: (_p, l10n) => l10n.t('A file has no name'),
    hint: (_p, l10n) => l10n.t('Give every file a name with its extension'),
  },
  'input.fileUnnamed': {
    message: (_p, l10n) => l10n.t('The file has no name'),
    hint: (_p, l10n) => l10n.t('Give the file a name with its extension'),
  },
  'input.uploadLinkNotHttp': {
    message: (_p, l10n) => l10n.t('The upload link is not an http(s) URL'),
    hint: (_p, l10n) => l10n.t('Parse the file again'),
  },
  'input.emptyId': {
    message: (p, l10n) => emptyIdText(str(p, 'what') ?? '', l10n),
    hint: (_p, l10n) => l10n.t('Parse the document again'),
  },
  'input.notHttpUrl': {
    message: (p, l10n) => l10n.t('"{0}" is not an http(s) URL', str(p, 'url') ?? ''),
    hint: (_p, l10n) =>
      l10n.t('The service fetches documents from public http(s) URLs; upload local files instead'),
  },
  'input.callbackNeedsSeed': {
    message: (_p, l10n) => l10n.t('A callback URL needs a seed'),
    hint: (_p, l10n) => l10n.t('Set a seed (letters, digits, underscore; up to 64)'),
  },
  'input.badSeed': {
    message: (_p, l10n) => l10n.t('The seed may hold only letters, digits and underscores (up to 64)'),
    hint: (_p, l10n) => l10n.t('Change the seed'),
  },
  'input.agentPageRange': {
    message: (p, l10n) =>
      l10n.t('Quick mode page range "{0}" must be "N" or "N-M"', str(p, 'pageRange') ?? ''),
    hint: (_p, l10n) => codeText('-30004', l10n)?.hint,
  },
  'input.badBaseUrl': {
    message: (p, l10n) => badBaseUrlText(str(p, 'what') ?? '', str(p, 'raw') ?? '', l10n),
    hint: baseUrlHint,
  },
  'input.baseUrlScheme': {
    message: (p, l10n) => baseUrlSchemeText(str(p, 'what') ?? '', str(p, 'protocol') ?? '', l10n),
    hint: baseUrlHint,
  },
  'http.insecure': {
    message: (p, l10n) =>
      l10n.t(
        'The API address {0} uses plain HTTP; the token would be sent unencrypted',
        str(p, 'host') ?? '',
      ),
    hint: (p, l10n) =>
      l10n.t(
        'Use an https:// address in the setting {0}, or run the command again and answer "{1}" to allow {2}',
        str(p, 'setting') ?? '',
        l10n.t('Send over HTTP'),
        str(p, 'origin') ?? '',
      ),
  },
  'http.badResponse': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} sent an unexpected response: {1}',
        str(p, 'host') ?? '',
        str(p, 'detail') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t('Try again; if it keeps happening, check the API base URL or report it with the trace id'),
  },
  'upload.rejected': { message: uploadRejectedText, hint: uploadRejectedHint },
  'upload.fileUnreadable': {
    message: (p, l10n) => l10n.t('The file to upload could not be read ({0})', str(p, 'code') ?? ''),
    hint: (_p, l10n) => l10n.t('Check that the file still exists and is readable'),
  },
  'service.uploadLinkCount': {
    message: (p, l10n) =>
      l10n.t('the service returned {0} upload links for {1} files', num(p, 'links'), num(p, 'files')),
    hint: (_p, l10n) => l10n.t('Retry; if it persists, submit the files one by one'),
  },
  'task.noResultLink': {
    message: (_p, l10n) => l10n.t('the service gave no result link'),
    hint: none,
  },
  'task.interrupted': {
    message: (_p, l10n) => l10n.t('VS Code was closed before this step finished'),
    hint: (_p, l10n) => l10n.t('Retry to submit the document again'),
  },
  'task.rateLimited': {
    message: (_p, l10n) => l10n.t('the quick mode is rate-limited for this network address'),
    hint: (p, l10n) => l10n.t('Trying again at {0}', str(p, 'time') ?? ''),
  },
  'task.unexpected': {
    // The message is the unexpected error's own (English, from wherever it came).
    message: (p) => str(p, 'detail') ?? '',
    hint: (_p, l10n) => l10n.t('Check the MinerU log for details, then Retry'),
  },
} satisfies Partial<Record<ErrorReason, Texts>>;
