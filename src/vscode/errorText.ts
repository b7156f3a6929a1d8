/**
 * The user's text for an engine error: the core gives a `reason` code and its `params`; this turns
 * them into a sentence through `l10n.t` (vscode.l10n in the extension), so every error the user
 * reads is translated. No `vscode` import: unit tests run it with {@link englishL10n}.
 *
 * Each part (message, hint) is rendered from the reason only when its English rendering equals the
 * English text the core stored; otherwise the stored text is shown. So an error whose text a caller
 * changed after the fact, one without a reason (records written by older versions, errors not yet
 * converted) and one with a reason this version does not know all show exactly what they say.
 */
import type { ErrorReason, Phase, SerializedError } from '../core/errors';
import type { UrlValidation } from '../core/links/validateUrl';
import {
  englishL10n,
  type ErrorText,
  type L10n,
  num,
  type Params,
  type Part,
  str,
  type Texts,
} from './l10nText';
import { REQUEST_TEXTS } from './requestErrorTexts';
import { RESULT_TEXTS } from './resultErrorTexts';
import { SERVICE_TEXTS } from './serviceCodeText';

export { englishL10n, type ErrorText, type L10n } from './l10nText';

const proxyHtmlHint = (l10n: L10n): string =>
  l10n.t('Check your proxy settings; a proxy or captive portal may be in the way');
const netHint = (l10n: L10n): string =>
  l10n.t('Check your network connection or proxy settings, then try again');
const notJsonHint = (l10n: L10n): string =>
  l10n.t('Check the API base URL and your proxy settings, then try again');
const redirectHint = (l10n: L10n): string =>
  l10n.t('Set the API base URL to the final address (e.g. https instead of http)');

/** Message and hint of the network and HTTP reasons. */
const NET_TEXTS = {
  'net.timeout': {
    message: (p, l10n) =>
      l10n.t('{0} did not answer within {1}', str(p, 'host') ?? '', str(p, 'seconds') ?? ''),
    hint: (_p, l10n) => l10n.t('Check your network connection and try again; the service may be busy'),
  },
  'net.tls': {
    message: (p, l10n) =>
      l10n.t(
        'The TLS certificate of {0} was not trusted ({1})',
        str(p, 'host') ?? '',
        str(p, 'detail') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t('A proxy may be intercepting HTTPS: configure its certificate or check the proxy settings'),
  },
  'net.dns': {
    message: (p, l10n) => l10n.t('The host {0} could not be found', str(p, 'host') ?? ''),
    hint: (_p, l10n) => l10n.t('Check the API base URL setting and your network or proxy settings'),
  },
  'net.connect': {
    message: (p, l10n) =>
      l10n.t('Could not connect to {0} ({1})', str(p, 'host') ?? '', str(p, 'code') ?? ''),
    hint: (_p, l10n) => netHint(l10n),
  },
  'net.droppedBeforeAnswer': {
    message: (p, l10n) =>
      l10n.t(
        'The connection to {0} failed before the answer arrived: {1}',
        str(p, 'host') ?? '',
        str(p, 'detail') ?? '',
      ),
    hint: (_p, l10n) => netHint(l10n),
  },
  'net.failed': {
    message: (p, l10n) =>
      l10n.t('The connection to {0} failed: {1}', str(p, 'host') ?? '', str(p, 'detail') ?? ''),
    hint: (_p, l10n) => netHint(l10n),
  },
  'http.redirect': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} redirected the request to {1}; redirects are not followed',
        str(p, 'host') ?? '',
        str(p, 'target') ?? '',
      ),
    hint: (_p, l10n) => redirectHint(l10n),
  },
  'http.redirectUnknown': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} redirected the request to another address; redirects are not followed',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) => redirectHint(l10n),
  },
  'http.redirectInvalid': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} redirected the request to an invalid address; redirects are not followed',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) => redirectHint(l10n),
  },
  'http.htmlPage': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} returned an HTML page, not JSON — a proxy or captive portal may be in the way',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) => notJsonHint(l10n),
  },
  'http.empty': {
    message: (p, l10n) => l10n.t('The server at {0} returned an empty response', str(p, 'host') ?? ''),
    hint: (_p, l10n) => notJsonHint(l10n),
  },
  'http.notJson': {
    message: (p, l10n) =>
      l10n.t('The server at {0} returned a response that is not valid JSON', str(p, 'host') ?? ''),
    hint: (_p, l10n) => notJsonHint(l10n),
  },
  'http.noCode': {
    message: (p, l10n) =>
      l10n.t('The server at {0} answered in an unexpected format (no "code")', str(p, 'host') ?? ''),
    hint: (_p, l10n) => l10n.t('Check that the API base URL points to the MinerU API (…/api/v4)'),
  },
  'http.tooManyRequests': {
    message: (p, l10n) => {
      const seconds = str(p, 'seconds');
      return seconds === undefined
        ? l10n.t('Too many requests to {0} (HTTP 429)', str(p, 'host') ?? '')
        : l10n.t(
            'Too many requests to {0} (HTTP 429); the service asks to wait {1}',
            str(p, 'host') ?? '',
            seconds,
          );
    },
    hint: (_p, l10n) => l10n.t('Wait a little and try again'),
  },
  'http.serverError': {
    message: (p, l10n) =>
      num(p, 'page')
        ? l10n.t(
            'The server at {0} had an error (HTTP {1}) (an HTML page, not JSON)',
            str(p, 'host') ?? '',
            num(p, 'status'),
          )
        : l10n.t('The server at {0} had an error (HTTP {1})', str(p, 'host') ?? '', num(p, 'status')),
    hint: (_p, l10n) => l10n.t('Try again in a few minutes'),
  },
  'http.refused': {
    message: (p, l10n) =>
      num(p, 'page')
        ? l10n.t(
            'The server at {0} refused the request (HTTP {1}) (an HTML page, not JSON)',
            str(p, 'host') ?? '',
            num(p, 'status'),
          )
        : l10n.t('The server at {0} refused the request (HTTP {1})', str(p, 'host') ?? '', num(p, 'status')),
    hint: (p, l10n) =>
      num(p, 'page')
        ? proxyHtmlHint(l10n)
        : l10n.t('Set a new API token (create one at https://mineru.net/apiManage/token)'),
  },
  'http.notFound': {
    message: (p, l10n) =>
      num(p, 'page')
        ? l10n.t(
            'The server at {0} does not know {1} (HTTP 404) (an HTML page, not JSON)',
            str(p, 'host') ?? '',
            str(p, 'request') ?? '',
          )
        : l10n.t(
            'The server at {0} does not know {1} (HTTP 404)',
            str(p, 'host') ?? '',
            str(p, 'request') ?? '',
          ),
    hint: (_p, l10n) => l10n.t('Check the API base URL setting (e.g. https://mineru.net/api/v4)'),
  },
  'http.rejected': {
    message: (p, l10n) =>
      num(p, 'page')
        ? l10n.t(
            'The server at {0} rejected the request (HTTP {1}) (an HTML page, not JSON)',
            str(p, 'host') ?? '',
            num(p, 'status'),
          )
        : l10n.t('The server at {0} rejected the request (HTTP {1})', str(p, 'host') ?? '', num(p, 'status')),
    hint: (p, l10n) =>
      num(p, 'page') ? proxyHtmlHint(l10n) : l10n.t('Check the parse options and the API base URL'),
  },
} satisfies Partial<Record<ErrorReason, Texts>>;

/** Message and hint of each reason. */
const TEXTS: Readonly<Record<ErrorReason, Texts>> = {
  ...SERVICE_TEXTS,
  ...NET_TEXTS,
  ...REQUEST_TEXTS,
  ...RESULT_TEXTS,
};

/** Whether `reason` is one this version words (a record from a newer version may carry others). */
function knownReason(reason: unknown): reason is ErrorReason {
  return typeof reason === 'string' && Object.prototype.hasOwnProperty.call(TEXTS, reason);
}

/** The error's message and hint in the user's language (see the module comment for the fallback). */
export function errorText(error: SerializedError, l10n: L10n): ErrorText {
  const stored: ErrorText = { message: error.message, hint: error.hint ?? undefined };
  if (!knownReason(error.reason)) return stored;
  const texts = TEXTS[error.reason];
  const params: Params = error.params && typeof error.params === 'object' ? error.params : {};
  const code = error.code ?? undefined;
  const part = (render: Part, english: string | undefined): string | undefined =>
    render(params, englishL10n, code) === english ? render(params, l10n, code) : english;
  return {
    message: part(texts.message, stored.message) ?? stored.message,
    hint: part(texts.hint, stored.hint),
  };
}

/** "Download failed: …" for each phase. */
function phaseFailed(phase: Phase, message: string, l10n: L10n): string {
  switch (phase) {
    case 'validate':
      return l10n.t('Validate failed: {0}', message);
    case 'submit':
      return l10n.t('Submit failed: {0}', message);
    case 'upload':
      return l10n.t('Upload failed: {0}', message);
    case 'poll':
      return l10n.t('Poll failed: {0}', message);
    case 'parse':
      return l10n.t('Parse failed: {0}', message);
    case 'download':
      return l10n.t('Download failed: {0}', message);
    case 'extract':
      return l10n.t('Extract failed: {0}', message);
    default: {
      // A phase from a newer record: the English form of core's describeError.
      const name = String(phase);
      return `${name.charAt(0).toUpperCase()}${name.slice(1)} failed: ${message}`;
    }
  }
}

/**
 * "Download failed: <why> (<code>). <next step>" in the user's language: the one-line form of the
 * notifications and the task tooltip. With {@link englishL10n} it is core's describeError.
 */
export function describeError(error: SerializedError, l10n: L10n): string {
  const { message, hint } = errorText(error, l10n);
  let head = phaseFailed(error.phase, message, l10n);
  if (error.code) head += ` (${error.code})`;
  return (hint ? l10n.t('{0}. {1}', head, hint) : head).replace(/\.\./g, '.');
}

/** Why a typed or pasted link was refused, in the user's language (same fallback rule as errors). */
export function urlProblemText(refused: Extract<UrlValidation, { ok: false }>, target: L10n): string {
  const text = refused.params?.text ?? '';
  const render = (l10n: L10n): string | undefined => {
    switch (refused.problem) {
      case 'empty':
        return l10n.t('Enter a link to a document, e.g. https://example.com/report.pdf.');
      case 'whitespace':
        return l10n.t(
          'A link cannot contain spaces or line breaks; to parse several links, put each on its own line.',
        );
      case 'localPath':
        return l10n.t(
          'This looks like a local file path. Only http and https links can be parsed here; parse local files from the Explorer instead.',
        );
      case 'invalid':
        return l10n.t(
          'Not a valid link: "{0}". Use a full address such as https://example.com/report.pdf.',
          text,
        );
      case 'driveLetter':
        return l10n.t('Only http and https links can be parsed: "{0}" looks like a local file path.', text);
      case 'scheme':
        return l10n.t(
          "Only http and https links can be parsed: '{0}:' is not supported.",
          refused.params?.scheme ?? '',
        );
      case 'noHost':
        return l10n.t('The link has no host name, e.g. https://example.com/report.pdf.');
      default:
        return undefined;
    }
  };
  return render(englishL10n) === refused.message ? (render(target) ?? refused.message) : refused.message;
}
