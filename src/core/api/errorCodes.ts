import { MinerUError } from '../errors';
import type { TaskStatus } from './types';
/**
 * What every service code means for the user: a short message (what went wrong) and a hint (the
 * next step). Covers every code of the user's spec, the newer -60018…-60022 and the agent API's
 * -30001…-30004 (see shared/guides/mineru-api.md §2.8 and §3.2).
 */

export interface CodeInfo {
  /** Short human message; the service's own `msg` is appended by the client when it adds detail. */
  message: string;
  /** The next step for the user. */
  hint: string;
  /** Whether trying again later may succeed (shown to the user; not the same as automatic retry). */
  retryable: boolean;
  /** The token was refused: the glue offers "Set API token". */
  auth?: boolean;
}

const SET_TOKEN = 'Set a new API token (create one at https://mineru.net/apiManage/token)';
const SPLIT = 'Parse fewer pages with the page ranges option (e.g. "1-200"), or split the document';

export const ERROR_CODES: Readonly<Record<string, CodeInfo>> = {
  A0202: {
    message: 'The API token was not accepted',
    hint: `${SET_TOKEN}; paste it without the "Bearer " prefix`,
    retryable: false,
    auth: true,
  },
  A0211: { message: 'The API token has expired', hint: SET_TOKEN, retryable: false, auth: true },
  '-500': {
    message: 'The service rejected the request parameters',
    hint: 'Check the parse options (model, language, page ranges); report this if it keeps happening',
    retryable: false,
  },
  '-10001': {
    message: 'The MinerU service had an internal error',
    hint: 'Try again in a few minutes',
    retryable: true,
  },
  '-10002': {
    message: 'The service rejected a request parameter',
    hint: 'Check the parse options (data id, page ranges, callback and seed)',
    retryable: false,
  },
  '-60001': {
    message: 'The service could not create an upload link',
    hint: 'Try again in a few minutes',
    retryable: true,
  },
  '-60002': {
    message: 'The file format could not be recognised',
    hint: 'Make sure the file name or URL ends with a supported extension (.pdf, .docx, .pptx, .png, .jpg …)',
    retryable: false,
  },
  '-60003': {
    message: 'The file could not be read; it may be corrupted',
    hint: 'Open the file locally to check it, then upload it again',
    retryable: false,
  },
  '-60004': { message: 'The file is empty', hint: 'Choose a file that has content', retryable: false },
  '-60005': {
    message: 'The file is larger than the service allows (200 MB)',
    hint: `Compress the file, or ${SPLIT.charAt(0).toLowerCase()}${SPLIT.slice(1)}`,
    retryable: false,
  },
  '-60006': { message: 'The document has more pages than the service allows', hint: SPLIT, retryable: false },
  '-60007': {
    message: 'The parsing model is temporarily unavailable',
    hint: 'Try again in a few minutes',
    retryable: true,
  },
  '-60008': {
    message: 'The service timed out reading the file from its URL',
    hint: 'Make sure the URL is publicly reachable (GitHub/AWS links can time out), or parse a local copy',
    retryable: true,
  },
  '-60009': {
    message: 'The service queue is full',
    hint: 'Try again in a few minutes',
    retryable: true,
  },
  '-60010': {
    message: 'Parsing failed on the service',
    hint: 'Try again later; if it keeps failing, try another model',
    retryable: true,
  },
  '-60011': {
    message: 'The service did not receive a valid file',
    hint: 'Make sure the upload finished, then parse the file again',
    retryable: true,
  },
  '-60012': {
    message: 'The task was not found or has expired',
    hint: 'Parse the document again',
    retryable: false,
  },
  '-60013': {
    message: 'This token has no permission for the task',
    hint: 'Only the token that submitted a task can read it; use that token or parse again',
    retryable: false,
  },
  '-60014': {
    message: 'A running task cannot be deleted',
    hint: 'Wait for the task to finish',
    retryable: false,
  },
  '-60015': {
    message: 'The service could not convert the file',
    hint: 'Convert the document to PDF yourself and parse the PDF',
    retryable: false,
  },
  '-60016': {
    message: 'Exporting to the requested extra format failed',
    hint: 'Parse again without that extra format (docx/html/latex)',
    retryable: false,
  },
  '-60017': {
    message: 'The retry limit for this file was reached',
    hint: 'Replace the file or wait for a model upgrade before trying again',
    retryable: false,
  },
  '-60018': {
    message: 'The daily task limit was reached',
    hint: 'Try again tomorrow, or check your quota at https://mineru.net',
    retryable: true,
  },
  '-60019': {
    message: 'The HTML parsing quota is used up',
    hint: 'Try again tomorrow, or check your quota at https://mineru.net',
    retryable: true,
  },
  '-60020': { message: 'The service could not split the file', hint: SPLIT, retryable: false },
  '-60021': {
    message: 'The service could not read the page count',
    hint: 'Check that the file opens locally, or convert it to PDF and try again',
    retryable: false,
  },
  '-60022': {
    message: 'The service could not read the web page (network error or rate limit)',
    hint: 'Try again later, or save the page and parse the saved file',
    retryable: true,
  },
  '-30001': {
    message: 'The file is larger than the quick mode allows (10 MB)',
    hint: 'Use the token-based parse, which accepts files up to 200 MB',
    retryable: false,
  },
  '-30002': {
    message: 'The quick mode does not support this file type',
    hint: 'Use the token-based parse, or convert the document to PDF',
    retryable: false,
  },
  '-30003': {
    message: 'The document has more pages than the quick mode allows',
    hint: 'Set a page range (e.g. "1-20") or use the token-based parse',
    retryable: false,
  },
  '-30004': {
    message: 'The quick mode rejected a request parameter',
    hint: 'Check the page range (only "N" or "N-M") and the file name',
    retryable: false,
  },
};

/** Service codes the client retries automatically: the service explicitly rejected the request. */
export const AUTO_RETRY_CODES: ReadonlySet<string> = new Set(['-10001', '-60007', '-60009']);

/** The table entry for a code; an unknown code gets a generic entry that still says what to do. */
export function describeCode(code: string, serviceMessage?: string): CodeInfo {
  const known = ERROR_CODES[code];
  if (known) return known;
  return {
    message: serviceMessage
      ? `The service reported an error: ${serviceMessage}`
      : 'The service reported an error',
    hint: 'Try again later; if it keeps happening, report it with the trace id',
    retryable: false,
  };
}

/**
 * The MinerUError for a task the service reports as `failed`: the agent's `err_code` when present
 * (mapped through the table), else the `err_msg`, with the page-limit case recognised from text.
 */
export function taskFailureError(status: TaskStatus, host?: string): MinerUError {
  const code =
    status.errCode ??
    (/pages?/i.test(status.errMsg ?? '') && /limit|exceed/i.test(status.errMsg ?? '') ? '-60006' : undefined);
  const info = code ? describeCode(code, status.errMsg) : undefined;
  const message = status.errMsg
    ? info && !info.message.startsWith('The service reported')
      ? `${info.message} (service: "${status.errMsg}")`
      : `Parsing failed on the service: ${status.errMsg}`
    : (info?.message ?? 'Parsing failed on the service');
  return new MinerUError({
    phase: 'parse',
    message,
    reason: 'service.taskFailed',
    ...(status.errMsg ? { params: { serviceMsg: status.errMsg } } : {}),
    hint: info?.hint ?? 'Try again later; if it keeps failing, try another model or convert the file to PDF',
    code,
    host,
    retryable: info?.retryable ?? true,
  });
}
