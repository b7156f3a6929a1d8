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
import type { ErrorParams, ErrorReason, Phase, SerializedError } from '../core/errors';
import type { UrlValidation } from '../core/links/validateUrl';

/** The translate function: `vscode.l10n`, or {@link englishL10n}. Messages use {0}, {1} … placeholders. */
export interface L10n {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** English, the bundle's keys themselves: fills the {n} placeholders. */
export const englishL10n: L10n = {
  t: (message, ...args) =>
    message.replace(/\{(\d+)\}/g, (whole, i: string) =>
      Number(i) < args.length ? String(args[Number(i)]) : whole,
    ),
};

export interface ErrorText {
  message: string;
  hint: string | undefined;
}

type Params = ErrorParams;
type Part = (p: Params, l10n: L10n, code: string | undefined) => string | undefined;

const str = (p: Params, key: string): string | undefined =>
  p[key] === undefined ? undefined : String(p[key]);
const num = (p: Params, key: string): number => Number(p[key] ?? 0);

/** Message and hint of every service code (the core's ERROR_CODES, worded for the user). */
function codeText(code: string, l10n: L10n): ErrorText | undefined {
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

const unknownCodeHint = (l10n: L10n): string =>
  l10n.t('Try again later; if it keeps happening, report it with the trace id');

const quoted = (l10n: L10n, message: string, serviceMsg: string): string =>
  l10n.t('{0} (service: "{1}")', message, serviceMsg);

const proxyHtmlHint = (l10n: L10n): string =>
  l10n.t('Check your proxy settings; a proxy or captive portal may be in the way');
const netHint = (l10n: L10n): string =>
  l10n.t('Check your network connection or proxy settings, then try again');
const notJsonHint = (l10n: L10n): string =>
  l10n.t('Check the API base URL and your proxy settings, then try again');
const redirectHint = (l10n: L10n): string =>
  l10n.t('Set the API base URL to the final address (e.g. https instead of http)');
const zipHint = (l10n: L10n): string =>
  l10n.t(
    'The result archive was refused for safety and nothing was written. If the document is genuinely this large, parse it in parts (page ranges).',
  );
const downloadRetryHint = (l10n: L10n): string => l10n.t('Check the network, VPN or proxy, then Retry.');
const downloadHost = (p: Params, l10n: L10n): string => str(p, 'host') ?? l10n.t('the download host');

/** Why the output folder refused a write, by file-system code (the core's FOLDER_ERRORS). */
function folderCause(code: string, l10n: L10n): string {
  switch (code) {
    case 'ENOSPC':
      return l10n.t('the disk is full');
    case 'EDQUOT':
      return l10n.t('the disk quota is exhausted');
    case 'EROFS':
      return l10n.t('the folder is on a read-only file system');
    case 'EACCES':
      return l10n.t('permission denied');
    case 'EPERM':
      return l10n.t('the operation is not permitted');
    case 'EIO':
      return l10n.t('an I/O error occurred');
    case 'ENOTDIR':
    case 'EEXIST':
      return l10n.t('a file is in the way of the folder');
    case 'EMFILE':
    case 'ENFILE':
      return l10n.t('too many files are open');
    default:
      return l10n.t('the file system refused the write');
  }
}

/** Message and hint of each reason. */
const TEXTS: Readonly<Record<ErrorReason, { message: Part; hint: Part }>> = {
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
    hint: (_p, l10n, code) => {
      const info = code === undefined ? undefined : codeText(code, l10n);
      if (info) return info.hint;
      return code === undefined
        ? l10n.t('Try again later; if it keeps failing, try another model or convert the file to PDF')
        : unknownCodeHint(l10n);
    },
  },
  'auth.noToken': {
    message: (_p, l10n) => l10n.t('No MinerU API token is set'),
    hint: (_p, l10n) => l10n.t('Set an API token (create one at https://mineru.net/apiManage/token)'),
  },
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
  'download.dropped': {
    message: (p, l10n) =>
      l10n.t(
        'The connection to {0} dropped during the download ({1})',
        downloadHost(p, l10n),
        str(p, 'code') ?? '',
      ),
    hint: (p, l10n) => downloadNetHint(p, l10n),
  },
  'download.unreachable': {
    message: (p, l10n) => l10n.t('Could not reach {0} ({1})', downloadHost(p, l10n), str(p, 'code') ?? ''),
    hint: (p, l10n) => downloadNetHint(p, l10n),
  },
  'download.linkExpired': {
    message: (p, l10n) =>
      l10n.t(
        'The result link was refused by {0} (HTTP {1}); it has probably expired',
        downloadHost(p, l10n),
        num(p, 'status'),
      ),
    hint: (_p, l10n) => l10n.t('Refreshing the link from the MinerU service and downloading again.'),
  },
  'download.status': {
    message: (p, l10n) => {
      const host = str(p, 'host');
      return host === undefined
        ? l10n.t('The download host answered HTTP {0}', num(p, 'status'))
        : l10n.t('The download host {0} answered HTTP {1}', host, num(p, 'status'));
    },
    hint: (p, l10n) =>
      num(p, 'busy')
        ? l10n.t('The download host is busy or failing; Retry in a few minutes.')
        : l10n.t('Try parsing the document again.'),
  },
  'download.tooLarge': {
    message: (p, l10n) =>
      p.seen === undefined
        ? l10n.t('The result is larger than the {0}-byte limit', num(p, 'max'))
        : l10n.t('The result is larger than the {0}-byte limit ({1} bytes)', num(p, 'max'), num(p, 'seen')),
    hint: (_p, l10n) =>
      l10n.t('Parse the document in parts (page ranges), or raise the size limit in the settings.'),
  },
  'download.badUrl': {
    message: (_p, l10n) => l10n.t('The result link is not a valid URL'),
    hint: () => undefined,
  },
  'download.badProtocol': {
    message: (p, l10n) =>
      l10n.t("The result link uses '{0}', only http and https are downloaded", str(p, 'protocol') ?? ''),
    hint: () => undefined,
  },
  'download.idle': {
    message: (p, l10n) => l10n.t('No data from {0} for {1} s', downloadHost(p, l10n), num(p, 'seconds')),
    hint: (_p, l10n) => downloadRetryHint(l10n),
  },
  'localCopy.tooLarge': {
    message: (p, l10n) =>
      l10n.t(
        'The document at {0} is larger than the {1} MB limit for local downloads',
        str(p, 'location') ?? '',
        num(p, 'mb'),
      ),
    hint: (_p, l10n) =>
      l10n.t('Raise the local download limit in the settings, or download it yourself and parse the file'),
  },
  'localCopy.refused': {
    message: (p, l10n) => {
      const host = str(p, 'host');
      return host === undefined
        ? l10n.t('The server refused the download of the document (HTTP {0})', num(p, 'status'))
        : l10n.t('{0} refused the download of the document (HTTP {1})', host, num(p, 'status'));
    },
    hint: (_p, l10n) =>
      l10n.t('The link may need a login or may have expired; download it in a browser and parse the file'),
  },
  'zip.tooManyEntries': {
    message: (p, l10n) =>
      l10n.t(
        'The result archive has {0} entries, too many (limit {1} = {2})',
        num(p, 'count'),
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.entryTooLarge': {
    message: (p, l10n) =>
      l10n.t(
        'An entry of the result archive is {0} bytes, too large (limit {1} = {2})',
        num(p, 'size'),
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.markdownTooLarge': {
    message: (p, l10n) =>
      l10n.t(
        'The Markdown of the result is {0} bytes, too large to open safely (limit {1} = {2})',
        num(p, 'size'),
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.bombEntry': {
    message: (p, l10n) =>
      l10n.t(
        'The result archive looks like a zip bomb: an entry is compressed too strongly (limit {0} = {1})',
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.bombArchive': {
    message: (p, l10n) =>
      l10n.t(
        'The result archive looks like a zip bomb: it is compressed too strongly (limit {0} = {1})',
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.totalTooLarge': {
    message: (p, l10n) =>
      l10n.t(
        'The result archive unpacks to {0} bytes, too many (limit {1} = {2})',
        num(p, 'total'),
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.inflatedTooLarge': {
    message: (p, l10n) =>
      l10n.t(
        'The result archive unpacks to more than {0} bytes (limit {1} = {2})',
        num(p, 'value'),
        str(p, 'limit') ?? '',
        num(p, 'value'),
      ),
    hint: (_p, l10n) => zipHint(l10n),
  },
  'zip.corrupt': {
    message: (_p, l10n) => l10n.t('The result archive is damaged or not a zip file'),
    hint: (_p, l10n) => l10n.t('Download the result again.'),
  },
  'zip.noMarkdown': {
    message: (_p, l10n) => l10n.t('The result archive contains no Markdown file'),
    hint: (_p, l10n) =>
      l10n.t('Parse the document again; if it keeps happening, report it with the task id.'),
  },
  'output.write': {
    message: (p, l10n) => {
      const code = str(p, 'code') ?? '';
      return l10n.t(
        'Could not write the result into {0}: {1} ({2})',
        str(p, 'folder') ?? '',
        folderCause(code, l10n),
        code,
      );
    },
    hint: (p, l10n) =>
      p.code === 'ENOSPC' || p.code === 'EDQUOT'
        ? l10n.t('Free some disk space, then Retry; nothing was written.')
        : l10n.t(
            'Check that the output folder exists and is writable (setting mineru.outputDirectory), then Retry; nothing was written.',
          ),
  },
  'output.noFreeName': {
    message: (p, l10n) => l10n.t('Could not find a free folder name for "{0}"', str(p, 'name') ?? ''),
    hint: (p, l10n) => l10n.t('Clean up {0} and try again.', str(p, 'folder') ?? ''),
  },
  'selfHosted.notConfigured': {
    message: (_p, l10n) => l10n.t('No self-hosted MinerU server is set'),
    hint: (_p, l10n) =>
      l10n.t(
        'Set mineru.selfHosted.url to your mineru-api or mineru-router server, e.g. http://127.0.0.1:8000',
      ),
  },
  'selfHosted.badUrl': {
    message: (p, l10n) =>
      l10n.t('The self-hosted server URL must be http or https: {0}', str(p, 'url') ?? ''),
    hint: (_p, l10n) => l10n.t('Set mineru.selfHosted.url to the server, e.g. http://127.0.0.1:8000'),
  },
  'selfHosted.unreachable': {
    message: (p, l10n) =>
      l10n.t(
        'The MinerU server at {0} could not be reached ({1})',
        str(p, 'host') ?? '',
        str(p, 'code') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t(
        'Check that mineru-api (or mineru-router) is running there and that mineru.selfHosted.url is right, then Retry',
      ),
  },
  'selfHosted.credential': {
    message: (p, l10n) =>
      num(p, 'set') === 1
        ? l10n.t(
            'The server at {0} refused the credential (HTTP {1})',
            str(p, 'host') ?? '',
            num(p, 'status'),
          )
        : l10n.t(
            'The server at {0} asks for a credential (HTTP {1})',
            str(p, 'host') ?? '',
            num(p, 'status'),
          ),
    hint: (_p, l10n) =>
      l10n.t('Check the credential for this server (MinerU: Set Self-Hosted Server Credential)'),
  },
  'selfHosted.busy': {
    message: (p, l10n) => {
      const detail = str(p, 'detail') ?? '';
      return detail
        ? l10n.t('The server at {0} is busy or not ready (HTTP 503: {1})', str(p, 'host') ?? '', detail)
        : l10n.t('The server at {0} is busy or not ready (HTTP 503)', str(p, 'host') ?? '');
    },
    hint: (_p, l10n) => l10n.t('It is tried again with growing waits; check the server if it stays busy'),
  },
  'selfHosted.taskNotFound': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} no longer knows this task (it was restarted, or the task expired)',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) => l10n.t('Retry to submit the document again'),
  },
  'selfHosted.noRoute': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} has no route {1} (HTTP {2})',
        str(p, 'host') ?? '',
        str(p, 'path') ?? '',
        num(p, 'status'),
      ),
    hint: (_p, l10n) =>
      l10n.t(
        'Check mineru.selfHosted.url: it must point at a MinerU 3.x server (mineru-api or mineru-router)',
      ),
  },
  'selfHosted.invalidOption': {
    message: (p, l10n) =>
      l10n.t('The server refused the option {0}: {1}', str(p, 'field') ?? '', str(p, 'detail') ?? ''),
    hint: (_p, l10n) => l10n.t('Change this option in "with Options…" or the settings, then parse again'),
  },
  'selfHosted.tooLarge': {
    message: (p, l10n) =>
      l10n.t('The server at {0} refused the upload as too large (HTTP 413)', str(p, 'host') ?? ''),
    hint: (_p, l10n) =>
      l10n.t(
        'Raise the body size limit of the reverse proxy in front of the server (client_max_body_size for nginx)',
      ),
  },
  'selfHosted.redirect': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} redirected to {1}; redirects are not followed',
        str(p, 'host') ?? '',
        str(p, 'location') || '(nowhere)',
      ),
    hint: (_p, l10n) => l10n.t('Set mineru.selfHosted.url to the address the server redirects to'),
  },
  'selfHosted.http': {
    message: (p, l10n) => {
      const detail = str(p, 'detail') ?? '';
      return detail
        ? l10n.t('The server at {0} answered HTTP {1}: {2}', str(p, 'host') ?? '', num(p, 'status'), detail)
        : l10n.t('The server at {0} answered HTTP {1}', str(p, 'host') ?? '', num(p, 'status'));
    },
    hint: (p, l10n) =>
      num(p, 'status') >= 500
        ? l10n.t('See the server log; Retry when it is fixed')
        : l10n.t('Check mineru.selfHosted.url'),
  },
  'selfHosted.badAnswer': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} answered without a task status; is it a MinerU 3.x server?',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t('Check mineru.selfHosted.url: it must point at mineru-api or mineru-router 3.x'),
  },
  'selfHosted.pageRange': {
    message: (p, l10n) =>
      l10n.t(
        'A self-hosted server counts pages from the start; "{0}" counts from the end',
        str(p, 'ranges') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t('Use page numbers such as "1-20,25", and "5--1" only for the last piece (page 5 to the end)'),
  },
};

function downloadNetHint(p: Params, l10n: L10n): string {
  const kind = str(p, 'kind');
  if (kind === 'tls') {
    return l10n.t(
      'A proxy or security product may be intercepting HTTPS; check the proxy settings (http.proxy) and certificates.',
    );
  }
  if (kind === 'dns') return l10n.t('Check the network connection, VPN and proxy settings (http.proxy).');
  return downloadRetryHint(l10n);
}

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
