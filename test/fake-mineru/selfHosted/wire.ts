// What the self-hosted fake puts on the wire: uvicorn/FastAPI-style JSON, the server's
// GZipMiddleware(minimum_size=1000), the URLs it builds from the request (url_for), and what a
// reverse proxy in front of it answers (credential check, injected HTTP faults).
import type * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { errorPage } from '../http';
import { takeFault } from '../faults';
import type { DropFault } from '../types';
import type { SelfHostedContext } from './engine';
import type { SelfHostedRequest } from './types';

export interface Exchange {
  ctx: SelfHostedContext;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  rec: SelfHostedRequest;
  path: string;
}

/** request.url_for(): the scheme (X-Forwarded-Proto, trusted from loopback by uvicorn) and Host. */
export function origin(req: http.IncomingMessage): string {
  const proto =
    String(req.headers['x-forwarded-proto'] ?? 'http')
      .split(',')[0]
      ?.trim() || 'http';
  return `${proto}://${req.headers.host ?? '127.0.0.1'}`;
}

export function send(
  x: Exchange,
  status: number,
  contentType: string,
  body: Buffer,
  headers: Record<string, string> = {},
): void {
  const { req, res, rec, ctx } = x;
  rec.status = status;
  const out: Record<string, string | number> = { server: 'uvicorn', 'content-type': contentType, ...headers };
  let payload = body;
  const accepts = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
  if (ctx.options.gzip !== false && accepts && body.length >= 1000) {
    payload = gzipSync(body);
    out['content-encoding'] = 'gzip';
    out.vary = 'Accept-Encoding';
  }
  out['content-length'] = payload.length;
  const drop: DropFault | undefined = takeFault(ctx.faults.dropNext, x.path);
  res.writeHead(status, out);
  if (drop) {
    res.write(
      payload.subarray(0, Math.min(payload.length, drop.afterBytes ?? Math.floor(payload.length / 2))),
    );
    setTimeout(() => res.socket?.destroy(), 20).unref();
    return;
  }
  res.end(req.method === 'HEAD' ? undefined : payload);
}

/** JSONResponse: compact JSON, `application/json`. */
export function sendJson(
  x: Exchange,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(x, status, 'application/json', Buffer.from(JSON.stringify(body), 'utf8'), headers);
}

/** HTTPException(status, detail) → {"detail": ...}. */
export function sendDetail(x: Exchange, status: number, detail: string): void {
  sendJson(x, status, { detail });
}

function nginx(x: Exchange, status: number, headers: Record<string, string> = {}): void {
  x.rec.status = status;
  const body = Buffer.from(errorPage(status), 'utf8');
  x.res.writeHead(status, {
    server: 'nginx',
    'content-type': 'text/html',
    'content-length': body.length,
    ...headers,
  });
  x.res.end(body);
}

/** 2.x limit_concurrency(): the value of MINERU_API_MAX_CONCURRENT_REQUESTS in the text. */
export function capacityDetail(maxConcurrent: number): string {
  return `Server is at maximum capacity: ${maxConcurrent}. Please try again later.`;
}

/** The reverse proxy's credential check: 401 + WWW-Authenticate when absent or wrong, 403 when refused. */
export function checkProxyAuth(x: Exchange): boolean {
  const auth = x.ctx.options.auth;
  if (!auth) return true;
  const header = String(x.req.headers.authorization ?? '');
  const realm = auth.realm ?? 'MinerU';
  const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  const basic = /^Basic\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (bearer !== undefined && auth.forbidden?.includes(bearer)) {
    nginx(x, 403);
    return false;
  }
  if (bearer !== undefined && auth.bearer?.includes(bearer)) return true;
  if (basic !== undefined && auth.basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = decoded.slice(0, i);
    const password = decoded.slice(i + 1);
    if (i >= 0 && auth.basic.some((c) => c.user === user && c.password === password)) return true;
  }
  const scheme = auth.basic && !auth.bearer ? 'Basic' : 'Bearer';
  nginx(x, 401, { 'www-authenticate': `${scheme} realm="${realm}"` });
  return false;
}

/** Faults of "something in front": hang, or an injected HTTP error. True when handled. */
export async function applyFrontFaults(x: Exchange, drain: () => Promise<void>): Promise<boolean> {
  if (takeFault(x.ctx.faults.hangNext, x.path)) {
    await drain();
    return true;
  }
  if (takeFault(x.ctx.faults.busyNext, x.path)) {
    await drain();
    sendDetail(x, 503, capacityDetail(x.ctx.maxConcurrent));
    return true;
  }
  const fail = takeFault(x.ctx.faults.failNext, x.path);
  if (!fail) return false;
  await drain();
  const text = fail.body ?? errorPage(fail.status);
  const headers: Record<string, string> = { ...(fail.headers ?? {}) };
  if (fail.retryAfter !== undefined) headers['retry-after'] = String(fail.retryAfter);
  x.rec.status = fail.status;
  const body = Buffer.from(text, 'utf8');
  x.res.writeHead(fail.status, {
    'content-type': fail.contentType ?? (/^\s*[[{]/.test(text) ? 'application/json' : 'text/html'),
    'content-length': body.length,
    ...headers,
  });
  x.res.end(body);
  return true;
}

export function tooLarge(x: Exchange): void {
  nginx(x, 413, { connection: 'close' });
}
