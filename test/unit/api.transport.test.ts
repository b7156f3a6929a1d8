/**
 * Transport semantics of MinerUClient against tiny scripted HTTP servers on 127.0.0.1: envelopes,
 * malformed bodies, retries and where they must not happen, redirects, timeouts and cancellation.
 * (The wire contract against the fake MinerU service lives in api.client.test.ts.)
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MinerUClient, type MinerUClientOptions } from '../../src/core/api/client';
import { MinerUError } from '../../src/core/errors';
import { isAbortError, type Clock, type TimerHandle } from '../../src/core/util/clock';
import type { Logger } from '../../src/core/util/logger';

const TOKEN = 'sk-secret-token-1234567890';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: http.ServerResponse) => void;

interface Scripted {
  origin: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A server that answers request n with handlers[n] (the last one repeats). */
async function scripted(...handlers: Handler[]): Promise<Scripted> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)];
      handler?.(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}
const ok = (data: unknown): Handler => json(200, { code: 0, msg: 'ok', trace_id: 'trace-ok', data });
const hang: Handler = () => undefined;

/** A clock whose sleeps end at once; records every requested delay. */
function instantClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    setTimeout: (callback, ms): TimerHandle => {
      sleeps.push(ms);
      return setTimeout(callback, 0);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return {
    lines,
    trace: push('trace'),
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  };
}

function makeClient(origin: string, extra: Partial<MinerUClientOptions> = {}) {
  const clock = instantClock();
  const logger = capturingLogger();
  const client = new MinerUClient({
    baseUrl: `${origin}/api/v4`,
    agentBaseUrl: `${origin}/api/v1/agent`,
    getToken: () => Promise.resolve(TOKEN),
    clock,
    logger,
    random: () => 0.5,
    timeoutMs: 2000,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    ...extra,
  });
  return { client, clock, logger };
}

async function rejection(promise: Promise<unknown>): Promise<MinerUError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MinerUError, `expected MinerUError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

function assertNoToken(error: MinerUError, logger: { lines: string[] }): void {
  const text = [error.message, error.hint, JSON.stringify(error), String(error.stack), ...logger.lines].join(
    '\n',
  );
  assert.ok(!text.includes(TOKEN), 'the token leaked into an error or log line');
}

describe('api transport', () => {
  let servers: Scripted[] = [];
  const serve = async (...handlers: Handler[]): Promise<Scripted> => {
    const s = await scripted(...handlers);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  describe('envelopes', () => {
    it('accepts code as a string "0"', async () => {
      const s = await serve(json(200, { code: '0', msg: 'ok', trace_id: 't1', data: { task_id: 'abc' } }));
      const { client } = makeClient(s.origin);
      const { taskId, traceId } = await client.submitTask({ url: 'https://x.test/a.pdf' }, {});
      assert.equal(taskId, 'abc');
      assert.equal(traceId, 't1');
    });

    it('maps a business error sent with code as a string', async () => {
      const s = await serve(json(200, { code: '-60012', msg: 'task not found or expire', trace_id: 't2' }));
      const { client } = makeClient(s.origin);
      const error = await rejection(client.getTask('nope'));
      assert.equal(error.code, '-60012');
      assert.equal(error.traceId, 't2');
      assert.equal(error.phase, 'poll');
      assert.match(error.message, /not found/);
    });

    for (const status of [401, 200, 403]) {
      it(`recognises the gateway envelope on HTTP ${status} and never leaks the token`, async () => {
        const s = await serve(
          json(status, {
            success: false,
            msgCode: 'A0202',
            msg: 'user authenticate failed',
            traceId: 'gw-1',
          }),
        );
        const { client, logger } = makeClient(s.origin);
        const error = await rejection(client.submitTask({ url: 'https://x.test/a.pdf' }, {}));
        assert.equal(error.code, 'A0202');
        assert.equal(error.httpStatus, status);
        assert.equal(error.traceId, 'gw-1');
        assert.equal(error.host, new URL(s.origin).host);
        assert.equal(error.retryable, false);
        assert.match(error.hint ?? '', /new API token/);
        assert.match(error.message, /user authenticate failed/);
        assert.equal(s.seen.length, 1, 'an auth failure is not retried');
        assertNoToken(error, logger);
      });
    }

    it('[R-NET-7] names the host when an HTML page arrives with HTTP 200', async () => {
      const s = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>');
      });
      const { client } = makeClient(s.origin);
      const error = await rejection(client.getBatch('b1'));
      const host = new URL(s.origin).host;
      assert.equal(error.host, host);
      assert.ok(error.message.includes(`server at ${host} returned an HTML page, not JSON`), error.message);
      assert.match(error.message, /proxy or captive portal/);
    });

    it('[R-NET-7] reports malformed JSON clearly', async () => {
      const s = await serve(json(200, '{"code":0,"data":{"task_id":'));
      const { client } = makeClient(s.origin);
      const error = await rejection(client.getTask('t'));
      assert.equal(error.code, 'NOT_JSON');
      assert.match(error.message, /not valid JSON/);
    });

    it('rejects a success envelope whose data lacks the id', async () => {
      const s = await serve(ok({ batch: 'x' }));
      const { client } = makeClient(s.origin);
      const error = await rejection(client.submitBatch([{ url: 'https://x.test/a.pdf' }], {}));
      assert.equal(error.code, 'BAD_RESPONSE');
      assert.equal(error.traceId, 'trace-ok');
      assert.match(error.message, /batch_id/);
    });
  });

  describe('retries', () => {
    it('[R-NET-5] retries a 5xx storm on a GET, then succeeds', async () => {
      const bad = json(502, '<html>Bad gateway</html>');
      const s = await serve(bad, bad, bad, ok({ task_id: 't', state: 'pending' }));
      const { client, clock } = makeClient(s.origin);
      const status = await client.getTask('t');
      assert.equal(status.state, 'pending');
      assert.equal(s.seen.length, 4);
      assert.equal(clock.sleeps.length, 3);
      // Exponential: each wait at least half its ceiling (100, 200, 400 ms).
      assert.ok(
        clock.sleeps[0]! >= 50 && clock.sleeps[1]! >= 100 && clock.sleeps[2]! >= 200,
        String(clock.sleeps),
      );
    });

    it('gives up after maxAttempts with a retryable error', async () => {
      const s = await serve(json(500, { error: 'boom' }));
      const { client } = makeClient(s.origin);
      const error = await rejection(client.getTask('t'));
      assert.equal(s.seen.length, 4);
      assert.equal(error.httpStatus, 500);
      assert.equal(error.retryable, true);
    });

    it('[R-NET-6] honours Retry-After on 429', async () => {
      const s = await serve(json(429, { msg: 'slow down' }, { 'Retry-After': '3' }), ok({ task_id: 't9' }));
      const { client, clock } = makeClient(s.origin);
      const { taskId } = await client.submitTask({ url: 'https://x.test/a.pdf' }, {});
      assert.equal(taskId, 't9');
      assert.equal(s.seen.length, 2, 'a 429 on a submit is retried: nothing was processed');
      assert.ok(clock.sleeps[0]! >= 3000, `slept ${clock.sleeps[0]} ms`);
    });

    it('[R-NET-6] does not wait for an unreasonable Retry-After', async () => {
      const s = await serve(json(429, { msg: 'slow down' }, { 'Retry-After': '3600' }));
      const { client } = makeClient(s.origin);
      const error = await rejection(client.getTask('t'));
      assert.equal(s.seen.length, 1);
      assert.equal(error.retryable, true);
      assert.match(error.message, /wait 3600 s/);
    });

    for (const code of ['-10001', '-60007', '-60009']) {
      it(`retries business code ${code}, also on a submit`, async () => {
        const s = await serve(
          json(200, { code: Number(code), msg: 'busy', trace_id: 'x' }),
          ok({ batch_id: 'b' }),
        );
        const { client } = makeClient(s.origin);
        const { batchId } = await client.submitBatch([{ url: 'https://x.test/a.pdf' }], {});
        assert.equal(batchId, 'b');
        assert.equal(s.seen.length, 2);
      });
    }

    const noRetry: [string, Handler][] = [
      ['HTTP 400', json(400, { error: 'bad' })],
      [
        'A0202',
        json(401, { success: false, msgCode: 'A0202', msg: 'user authenticate failed', traceId: 'x' }),
      ],
      ['-60005', json(200, { code: -60005, msg: 'file size exceeds limit', trace_id: 'x' })],
      ['-10002', json(200, { code: -10002, msg: 'param error', trace_id: 'x' })],
      ['HTTP 404', json(404, { error: 'nope' })],
    ];
    for (const [name, handler] of noRetry) {
      it(`does not retry ${name}`, async () => {
        const s = await serve(handler, ok({ task_id: 'never' }));
        const { client } = makeClient(s.origin);
        await rejection(client.getTask('t'));
        assert.equal(s.seen.length, 1);
      });
    }

    it('does not retry a submit after a 502 (the task may exist) but says it is retryable', async () => {
      const s = await serve(json(502, 'bad gateway'), ok({ task_id: 'dup' }));
      const { client } = makeClient(s.origin);
      const error = await rejection(client.submitTask({ url: 'https://x.test/a.pdf' }, {}));
      assert.equal(s.seen.length, 1);
      assert.equal(error.retryable, true);
      assert.equal(error.phase, 'submit');
    });

    it('retries a submit on 503 and a file-urls request on 502', async () => {
      const s = await serve(
        json(503, 'unavailable'),
        ok({ task_id: 't' }),
        json(502, 'bad gateway'),
        ok({ batch_id: 'b', file_urls: ['https://oss.test/u?Signature=x'] }),
      );
      const { client } = makeClient(s.origin);
      await client.submitTask({ url: 'https://x.test/a.pdf' }, {});
      const urls = await client.requestUploadUrls([{ name: 'a.pdf' }], {});
      assert.deepEqual(urls.fileUrls, ['https://oss.test/u?Signature=x']);
      assert.equal(s.seen.length, 4);
    });

    it('retries a submit when the connection is refused', async () => {
      const s = await serve(ok({}));
      const origin = s.origin;
      await s.close();
      servers = [];
      const { client, clock } = makeClient(origin);
      const error = await rejection(client.submitTask({ url: 'https://x.test/a.pdf' }, {}));
      assert.equal(error.code, 'ECONNREFUSED');
      assert.equal(clock.sleeps.length, 3, 'three waits between four attempts');
    });

    it('does not retry a submit after a reset connection, but retries a GET', async () => {
      // Destroy the socket as soon as a request arrives.
      const server2 = http.createServer((req) => req.socket.destroy());
      await new Promise<void>((r) => server2.listen(0, '127.0.0.1', r));
      const origin = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
      let count = 0;
      server2.on('request', () => count++);
      try {
        const { client } = makeClient(origin);
        const submitError = await rejection(client.submitTask({ url: 'https://x.test/a.pdf' }, {}));
        assert.equal(count, 1);
        assert.equal(submitError.retryable, true);
        await rejection(client.getTask('t'));
        assert.equal(count, 5);
      } finally {
        server2.closeAllConnections();
        await new Promise<void>((r) => server2.close(() => r()));
      }
    });
  });

  describe('authorization and redirects', () => {
    it('[R-NET-9] does not follow a redirect to another origin, so the token cannot travel', async () => {
      const other = await serve(ok({ task_id: 'stolen', state: 'done', full_zip_url: 'https://x/z.zip' }));
      const s = await serve((_req, res) => {
        res.writeHead(302, { Location: `${other.origin}/steal?x=1` });
        res.end();
      });
      const { client, logger } = makeClient(s.origin);
      const error = await rejection(client.getTask('t'));
      assert.equal(other.seen.length, 0, 'the redirect target was contacted');
      assert.equal(error.httpStatus, 302);
      assert.match(error.message, /redirected/);
      assertNoToken(error, logger);
    });

    it('[R-SEC-2] sends Bearer only to the API base and the batch base, never to the agent API', async () => {
      const api = await serve(ok({ task_id: 't', state: 'pending' }));
      const batch = await serve(ok({ batch_id: 'b', extract_result: [] }));
      const { client } = makeClient(api.origin, { batchBaseUrl: `${batch.origin}/api/v1` });
      await client.getTask('t');
      await client.getBatch('b');
      await client.agentGetTask('a');
      assert.equal(api.seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(api.seen[1]!.headers.authorization, undefined, 'agent request carried Authorization');
      assert.equal(api.seen[1]!.url, '/api/v1/agent/parse/a');
      assert.equal(batch.seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(batch.seen[0]!.url, '/api/v1/extract-results/batch/b');
    });

    it('[R-SEC-4] refuses to send the token over plain HTTP to a remote host without consent', async () => {
      const client = new MinerUClient({
        baseUrl: 'http://8.148.69.123:8088/api/v1',
        getToken: () => Promise.resolve(TOKEN),
      });
      const error = await rejection(client.getBatch('b'));
      assert.equal(error.code, 'INSECURE_HTTP');
    });

    it('fails clearly without a token and sends nothing', async () => {
      const s = await serve(ok({ task_id: 't' }));
      const { client } = makeClient(s.origin, { getToken: () => Promise.resolve(undefined) });
      const error = await rejection(client.submitTask({ url: 'https://x.test/a.pdf' }, {}));
      assert.equal(error.code, 'NO_TOKEN');
      assert.equal(s.seen.length, 0);
    });

    it('reads the token again for every request', async () => {
      const s = await serve(ok({ task_id: 't', state: 'pending' }));
      let token = 'first-token';
      const { client } = makeClient(s.origin, { getToken: () => Promise.resolve(token) });
      await client.getTask('t');
      token = 'second-token';
      await client.getTask('t');
      assert.deepEqual(
        s.seen.map((r) => r.headers.authorization),
        ['Bearer first-token', 'Bearer second-token'],
      );
    });
  });

  describe('timeouts and cancellation', () => {
    it('[R-NET-4] fails a hung request within the configured timeout', async () => {
      const s = await serve(hang);
      const { client } = makeClient(s.origin, {
        timeoutMs: 200,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      const started = Date.now();
      const error = await rejection(client.getTask('t'));
      const elapsed = Date.now() - started;
      assert.equal(error.code, 'ETIMEDOUT');
      assert.equal(error.retryable, true);
      assert.ok(elapsed >= 180 && elapsed < 1500, `took ${elapsed} ms`);
    });

    it('[R-NET-4] does not retry a timed-out submit (the task may exist)', async () => {
      const s = await serve(hang);
      const { client } = makeClient(s.origin, { timeoutMs: 150 });
      await rejection(client.submitTask({ url: 'https://x.test/a.pdf' }, {}));
      assert.equal(s.seen.length, 1);
    });

    it('reports an abort as an abort, not as a MinerUError', async () => {
      const s = await serve(hang);
      const { client } = makeClient(s.origin, { timeoutMs: 5000 });
      const controller = new AbortController();
      const pending = client.getTask('t', controller.signal);
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(pending, (error: unknown) => {
        assert.ok(!(error instanceof MinerUError), 'an abort was wrapped as a failure');
        assert.ok(isAbortError(error), `not an abort error: ${String(error)}`);
        return true;
      });
      assert.equal(s.seen.length, 1, 'an aborted request is not retried');
    });

    it('rejects at once when the signal is already aborted', async () => {
      const s = await serve(ok({ task_id: 't', state: 'pending' }));
      const { client } = makeClient(s.origin);
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(client.getTask('t', controller.signal), (error: unknown) => isAbortError(error));
      assert.equal(s.seen.length, 0);
    });
  });

  describe('logging', () => {
    it('[R-SEC-1] logs method, URL without query, status, code, trace id and duration; never the token', async () => {
      const s = await serve(
        ok({ task_id: 't', state: 'pending' }),
        json(200, { code: -60012, msg: `task not found ${TOKEN}`, trace_id: 'tr-9' }),
      );
      const { client, logger } = makeClient(s.origin);
      await client.getTask('t');
      const error = await rejection(client.getTask('u'));
      const log = logger.lines.join('\n');
      assert.match(
        log,
        /GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/extract\/task\/t 200 code=0 trace=trace-ok \d+ ms/,
      );
      assert.match(log, /GET .*\/extract\/task\/u 200 code=-60012 trace=tr-9/);
      assertNoToken(error, logger);
    });
  });
});
