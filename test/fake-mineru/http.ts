// Request plumbing shared by both servers: recording, reading bodies, and writing JSON, OSS-style
// XML errors, nginx-style error pages, redirects and (optionally cut) bodies.
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { BusinessError, MAX_JSON_BODY } from './model';
import type { DropFault, RecordedRequest } from './types';

export function ossXml(code: string, message: string, host: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
    `  <Code>${code}</Code>\n  <Message>${message}</Message>\n` +
    `  <RequestId>${randomBytes(12).toString('hex').toUpperCase()}</RequestId>\n` +
    `  <HostId>${host}</HostId>\n</Error>\n`
  );
}

/** Waits until a response can take more data (or is gone), without leaking listeners. */
export function drainOrClose(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function errorPage(status: number): string {
  const text = http.STATUS_CODES[status] ?? 'Error';
  return (
    `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

export function sendXml(
  res: http.ServerResponse,
  status: number,
  codeName: string,
  message: string,
  hostHeader: string,
): void {
  const xml = ossXml(codeName, message, hostHeader);
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    'x-oss-request-id': randomBytes(12).toString('hex').toUpperCase(),
  });
  res.end(xml);
}

export function redirect(
  res: http.ServerResponse,
  target: string,
  path: string,
  query: Record<string, string>,
): void {
  let location = target;
  try {
    const u = new URL(target);
    if (u.pathname === '/' && u.search === '') {
      // The marker stops a redirect loop when the target is this CDN under another name.
      const q = new URLSearchParams(query);
      q.set('redirected', '1');
      const qs = q.toString();
      location = `${u.origin}${path}${qs ? `?${qs}` : ''}`;
    }
  } catch {
    // relative target: use as given
  }
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

export function sendBody(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
  head: boolean,
  drop: DropFault | undefined,
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': body.length, ...extraHeaders });
  if (head) {
    res.end();
    return;
  }
  if (drop) {
    const n = Math.min(body.length, drop.afterBytes ?? Math.floor(body.length / 2));
    res.write(body.subarray(0, n));
    setTimeout(() => res.socket?.destroy(), 20).unref();
    return;
  }
  res.end(body);
}

export async function readJsonBody(req: http.IncomingMessage, rec: RecordedRequest): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size <= MAX_JSON_BODY) chunks.push(b);
  }
  rec.bodyBytes = size;
  if (size === 0) return undefined;
  if (size > MAX_JSON_BODY) throw new BusinessError(-500, 'parameter error: request body too large');
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    rec.body = parsed;
    return parsed;
  } catch {
    rec.body = text;
    throw new BusinessError(-500, 'parameter error: the body is not valid JSON');
  }
}

export async function drain(req: http.IncomingMessage, rec: RecordedRequest): Promise<void> {
  let size = 0;
  for await (const chunk of req) size += (chunk as Buffer).length;
  rec.bodyBytes = size;
}

/** Records a request into `requests` (the fake's `requests`) and returns the record. */
export function record(
  requests: RecordedRequest[],
  server: 'api' | 'cdn',
  req: http.IncomingMessage,
  url: URL,
): RecordedRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const rec: RecordedRequest = {
    time: Date.now(),
    server,
    method: req.method ?? 'GET',
    path: url.pathname,
    query,
    headers,
    bodyBytes: 0,
  };
  requests.push(rec);
  return rec;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, drop?: DropFault): void {
  const buf = Buffer.from(JSON.stringify(body), 'utf8');
  sendBody(res, status, 'application/json; charset=utf-8', buf, false, drop);
}

export function parseUrl(req: http.IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://fake.invalid');
}
