/**
 * A self-hosted server's HTTP answers and failures in the user's terms: server down or refused,
 * busy (503: waited on, not a failure), an option it refused (naming the field), a task it no
 * longer knows (restarted or expired: retry), a credential the proxy in front refused.
 */
import { MinerUError, type Phase } from '../../errors';
import { classifyNetworkFailure, networkError } from '../../net/networkError';

/** The server answered 503 (busy, or no healthy worker behind a router): wait and try again. */
export const SERVER_BUSY = 'SELF_HOSTED_BUSY';
export const TASK_NOT_FOUND = 'SELF_HOSTED_TASK_NOT_FOUND';

/** The `detail` of a FastAPI error body: a string, or the first validation error's field and text. */
export function detailOf(body: unknown): { text?: string; field?: string } {
  if (!body || typeof body !== 'object') return {};
  const detail = (body as { detail?: unknown }).detail;
  if (typeof detail === 'string') {
    const field = /^Invalid ([A-Za-z_]+)/.exec(detail)?.[1];
    if (field) return { text: detail, field };
    if (/^Unsupported file type/i.test(detail)) return { text: detail, field: 'files' };
    // ocr_language.py: "Language xx not supported. Allowed values: …"
    if (/^Language \S+ not supported/.test(detail)) return { text: detail, field: 'lang_list' };
    if (/server_url/.test(detail)) return { text: detail, field: 'server_url' };
    return { text: detail };
  }
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0] as { loc?: unknown; msg?: unknown };
    const loc = Array.isArray(first.loc) ? first.loc : [];
    const field = loc.length > 0 ? String(loc[loc.length - 1]) : undefined;
    const text = typeof first.msg === 'string' ? first.msg : undefined;
    return { ...(text ? { text } : {}), ...(field ? { field } : {}) };
  }
  const error = (body as { error?: unknown }).error;
  return typeof error === 'string' ? { text: error } : {};
}

/** An HTTP answer that is not what the route promises. */
export function statusError(
  phase: Phase,
  host: string,
  status: number,
  body: unknown,
  ctx: { path: string; hasCredential: boolean; location?: string | undefined },
): MinerUError {
  const { text, field } = detailOf(body);
  const detail = text ?? '';
  if (status === 401 || status === 403) {
    return new MinerUError({
      phase,
      code: `HTTP_${status}`,
      httpStatus: status,
      host,
      message: ctx.hasCredential
        ? `The server at ${host} refused the credential (HTTP ${status})`
        : `The server at ${host} asks for a credential (HTTP ${status})`,
      reason: 'selfHosted.credential',
      params: { host, status, set: ctx.hasCredential ? 1 : 0 },
      hint: 'Check the credential for this server (MinerU: Set Self-Hosted Server Credential)',
      retryable: false,
    });
  }
  if (status === 503) {
    return new MinerUError({
      phase,
      code: SERVER_BUSY,
      httpStatus: 503,
      host,
      message: `The server at ${host} is busy or not ready (HTTP 503${detail ? `: ${detail}` : ''})`,
      reason: 'selfHosted.busy',
      params: { host, detail },
      hint: 'It is tried again with growing waits; check the server if it stays busy',
      retryable: true,
    });
  }
  if (status === 404 && /^\/?tasks\/[^/]+/.test(ctx.path) && detail === 'Task not found') {
    return new MinerUError({
      phase,
      code: TASK_NOT_FOUND,
      httpStatus: 404,
      host,
      message: `The server at ${host} no longer knows this task (it was restarted, or the task expired)`,
      reason: 'selfHosted.taskNotFound',
      params: { host },
      hint: 'Retry to submit the document again',
      retryable: true,
    });
  }
  if (status === 404 || status === 405) {
    return new MinerUError({
      phase,
      code: `HTTP_${status}`,
      httpStatus: status,
      host,
      message: `The server at ${host} has no route ${ctx.path} (HTTP ${status})`,
      reason: 'selfHosted.noRoute',
      params: { host, path: ctx.path, status },
      hint: 'Check mineru.selfHosted.url: it must point at a MinerU 3.x server (mineru-api or mineru-router)',
      retryable: false,
    });
  }
  if (status === 400 || status === 422) {
    return new MinerUError({
      phase,
      code: `HTTP_${status}`,
      httpStatus: status,
      host,
      message: `The server refused the option ${field ?? '(unknown)'}: ${detail || `HTTP ${status}`}`,
      reason: 'selfHosted.invalidOption',
      params: { field: field ?? '(unknown)', detail: detail || `HTTP ${status}` },
      hint: 'Change this option in "with Options…" or the settings, then parse again',
      retryable: false,
    });
  }
  if (status === 413) {
    return new MinerUError({
      phase,
      code: 'HTTP_413',
      httpStatus: 413,
      host,
      message: `The server at ${host} refused the upload as too large (HTTP 413)`,
      reason: 'selfHosted.tooLarge',
      params: { host },
      hint: 'Raise the body size limit of the reverse proxy in front of the server (client_max_body_size for nginx)',
      retryable: false,
    });
  }
  if (status >= 300 && status < 400) {
    return new MinerUError({
      phase,
      code: `HTTP_${status}`,
      httpStatus: status,
      host,
      message: `The server at ${host} redirected to ${ctx.location ?? '(nowhere)'}; redirects are not followed`,
      reason: 'selfHosted.redirect',
      params: { host, location: ctx.location ?? '' },
      hint: 'Set mineru.selfHosted.url to the address the server redirects to',
      retryable: false,
    });
  }
  return new MinerUError({
    phase,
    code: `HTTP_${status}`,
    httpStatus: status,
    host,
    message: `The server at ${host} answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
    reason: 'selfHosted.http',
    params: { host, status, detail },
    hint: status >= 500 ? 'See the server log; Retry when it is fixed' : 'Check mineru.selfHosted.url',
    retryable: status >= 500,
  });
}

/** A failure below HTTP; a refused or unreachable server is named as such. */
export function transportError(
  error: unknown,
  phase: Phase,
  url: string,
  timedOut: { ms: number } | undefined,
  secrets: readonly (string | undefined)[],
): MinerUError {
  const failure = classifyNetworkFailure(error);
  if (!timedOut && failure.kind === 'connect') {
    const host = new URL(url).host;
    const code = failure.code ?? 'ECONNREFUSED';
    return new MinerUError({
      phase,
      code,
      host,
      message: `The MinerU server at ${host} could not be reached (${code})`,
      reason: 'selfHosted.unreachable',
      params: { host, code },
      hint: 'Check that mineru-api (or mineru-router) is running there and that mineru.selfHosted.url is right, then Retry',
      retryable: true,
    });
  }
  return networkError(error, phase, url, timedOut, secrets);
}
