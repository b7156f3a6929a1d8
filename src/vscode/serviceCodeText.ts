/**
 * The user's text of the service's own codes (the core's ERROR_CODES) and of the reasons that carry
 * one: `service.code`, `service.taskFailed`, `auth.noToken`.
 */
import type { ErrorReason } from '../core/errors';
import { type ErrorText, type L10n, str, type Texts } from './l10nText';

/** Message and hint of every service code (the core's ERROR_CODES, worded for the user). */
export function codeText(code: string, l10n: L10n): ErrorText | undefined {
  switch (code) {
    case 'A0202':
      return {
        message: l10n.t('The API token was not accepted'),
        hint: l10n.t(
          'Set a new API token (create one at https://mineru.net/apiManage/token); paste it without the "Bearer " prefix',
        ),
      };
    case 'A0211':
      return {
        message: l10n.t('The API token has expired'),
        hint: l10n.t('Set a new API token (create one at https://mineru.net/apiManage/token)'),
      };
    case '-500':
      return {
        message: l10n.t('The service rejected the request parameters'),
        hint: l10n.t(
          'Check the parse options (model, language, page ranges); report this if it keeps happening',
        ),
      };
    case '-10001':
      return {
        message: l10n.t('The MinerU service had an internal error'),
        hint: l10n.t('Try again in a few minutes'),
      };
    case '-10002':
      return {
        message: l10n.t('The service rejected a request parameter'),
        hint: l10n.t('Check the parse options (data id, page ranges, callback and seed)'),
      };
    case '-60001':
      return {
        message: l10n.t('The service could not create an upload link'),
        hint: l10n.t('Try again in a few minutes'),
      };
    case '-60002':
      return {
        message: l10n.t('The file format could not be recognised'),
        hint: l10n.t(
          'Make sure the file name or URL ends with a supported extension (.pdf, .docx, .pptx, .png, .jpg …)',
        ),
      };
    case '-60003':
      return {
        message: l10n.t('The file could not be read; it may be corrupted'),
        hint: l10n.t('Open the file locally to check it, then upload it again'),
      };
    case '-60004':
      return { message: l10n.t('The file is empty'), hint: l10n.t('Choose a file that has content') };
    case '-60005':
      return {
        message: l10n.t('The file is larger than the service allows (200 MB)'),
        hint: l10n.t(
          'Compress the file, or parse fewer pages with the page ranges option (e.g. "1-200"), or split the document',
        ),
      };
    case '-60006':
      return {
        message: l10n.t('The document has more pages than the service allows'),
        hint: l10n.t('Parse fewer pages with the page ranges option (e.g. "1-200"), or split the document'),
      };
    case '-60007':
      return {
        message: l10n.t('The parsing model is temporarily unavailable'),
        hint: l10n.t('Try again in a few minutes'),
      };
    case '-60008':
      return {
        message: l10n.t('The service timed out reading the file from its URL'),
        hint: l10n.t(
          'Make sure the URL is publicly reachable (GitHub/AWS links can time out), or parse a local copy',
        ),
      };
    case '-60009':
      return { message: l10n.t('The service queue is full'), hint: l10n.t('Try again in a few minutes') };
    case '-60010':
      return {
        message: l10n.t('Parsing failed on the service'),
        hint: l10n.t('Try again later; if it keeps failing, try another model'),
      };
    case '-60011':
      return {
        message: l10n.t('The service did not receive a valid file'),
        hint: l10n.t('Make sure the upload finished, then parse the file again'),
      };
    case '-60012':
      return {
        message: l10n.t('The task was not found or has expired'),
        hint: l10n.t('Parse the document again'),
      };
    case '-60013':
      return {
        message: l10n.t('This token has no permission for the task'),
        hint: l10n.t('Only the token that submitted a task can read it; use that token or parse again'),
      };
    case '-60014':
      return {
        message: l10n.t('A running task cannot be deleted'),
        hint: l10n.t('Wait for the task to finish'),
      };
    case '-60015':
      return {
        message: l10n.t('The service could not convert the file'),
        hint: l10n.t('Convert the document to PDF yourself and parse the PDF'),
      };
    case '-60016':
      return {
        message: l10n.t('Exporting to the requested extra format failed'),
        hint: l10n.t('Parse again without that extra format (docx/html/latex)'),
      };
    case '-60017':
      return {
        message: l10n.t('The retry limit for this file was reached'),
        hint: l10n.t('Replace the file or wait for a model upgrade before trying again'),
      };
    case '-60018':
      return {
        message: l10n.t('The daily task limit was reached'),
        hint: l10n.t('Try again tomorrow, or check your quota at https://mineru.net'),
      };
    case '-60019':
      return {
        message: l10n.t('The HTML parsing quota is used up'),
        hint: l10n.t('Try again tomorrow, or check your quota at https://mineru.net'),
      };
    case '-60020':
      return {
        message: l10n.t('The service could not split the file'),
        hint: l10n.t('Parse fewer pages with the page ranges option (e.g. "1-200"), or split the document'),
      };
    case '-60021':
      return {
        message: l10n.t('The service could not read the page count'),
        hint: l10n.t('Check that the file opens locally, or convert it to PDF and try again'),
      };
    case '-60022':
      return {
        message: l10n.t('The service could not read the web page (network error or rate limit)'),
        hint: l10n.t('Try again later, or save the page and parse the saved file'),
      };
    case '-30001':
      return {
        message: l10n.t('The file is larger than the quick mode allows (10 MB)'),
        hint: l10n.t('Use the token-based parse, which accepts files up to 200 MB'),
      };
    case '-30002':
      return {
        message: l10n.t('The quick mode does not support this file type'),
        hint: l10n.t('Use the token-based parse, or convert the document to PDF'),
      };
    case '-30003':
      return {
        message: l10n.t('The document has more pages than the quick mode allows'),
        hint: l10n.t('Set a page range (e.g. "1-20") or use the token-based parse'),
      };
    case '-30004':
      return {
        message: l10n.t('The quick mode rejected a request parameter'),
        hint: l10n.t('Check the page range (only "N" or "N-M") and the file name'),
      };
    default:
      return undefined;
  }
}

export const unknownCodeHint = (l10n: L10n): string =>
  l10n.t('Try again later; if it keeps happening, report it with the trace id');

export const quoted = (l10n: L10n, message: string, serviceMsg: string): string =>
  l10n.t('{0} (service: "{1}")', message, serviceMsg);

/** Message and hint of the reasons that carry a service code. */
export const SERVICE_TEXTS = {
  'service.code': {
    message: (p, l10n, code) => {
      const info = code === undefined ? undefined : codeText(code, l10n);
      const serviceMsg = str(p, 'serviceMsg');
      if (!info) {
        return serviceMsg === undefined
          ? l10n.t('The service reported an error')
          : l10n.t('The service reported an error: {0}', serviceMsg);
      }
      return serviceMsg === undefined ? info.message : quoted(l10n, info.message, serviceMsg);
    },
    hint: (_p, l10n, code) =>
      (code === undefined ? undefined : codeText(code, l10n))?.hint ?? unknownCodeHint(l10n),
  },
  'service.taskFailed': {
    message: (p, l10n, code) => {
      const info = code === undefined ? undefined : codeText(code, l10n);
      const serviceMsg = str(p, 'serviceMsg');
      if (serviceMsg !== undefined) {
        return info
          ? quoted(l10n, info.message, serviceMsg)
          : l10n.t('Parsing failed on the service: {0}', serviceMsg);
      }
      if (info) return info.message;
      return code === undefined
        ? l10n.t('Parsing failed on the service')
        : l10n.t('The service reported an error');
    },
    hint: (p, l10n, code) => {
      // A hint the engine or the service chose for this failure (core/tasks/taskErrors.ts).
      const kind = str(p, 'hintKind');
      if (kind === 'urlUnreachable') {
        return l10n.t('The service could not fetch the URL; check that it is publicly reachable, then Retry');
      }
      const info = code === undefined ? undefined : codeText(code, l10n);
      const hint = info
        ? info.hint
        : code === undefined
          ? l10n.t('Try again later; if it keeps failing, try another model or convert the file to PDF')
          : unknownCodeHint(l10n);
      if (kind !== 'preciseMode') return hint;
      return hint
        ? l10n.t('{0}; or set an API token for the precise mode', hint)
        : l10n.t('or set an API token for the precise mode');
    },
  },
  'auth.noToken': {
    message: (_p, l10n) => l10n.t('No MinerU API token is set'),
    hint: (_p, l10n) => l10n.t('Set an API token (create one at https://mineru.net/apiManage/token)'),
  },
} satisfies Partial<Record<ErrorReason, Texts>>;
