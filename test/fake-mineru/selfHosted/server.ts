/**
 * A fake self-hosted MinerU server: `mineru-api` (or `mineru-router`) 3.x, or a 2.x server, on one
 * port. Behaviour follows opendatalab/MinerU 3.4.4 (mineru/cli/fast_api.py, api_request.py,
 * router.py, backend_options.py, output_paths.py) and mineru-2.7.6 for the 2.x mode; the table in
 * ../README.md checks it field by field.
 *
 *   const fake = await startFakeSelfHosted({ progress: 'manual', maxConcurrent: 1 });
 *   // fake.baseUrl = http://127.0.0.1:P   (GET /health, POST /tasks, GET /tasks/{id}[/result], POST /file_parse)
 *   await fake.close();
 *
 * Files: engine.ts (the task manager), form.ts (the form and the uploads), results.ts (parse
 * directories, nested zip, JSON results), routes.ts (the routes), wire.ts (JSON, gzip, the proxy in
 * front), multipart.ts (reading bodies), types.ts (the public types).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import type { SelfHostedContext, SelfHostedTask } from './engine';
import { advanceAll, cleanupExpired, createSelfHostedContext, forgetAll, queuedAhead } from './engine';
import { BodyTooLarge, parseForm, readBody } from './multipart';
import { fileParse, health, legacyFileParse, openApi, submitTask, taskResult, taskStatus } from './routes';
import type { FakeSelfHosted, FakeSelfHostedOptions, SelfHostedRequest, SelfHostedTaskView } from './types';
import type { Exchange } from './wire';
import { applyFrontFaults, checkProxyAuth, sendDetail, tooLarge } from './wire';

export type {
  FakeSelfHosted,
  FakeSelfHostedOptions,
  RecordedUpload,
  SelfHostedAuth,
  SelfHostedFaults,
  SelfHostedRequest,
  SelfHostedStatus,
  SelfHostedTaskView,
} from './types';

type Route = { method: string; run: (x: Exchange, param: string) => Promise<void> | void; form?: boolean };

function routesOf(ctx: SelfHostedContext): { pattern: RegExp; methods: Route[] }[] {
  const post = (run: Route['run']): Route => ({ method: 'POST', run, form: true });
  const get = (run: Route['run']): Route => ({ method: 'GET', run });
  const table: { pattern: RegExp; methods: Route[] }[] = [
    { pattern: /^\/openapi\.json$/, methods: [get(openApi)] },
    {
      pattern: /^\/file_parse$/,
      methods: [post((x) => (ctx.legacy ? legacyFileParse(x, formOf(x)) : fileParse(x, formOf(x))))],
    },
  ];
  if (ctx.legacy) return table;
  return table.concat([
    { pattern: /^\/health$/, methods: [get(health)] },
    { pattern: /^\/tasks$/, methods: [post((x) => submitTask(x, formOf(x)))] },
    { pattern: /^\/tasks\/([^/]+)$/, methods: [get((x, id) => taskStatus(x, id))] },
    { pattern: /^\/tasks\/([^/]+)\/result$/, methods: [get((x, id) => taskResult(x, id))] },
  ]);
}

const forms = new WeakMap<Exchange, ReturnType<typeof parseForm>>();
function formOf(x: Exchange): ReturnType<typeof parseForm> {
  const f = forms.get(x);
  if (!f) throw new Error('form not read');
  return f;
}

function record(ctx: SelfHostedContext, req: http.IncomingMessage, url: URL): SelfHostedRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const rec: SelfHostedRequest = {
    time: Date.now(),
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    fields: {},
    files: [],
    bodyBytes: 0,
  };
  ctx.requests.push(rec);
  return rec;
}

async function drain(req: http.IncomingMessage, rec: SelfHostedRequest): Promise<void> {
  for await (const chunk of req) rec.bodyBytes += (chunk as Buffer).length;
}

async function onRequest(
  ctx: SelfHostedContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const rec = record(ctx, req, url);
  const x: Exchange = { ctx, req, res, rec, path: url.pathname };
  if (await applyFrontFaults(x, () => drain(req, rec))) return;
  if (!checkProxyAuth(x)) return void (await drain(req, rec));
  const table = routesOf(ctx);
  const match = (p: string): { methods: Route[]; param: string } | undefined => {
    for (const r of table) {
      const m = r.pattern.exec(p);
      if (m) return { methods: r.methods, param: decodeURIComponent(m[1] ?? '') };
    }
    return undefined;
  };
  const found = match(url.pathname);
  if (!found) {
    await drain(req, rec);
    // Starlette's redirect_slashes: `/tasks/x/` → 307 to `/tasks/x`.
    if (url.pathname.length > 1 && url.pathname.endsWith('/') && match(url.pathname.slice(0, -1))) {
      rec.status = 307;
      res.writeHead(307, { location: `${url.pathname.slice(0, -1)}${url.search}`, 'content-length': 0 });
      return void res.end();
    }
    return sendDetail(x, 404, 'Not Found');
  }
  const route = found.methods.find((m) => m.method === req.method);
  if (!route) {
    await drain(req, rec);
    res.setHeader('allow', found.methods.map((m) => m.method).join(', '));
    return sendDetail(x, 405, 'Method Not Allowed');
  }
  if (route.form) {
    let body: Buffer;
    try {
      body = await readBody(req, ctx.options.maxBodyBytes ?? 512 * 1024 * 1024);
    } catch (e) {
      if (e instanceof BodyTooLarge) return tooLarge(x);
      throw e;
    }
    const form = parseForm(req.headers['content-type'], body);
    rec.bodyBytes = body.length;
    for (const [k, v] of form.fields) rec.fields[k] = v;
    rec.files = form.files.map((f) => ({
      field: f.field,
      fileName: f.fileName,
      contentType: f.contentType,
      size: f.data.length,
    }));
    if (form.malformed) return sendDetail(x, 400, 'There was an error parsing the body');
    forms.set(x, form);
  } else {
    await drain(req, rec);
  }
  await route.run(x, found.param);
}

function view(ctx: SelfHostedContext, t: SelfHostedTask): SelfHostedTaskView {
  const o = t.options;
  return {
    taskId: t.id,
    status: t.status,
    backend: o.backend,
    fileNames: t.docs.map((d) => d.stem),
    uploadNames: t.docs.map((d) => d.uploadName),
    effort: o.effort,
    parseMethod: o.parseMethod,
    langList: [...o.langList],
    formulaEnable: o.formulaEnable,
    tableEnable: o.tableEnable,
    imageAnalysis: o.imageAnalysis,
    serverUrl: o.serverUrl,
    startPageId: o.startPageId,
    endPageId: o.endPageId,
    returnFlags: {
      return_md: o.returnMd,
      return_middle_json: o.returnMiddleJson,
      return_model_output: o.returnModelOutput,
      return_content_list: o.returnContentList,
      return_images: o.returnImages,
      return_original_file: o.returnOriginalFile,
      client_side_output_generation: o.clientSideOutputGeneration,
    },
    responseFormatZip: o.responseFormatZip,
    pages: t.docs.reduce((n, d) => n + d.pages, 0),
    error: t.error,
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    completedAt: t.completedAt,
    queuedAhead: queuedAhead(ctx, t),
    polls: t.polls,
    sync: t.sync,
  };
}

export async function startFakeSelfHosted(options: FakeSelfHostedOptions = {}): Promise<FakeSelfHosted> {
  const ctx = createSelfHostedContext(options);
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    onRequest(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
      } else res.destroy();
      void e;
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s: Socket) => {
    ctx.sockets.add(s);
    s.on('close', () => ctx.sockets.delete(s));
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let listening = true;

  const timers: NodeJS.Timeout[] = [];
  if (ctx.progressMode === 'timed') timers.push(setInterval(() => advanceAll(ctx), ctx.stepMs));
  if (ctx.retentionSeconds > 0)
    timers.push(setInterval(() => cleanupExpired(ctx), Math.max(1, ctx.cleanupIntervalSeconds * 1000)));
  for (const t of timers) t.unref();

  const stopListening = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of ctx.sockets) s.destroy();
    ctx.sockets.clear();
    await closed;
  };

  return {
    baseUrl: `http://${urlHost}:${port}`,
    version: ctx.version,
    requests: ctx.requests,
    faults: ctx.faults,
    tasks: () =>
      [...ctx.tasks.values()].sort((a, b) => a.submitOrder - b.submitOrder).map((t) => view(ctx, t)),
    advanceAll: () => advanceAll(ctx),
    cleanupExpired: () => cleanupExpired(ctx),
    restart: () => forgetAll(ctx),
    down: stopListening,
    async up(): Promise<void> {
      if (listening) return;
      server.listen(port, host);
      await once(server, 'listening');
      listening = true;
    },
    reset(): void {
      ctx.requests.length = 0;
      forgetAll(ctx);
      for (const key of Object.keys(ctx.faults)) delete (ctx.faults as Record<string, unknown>)[key];
    },
    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      forgetAll(ctx);
      await stopListening();
    },
  };
}
