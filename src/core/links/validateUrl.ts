import { SUPPORTED_EXTENSIONS } from '../api/types';
import { urlExtension } from './findLinks';

/** Why a link was refused, for the glue to word (src/vscode/errorText.ts); `message` is the English text. */
export type UrlProblem =
  'empty' | 'whitespace' | 'localPath' | 'invalid' | 'driveLetter' | 'scheme' | 'noHost';

export type UrlValidation =
  | { ok: true; url: string; supported: boolean; warning?: string }
  | { ok: false; message: string; problem: UrlProblem; params?: { text?: string; scheme?: string } };

const PRIVATE_HOST =
  /^(?:localhost|.*\.localhost|.*\.local|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|\[f[cd][0-9a-f]*:.*\]|\[fe80:.*\])$/i;

/**
 * Checks a link typed or pasted by the user. Trims white space, quotes and angle brackets, assumes
 * https:// for "example.com/a.pdf", and explains what is wrong otherwise. A link with a user name or
 * password is accepted with a warning; callers must log it only through `safeUrl`.
 */
export function validateDocumentUrl(input: string): UrlValidation {
  let text = String(input).trim();
  for (;;) {
    const m = /^(?:<(.*)>|"(.*)"|'(.*)')$/s.exec(text);
    if (!m) break;
    text = (m[1] ?? m[2] ?? m[3] ?? '').trim();
  }
  if (text === '')
    return {
      ok: false,
      problem: 'empty',
      message: 'Enter a link to a document, e.g. https://example.com/report.pdf.',
    };
  if (/\s/.test(text)) {
    return {
      ok: false,
      problem: 'whitespace',
      message:
        'A link cannot contain spaces or line breaks; to parse several links, put each on its own line.',
    };
  }
  const warnings: string[] = [];
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || (/^[a-z0-9.-]+:\d+(?:[/?#]|$)/i.test(text) && !/^https?:/i.test(text))) {
    if (text.startsWith('//')) {
      text = `https:${text}`;
    } else if (/^(?:[\p{L}\p{N}-]+\.)+[\p{L}\p{N}-]{2,}(?::\d+)?(?:[/?#]|$)/u.test(text)) {
      text = `https://${text}`;
      warnings.push('No scheme given; using https://.');
    } else if (/^(?:[/\\~.]|[a-z]:[/\\])/i.test(text)) {
      return {
        ok: false,
        problem: 'localPath',
        message:
          'This looks like a local file path. Only http and https links can be parsed here; parse local files from the Explorer instead.',
      };
    } else {
      return {
        ok: false,
        problem: 'invalid',
        params: { text: truncate(text) },
        message: `Not a valid link: "${truncate(text)}". Use a full address such as https://example.com/report.pdf.`,
      };
    }
  } else if (scheme !== 'http' && scheme !== 'https') {
    if (scheme.length === 1) {
      return {
        ok: false,
        problem: 'driveLetter',
        params: { text: truncate(text) },
        message: `Only http and https links can be parsed: "${truncate(text)}" looks like a local file path.`,
      };
    }
    return {
      ok: false,
      problem: 'scheme',
      params: { scheme },
      message: `Only http and https links can be parsed: '${scheme}:' is not supported.`,
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      problem: 'invalid',
      params: { text: truncate(text) },
      message: `Not a valid link: "${truncate(text)}". Use a full address such as https://example.com/report.pdf.`,
    };
  }
  if (url.hostname === '')
    return {
      ok: false,
      problem: 'noHost',
      message: 'The link has no host name, e.g. https://example.com/report.pdf.',
    };
  if (url.username !== '' || url.password !== '') {
    warnings.push(
      'The link contains a user name or password; it will be sent to the MinerU service as it is.',
    );
  }
  if (PRIVATE_HOST.test(url.hostname)) {
    warnings.push(
      `The MinerU service downloads the document itself; "${url.hostname}" is a local or private address it cannot reach. Parse the file as a local file instead.`,
    );
  }
  const { supported } = urlExtension(url);
  if (!supported) {
    warnings.push(
      `The link does not name a supported file type (${SUPPORTED_EXTENSIONS.join(', ')}); parsing works only if the server returns such a document.`,
    );
  }
  const result: UrlValidation = { ok: true, url: url.href, supported };
  if (warnings.length > 0) result.warning = warnings.join(' ');
  return result;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
