/**
 * Failures below HTTP (no response, or a response cut short): which code the error carries and
 * what it says about the request. The one table of network codes, for every caller: the API
 * transport, the upload, the connection check and the result download, each of which words the
 * error for its own user.
 */
import { errorMessage, MinerUError, type Phase } from '../errors';
import { redact } from '../util/logger';
import { hostLabel } from './hosts';
import { markTransient } from './retryClassification';
import { formatSeconds } from './timeout';

/** The connection was never established: nothing reached the server. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EHOSTDOWN',
]);
/** The connection broke or went silent after it was established. */
const DROPPED_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'EPROTO',
]);
/** Certificate and TLS failures (Node's and OpenSSL's codes). */
const TLS_CODE = /^(UNABLE_TO_|DEPTH_ZERO)|CERT|SSL|TLS|SELF_SIGNED/i;
/** axios codes that only wrap the real cause; the cause's code says more. */
const WRAPPER_CODES = new Set(['ERR_BAD_RESPONSE', 'ERR_NETWORK']);

export type NetworkFailureKind = 'tls' | 'dns' | 'connect' | 'dropped' | 'unknown';

export interface NetworkFailure {
  /** The most specific code on the error or its causes, if any. */
  code: string | undefined;
  kind: NetworkFailureKind;
}

/** The most specific code on `error` or its causes: an errno or TLS code before an axios wrapper. */
function errnoCode(error: unknown): string | undefined {
  let wrapper: string | undefined;
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (!WRAPPER_CODES.has(code)) return code;
      wrapper ??= code;
    }
    const cause = (e as { cause?: unknown }).cause;
    if (cause === e) break;
    e = cause;
  }
  return wrapper;
}

/** What a failure below HTTP says: the code, and whether TLS, DNS, connecting or the connection failed. */
export function classifyNetworkFailure(error: unknown): NetworkFailure {
  const code = errnoCode(error);
  if (code === undefined) return { code, kind: 'unknown' };
  if (TLS_CODE.test(code)) return { code, kind: 'tls' };
  if (code === 'ENOTFOUND') return { code, kind: 'dns' };
  if (CONNECT_CODES.has(code)) return { code, kind: 'connect' };
  if (DROPPED_CODES.has(code)) return { code, kind: 'dropped' };
  return { code, kind: 'unknown' };
}

/**
 * Maps a failure of a request to the API, the upload host or a probe to a MinerUError, marked
 * transient where a retry may help. Never keeps the original error: an axios error holds the
 * request headers, including the token.
 */
export function networkError(
  error: unknown,
  phase: Phase,
  url: string,
  timedOut: { ms: number } | undefined,
  secrets: readonly (string | undefined)[],
): MinerUError {
  const host = hostLabel(url);
  if (timedOut) {
    return markTransient(
      new MinerUError({
        phase,
        message: `${host} did not answer within ${formatSeconds(timedOut.ms)}`,
        reason: 'net.timeout',
        params: { host, seconds: formatSeconds(timedOut.ms) },
        hint: 'Check your network connection and try again; the service may be busy',
        code: 'ETIMEDOUT',
        host,
        retryable: true,
      }),
      { kind: 'timeout' },
    );
  }
  const failure = classifyNetworkFailure(error);
  const code = failure.code ?? 'ENETWORK';
  const text = redact(errorMessage(error), secrets);
  if (failure.kind === 'tls') {
    return new MinerUError({
      phase,
      message: `The TLS certificate of ${host} was not trusted (${text})`,
      reason: 'net.tls',
      params: { host, detail: text },
      hint: 'A proxy may be intercepting HTTPS: configure its certificate or check the proxy settings',
      code,
      host,
      retryable: false,
    });
  }
  if (failure.kind === 'dns') {
    return new MinerUError({
      phase,
      message: `The host ${host} could not be found`,
      reason: 'net.dns',
      params: { host },
      hint: 'Check the API base URL setting and your network or proxy settings',
      code,
      host,
      retryable: true,
    });
  }
  const connect = failure.kind === 'connect';
  const known = connect || failure.kind === 'dropped' || /socket hang up/i.test(text);
  return markTransient(
    new MinerUError({
      phase,
      message: connect
        ? `Could not connect to ${host} (${code})`
        : `The connection to ${host} failed${known ? ' before the answer arrived' : ''}: ${text}`,
      reason: connect ? 'net.connect' : known ? 'net.droppedBeforeAnswer' : 'net.failed',
      params: connect ? { host, code } : { host, detail: text },
      hint: 'Check your network connection or proxy settings, then try again',
      code,
      host,
      retryable: true,
    }),
    { kind: connect ? 'connect' : 'network' },
  );
}
