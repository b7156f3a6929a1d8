// The API origin: authentication of /api/v4 (gateway-style 401s), the business-error fault, and
// dispatch to the route families (precise single task, batches, agent); also serves /cdn/... .
import type * as http from 'node:http';
import { handleAgent } from './agent';
import { batchRoute } from './batch';
import { handleCdnGet } from './cdn';
import type { FakeContext } from './context';
import { applyHttpFaults, takeFault } from './faults';
import { drain, parseUrl, readJsonBody, record, sendJson } from './http';
import { BusinessError, HttpError, traceId } from './model';
import { preciseRoute } from './precise';
import { businessEnvelope } from './views';

function authenticate(ctx: FakeContext, req: http.IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const token = m?.[1]?.trim() ?? '';
  const gateway = (msgCode: string): HttpError =>
    new HttpError(401, { success: false, msgCode, msg: 'user authenticate failed', traceId: traceId() });
  if (!token) throw gateway('A0202');
  if (ctx.expiredTokens.includes(token)) throw gateway('A0211');
  if (ctx.options.acceptAnyToken || ctx.tokens.includes(token)) return token;
  throw gateway('A0202');
}

/** The answer, or its promise (URL submissions read a loopback URL's PDF first). */
function handleApi(
  ctx: FakeContext,
  method: string,
  path: string,
  req: http.IncomingMessage,
  body: unknown,
): unknown {
  // Agent API: no token.
  if (path.startsWith('/api/v1/agent/')) return handleAgent(ctx, method, path, body);
  if (!path.startsWith('/api/v4/'))
    throw new HttpError(404, { code: 404, msg: 'not found', trace_id: traceId() });

  const owner = authenticate(ctx, req);
  const route = path.slice('/api/v4'.length);
  const bizFault = takeFault(ctx.faults.businessErrorNext, path);
  if (bizFault) {
    return businessEnvelope(ctx, bizFault.code, bizFault.msg ?? 'service error, please try again later');
  }
  const answer = preciseRoute(ctx, method, route, owner, body) ?? batchRoute(ctx, method, route, owner, body);
  if (answer !== undefined) return answer;
  throw new HttpError(404, { code: 404, msg: 'not found', trace_id: traceId() });
}

export async function onApiRequest(
  ctx: FakeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = parseUrl(req);
  const path = url.pathname;
  const rec = record(ctx.requests, 'api', req, url);
  const method = req.method ?? 'GET';
  if (await applyHttpFaults(ctx.faults, req, res, rec, path)) return;
  const drop = takeFault(ctx.faults.dropNext, path);
  if (path.startsWith('/cdn/') && (method === 'GET' || method === 'HEAD')) {
    await drain(req, rec);
    const query = Object.fromEntries(url.searchParams);
    return handleCdnGet(ctx, req, res, path, query, drop, 'api');
  }
  try {
    const body =
      method === 'GET' || method === 'HEAD'
        ? (await drain(req, rec), undefined)
        : await readJsonBody(req, rec);
    sendJson(res, 200, await handleApi(ctx, method, path, req, body), drop);
  } catch (e) {
    if (e instanceof HttpError) sendJson(res, e.status, e.body, drop);
    else if (e instanceof BusinessError) sendJson(res, 200, businessEnvelope(ctx, e.code, e.msg), drop);
    else
      sendJson(res, 500, {
        code: -10001,
        msg: 'service error, please try again later',
        trace_id: traceId(),
      });
  }
}
