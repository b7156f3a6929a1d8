/**
 * The fake MinerU service used by every test, the benchmark and the `npm start` sandbox.
 *
 * Two HTTP servers on two ports (= two origins, like mineru.net and its OSS/CDN):
 *  - api: `/api/v4/...` (token) and `/api/v1/agent/...` (no token);
 *  - cdn: presigned upload PUTs (`/upload/<key>`), result zips (`/cdn/<date>/<uuid>.zip`) and agent
 *    Markdown (`/cdn/md/<id>.md`).
 * Behaviour follows ../../../shared/guides/mineru-api.md (§8 is the checklist). Documents are steered
 * by keywords in their URL or name (see keywords() in faults.ts) and failures are injected through
 * `fake.faults`.
 *
 * This file starts the two servers and hands out the fake; the route families live next to it:
 * precise.ts (one task), batch.ts (batches and upload URLs), agent.ts (agent API), upload.ts (the
 * PUTs), cdn.ts (result zips and Markdown), api.ts (auth and dispatch), faults.ts (keywords and
 * faults), progress.ts (the state machine), views.ts (what the wire shows), callbacks.ts, submit.ts
 * (task creation), http.ts (plumbing), context.ts (the state), model.ts and types.ts.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { onApiRequest } from './api';
import { handleCdnGet } from './cdn';
import type { FakeContext } from './context';
import { createContext } from './context';
import { applyHttpFaults, takeFault } from './faults';
import { drain, parseUrl, record, sendXml } from './http';
import { DEFAULT_LIMITS, FAKE_UID } from './model';
import { advanceAll, startTicker } from './progress';
import type { FakeLimits, FakeMinerU, FakeMinerUOptions } from './types';
import { handleUpload } from './upload';
import { view } from './views';

export type {
  BusinessErrorFault,
  CallbackAttempt,
  DropFault,
  FailFault,
  FakeFaultControls,
  FakeFaults,
  FakeLimits,
  FakeMinerU,
  FakeMinerUOptions,
  FakeState,
  FakeTaskKind,
  FakeTaskView,
  RecordedRequest,
  RouteFault,
  TaskFailureFault,
  TaskFailureOptions,
  TaskNameMatch,
} from './types';
export { ERR_MSG, FAKE_UID, fileNameFromUrl } from './model';

async function onCdnRequest(
  ctx: FakeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = parseUrl(req);
  const path = url.pathname;
  const rec = record(ctx.requests, 'cdn', req, url);
  const method = req.method ?? 'GET';
  const query = Object.fromEntries(url.searchParams);
  if (await applyHttpFaults(ctx.faults, req, res, rec, path)) return;
  const drop = takeFault(ctx.faults.dropNext, path);
  const up = /^\/upload\/([^/]+)$/.exec(path);
  if (up?.[1] && method === 'PUT') {
    if (drop) {
      await drain(req, rec);
      res.socket?.destroy();
      return;
    }
    return handleUpload(ctx, req, res, rec, decodeURIComponent(up[1]), query);
  }
  await drain(req, rec);
  if (method === 'GET' || method === 'HEAD') return handleCdnGet(ctx, req, res, path, query, drop, 'cdn');
  sendXml(
    res,
    405,
    'MethodNotAllowed',
    'The specified method is not allowed against this resource.',
    req.headers.host ?? '',
  );
}

function makeServer(
  ctx: FakeContext,
  handler: (ctx: FakeContext, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
): http.Server {
  const server = http.createServer((req, res) => {
    handler(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: Socket) => {
    ctx.sockets.add(socket);
    socket.on('close', () => ctx.sockets.delete(socket));
  });
  return server;
}

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export async function startFakeMinerU(options: FakeMinerUOptions = {}): Promise<FakeMinerU> {
  const ctx = createContext(options);
  const ticker = startTicker(ctx);
  const apiServer = makeServer(ctx, onApiRequest);
  const cdnServer = makeServer(ctx, onCdnRequest);
  const apiPort = await listen(apiServer, options.apiPort ?? 0, ctx.host);
  const cdnPort = await listen(cdnServer, options.cdnPort ?? 0, ctx.host);
  const urlHost = ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host;
  const apiOrigin = `http://${urlHost}:${apiPort}`;
  const cdnOrigin = `http://${urlHost}:${cdnPort}`;
  ctx.apiOrigin = apiOrigin;
  ctx.cdnOrigin = cdnOrigin;

  const { requests, callbacks, faults, timers, sockets } = ctx;
  const fake: FakeMinerU = {
    apiOrigin,
    apiBaseUrl: `${apiOrigin}/api/v4`,
    agentBaseUrl: `${apiOrigin}/api/v1/agent`,
    cdnOrigin,
    token: ctx.tokens[0] ?? 'test-token',
    uid: FAKE_UID,
    requests,
    callbacks,
    faults,
    get limits(): FakeLimits {
      return ctx.limits;
    },
    set limits(value: FakeLimits) {
      ctx.limits = { ...DEFAULT_LIMITS, ...value };
    },
    get readUrls(): boolean {
      return ctx.readUrls;
    },
    set readUrls(value: boolean) {
      ctx.readUrls = value;
    },
    tasks: () => [...ctx.tasks.values()].map((t) => view(ctx, t)),
    advanceAll: () => advanceAll(ctx),
    reset(): void {
      requests.length = 0;
      callbacks.length = 0;
      ctx.tasks.clear();
      ctx.batches.clear();
      ctx.zips.clear();
      ctx.uploads.clear();
      ctx.markdowns.clear();
      ctx.limits = { ...DEFAULT_LIMITS };
      ctx.readUrls = options.readUrls ?? false;
      for (const key of Object.keys(faults)) delete (faults as unknown as Record<string, unknown>)[key];
    },
    async close(): Promise<void> {
      if (ticker) clearInterval(ticker);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closing = [apiServer, cdnServer].map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      for (const s of sockets) s.destroy();
      sockets.clear();
      await Promise.all(closing);
    },
  };
  return fake;
}
