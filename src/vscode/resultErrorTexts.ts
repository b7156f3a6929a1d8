/**
 * The user's text of the result's errors: the download, the local copy of a document, the result
 * archive and the output folder.
 */
import type { ErrorReason } from '../core/errors';
import { type L10n, num, type Params, str, type Texts } from './l10nText';

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

/** Message and hint of the result's reasons. */
export const RESULT_TEXTS = {
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
  'download.redirects': {
    message: (p, l10n) => {
      const host = str(p, 'host');
      return host === undefined
        ? l10n.t('The download host redirected more than {0} times', num(p, 'max'))
        : l10n.t('The download host {0} redirected more than {1} times', host, num(p, 'max'));
    },
    hint: (_p, l10n) => l10n.t('Try parsing the document again.'),
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
  'merge.partMissing': {
    message: (p, l10n) =>
      l10n.t(
        'Part {0} of the document cannot be merged: its result is missing ({1})',
        num(p, 'part'),
        str(p, 'folder') ?? '',
      ),
    hint: (_p, l10n) => l10n.t('Retry the part to parse it again; nothing was written.'),
  },
  'merge.originMissing': {
    message: (p, l10n) =>
      l10n.t('The parts cannot be merged: the original PDF is missing ({0})', str(p, 'folder') ?? ''),
    hint: (_p, l10n) => l10n.t('Parse the document again; nothing was written.'),
  },
} satisfies Partial<Record<ErrorReason, Texts>>;

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
