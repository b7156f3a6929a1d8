/**
 * downloadToFile against real HTTP servers on 127.0.0.1:0 (the network, not a mock): streaming,
 * progress, size caps, dropped connections, expired links, redirects without credentials, timeouts
 * and cancellation.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import axios from 'axios';
import { MinerUError } from '../../src/core/errors';
import { downloadToFile, isLinkExpired, LINK_EXPIRED, MAX_REDIRECTS } from '../../src/core/results/download';
import { isAbortError } from '../../src/core/util/clock';

interface TestServer {
  origin: string;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

type Handler = (path: string, res: ServerResponse) => void;

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req.url ?? '/', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const BODY = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 31) % 256));

function routes(path: string, res: ServerResponse): void {
  const route = path.split('?')[0];
  switch (route) {
    case '/cdn/result.zip':
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': BODY.length });
      res.end(BODY);
      return;
    case '/chunked': {
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      let sent = 0;
      const step = (): void => {
        if (sent >= BODY.length) {
          res.end();
          return;
        }
        res.write(BODY.subarray(sent, sent + 32 * 1024));
        sent += 32 * 1024;
        setImmediate(step);
      };
      step();
      return;
    }
    case '/big-declared':
      res.writeHead(200, { 'Content-Length': 50 * 1024 * 1024 });
      res.write(BODY.subarray(0, 1024)); // then stall: the client must not wait for the rest
      return;
    case '/big-stream': {
      res.writeHead(200); // chunked, no Content-Length
      let sent = 0;
      const step = (): void => {
        if (sent > 4 * 1024 * 1024 || res.destroyed) {
          res.end();
          return;
        }
        res.write(BODY);
        sent += BODY.length;
        setImmediate(step);
      };
      step();
      return;
    }
    case '/drop':
      res.writeHead(200, { 'Content-Length': BODY.length });
      res.write(BODY.subarray(0, 100 * 1024), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    case '/drop-chunked':
      res.writeHead(200);
      res.write(BODY.subarray(0, 100 * 1024), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    case '/expired':
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return;
    case '/gone':
      res.writeHead(404);
      res.end();
      return;
    case '/busy':
      res.writeHead(503);
      res.end('busy');
      return;
    case '/gzipped': {
      const zipped = gzipSync(BODY);
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': zipped.length });
      res.end(zipped);
      return;
    }
    case '/loop':
      res.writeHead(302, { Location: '/loop' });
      res.end();
      return;
    case '/to-file':
      res.writeHead(301, { Location: 'file:///etc/passwd' });
      res.end();
      return;
    case '/no-location':
      res.writeHead(302);
      res.end();
      return;
    case '/stall-headers':
      return; // never answers
    case '/stall-body':
      res.writeHead(200, { 'Content-Length': BODY.length });
      res.write(BODY.subarray(0, 1024));
      return;
    default: {
      // /hop/N/<status>: N more redirects with that status, then the result.
      const hop = /^\/hop\/(\d+)\/(\d+)$/.exec(route ?? '');
      if (hop) {
        const left = Number(hop[1]);
        res.writeHead(left === 0 ? 307 : Number(hop[2]), {
          Location: left === 0 ? '/cdn/result.zip' : `/hop/${left - 1}/${hop[2]}`,
        });
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    }
  }
}

async function expectMinerUError(promise: Promise<unknown>, check: (e: MinerUError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MinerUError, `expected MinerUError, got ${String(error)}`);
    assert.equal(error.phase, 'download');
    check(error);
    return true;
  });
}

describe('results: downloadToFile', () => {
  let cdn: TestServer;
  let dir: string;
  let dest: string;
  before(async () => {
    cdn = await startServer(routes);
  });
  after(() => cdn.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mineru-download-'));
    dest = join(dir, 'sub', 'result.zip');
    cdn.requests.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The destination folder holds nothing (no partial, no temp file). */
  function assertNothingLeft(): void {
    assert.ok(!existsSync(dest), 'no destination file');
    const sub = join(dir, 'sub');
    assert.deepEqual(existsSync(sub) ? readdirSync(sub) : [], [], 'no temp/partial files');
  }

  it('streams the body to disk with progress, via a temp file renamed at the end', async () => {
    const progress: [number, number | undefined][] = [];
    const result = await downloadToFile(`${cdn.origin}/cdn/result.zip?sig=abc`, dest, {
      maxBytes: 10 * 1024 * 1024,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.equal(result.bytes, BODY.length);
    assert.ok(readFileSync(dest).equals(BODY));
    assert.deepEqual(progress[0], [0, BODY.length]);
    assert.deepEqual(progress[progress.length - 1], [BODY.length, BODY.length]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] >= progress[i - 1]![0]);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['result.zip']);
  });

  it('works without Content-Length (chunked), total unknown', async () => {
    let lastTotal: number | undefined = -1;
    const result = await downloadToFile(`${cdn.origin}/chunked`, dest, {
      maxBytes: 10 * 1024 * 1024,
      onProgress: (_d, total) => (lastTotal = total),
    });
    assert.equal(result.bytes, BODY.length);
    assert.ok(readFileSync(dest).equals(BODY));
    assert.equal(lastTotal, undefined);
  });

  it('refuses a body whose Content-Length exceeds maxBytes up front', async () => {
    const t0 = Date.now();
    await expectMinerUError(
      downloadToFile(`${cdn.origin}/big-declared`, dest, { maxBytes: 1024 * 1024 }),
      (e) => {
        assert.equal(e.code, 'DOWNLOAD_TOO_LARGE');
        assert.equal(e.retryable, false);
        assert.match(e.message, /1048576-byte limit \(52428800 bytes\)/);
      },
    );
    assert.ok(Date.now() - t0 < 2000);
    assertNothingLeft();
  });

  it('[R-ZIP-4] aborts a streamed body once it passes maxBytes and deletes the partial file', async () => {
    await expectMinerUError(
      downloadToFile(`${cdn.origin}/big-stream`, dest, { maxBytes: 1024 * 1024 }),
      (e) => {
        assert.equal(e.code, 'DOWNLOAD_TOO_LARGE');
      },
    );
    assertNothingLeft();
  });

  it('[R-NET-2] a connection dropped mid-body leaves no file and is retryable (with and without Content-Length)', async () => {
    for (const route of ['/drop', '/drop-chunked']) {
      await expectMinerUError(
        downloadToFile(`${cdn.origin}${route}`, dest, { maxBytes: 10 * 1024 * 1024 }),
        (e) => {
          assert.equal(e.code, 'CONNECTION_DROPPED', route);
          assert.equal(e.retryable, true);
          assert.equal(e.host, new URL(cdn.origin).host);
        },
      );
      assertNothingLeft();
    }
  });

  it('403 and 404 from the CDN mean an expired link: refresh it, not retry it', async () => {
    for (const [route, status] of [
      ['/expired', 403],
      ['/gone', 404],
    ] as const) {
      await expectMinerUError(downloadToFile(`${cdn.origin}${route}`, dest, { maxBytes: 1024 }), (e) => {
        assert.equal(e.code, LINK_EXPIRED);
        assert.ok(isLinkExpired(e));
        assert.equal(e.httpStatus, status);
        assert.equal(e.retryable, false);
        assert.match(e.hint ?? '', /refreshing the link/i);
      });
      assertNothingLeft();
    }
  });

  it('5xx is retryable with the status and host', async () => {
    await expectMinerUError(downloadToFile(`${cdn.origin}/busy`, dest, { maxBytes: 1024 }), (e) => {
      assert.equal(e.code, 'HTTP_503');
      assert.equal(e.httpStatus, 503);
      assert.equal(e.retryable, true);
      assert.equal(e.host, new URL(cdn.origin).host);
      assert.ok(!isLinkExpired(e));
    });
    assertNothingLeft();
  });

  it('[R-NET-9] sends no credentials, not even from axios defaults, URL user info, or across redirects', async () => {
    const target = await startServer(routes);
    const redirector = await startServer((path, res) => {
      if (path === '/final') return routes('/cdn/result.zip', res);
      if (path === '/same-creds') {
        res.writeHead(302, { Location: `http://mallory:pw@${new URL(redirector.origin).host}/final` });
        res.end();
        return;
      }
      const to =
        path === '/same' ? '/cdn/result.zip' : `http://user:pw@${new URL(target.origin).host}/cdn/result.zip`;
      res.writeHead(302, { Location: to });
      res.end();
    });
    const common = axios.defaults.headers.common;
    common.Authorization = 'Bearer sk-leaked-token';
    common.Cookie = 'session=leaked';
    try {
      await downloadToFile(`http://alice:secret@${new URL(redirector.origin).host}/cross`, dest, {
        maxBytes: 1024 * 1024,
      });
      assert.ok(readFileSync(dest).equals(BODY));
      await downloadToFile(`${redirector.origin}/same`, join(dir, 'b.zip'), { maxBytes: 1024 * 1024 });
      await downloadToFile(`${redirector.origin}/same-creds`, join(dir, 'c.zip'), { maxBytes: 1024 * 1024 });
      const all = [...redirector.requests, ...target.requests];
      // /cross → target; /same → redirector's /cdn/result.zip → target (a cross-host hop again);
      // /same-creds → /final on the same host, with user info in Location.
      assert.equal(all.length, 7, JSON.stringify(all.map((r) => r.url)));
      for (const r of all) {
        assert.equal(r.headers.authorization, undefined, `Authorization sent to ${r.url}`);
        assert.equal(r.headers.cookie, undefined, `Cookie sent to ${r.url}`);
        assert.equal(r.headers['proxy-authorization'], undefined);
      }
    } finally {
      delete common.Authorization;
      delete common.Cookie;
      await redirector.close();
      await target.close();
    }
  });

  it(`follows up to ${MAX_REDIRECTS} redirects of every kind, relative ones too, and no more`, async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      cdn.requests.length = 0;
      // MAX_REDIRECTS - 1 hops of this status, then one 307 to the result: MAX_REDIRECTS in all.
      await downloadToFile(`${cdn.origin}/hop/${MAX_REDIRECTS - 1}/${status}`, dest, {
        maxBytes: 1024 * 1024,
      });
      assert.ok(readFileSync(dest).equals(BODY), String(status));
      assert.equal(cdn.requests.length, MAX_REDIRECTS + 1, String(status));
      rmSync(dest);
    }
    cdn.requests.length = 0;
    await expectMinerUError(downloadToFile(`${cdn.origin}/loop`, dest, { maxBytes: 1024 }), (e) => {
      assert.equal(e.code, 'TOO_MANY_REDIRECTS');
      assert.equal(e.reason, 'download.redirects');
      assert.equal(e.retryable, false);
      assert.equal(e.host, new URL(cdn.origin).host);
    });
    assert.equal(cdn.requests.length, MAX_REDIRECTS + 1, 'the first request and MAX_REDIRECTS hops');
    assertNothingLeft();
  });

  it('refuses a redirect to anything but http(s), and a redirect without a Location', async () => {
    await expectMinerUError(downloadToFile(`${cdn.origin}/to-file`, dest, { maxBytes: 1024 }), (e) => {
      assert.equal(e.code, 'BAD_URL');
      assert.equal(e.reason, 'download.badProtocol');
    });
    await expectMinerUError(downloadToFile(`${cdn.origin}/no-location`, dest, { maxBytes: 1024 }), (e) => {
      assert.equal(e.code, 'HTTP_302');
      assert.equal(e.retryable, false);
    });
    assertNothingLeft();
  });

  it('asks for the body as it is, and decodes one the server compressed anyway', async () => {
    const progress: (number | undefined)[] = [];
    const result = await downloadToFile(`${cdn.origin}/gzipped`, dest, {
      maxBytes: 1024 * 1024,
      onProgress: (_done, total) => progress.push(total),
    });
    assert.equal(cdn.requests[0]?.headers['accept-encoding'], 'identity');
    assert.ok(readFileSync(dest).equals(BODY));
    assert.equal(result.bytes, BODY.length, 'bytes on disk, not on the wire');
    assert.ok(
      progress.every((total) => total === undefined),
      'the compressed length is not the total',
    );
    // The limit applies to what is written, not to the smaller compressed body.
    await expectMinerUError(
      downloadToFile(`${cdn.origin}/gzipped`, join(dir, 'small.zip'), { maxBytes: 64 * 1024 }),
      (e) => assert.equal(e.code, 'DOWNLOAD_TOO_LARGE'),
    );
    assert.ok(!existsSync(join(dir, 'small.zip')));
  });

  it('sends a Referer when asked (CDNs that demand one)', async () => {
    await downloadToFile(`${cdn.origin}/cdn/result.zip`, dest, {
      maxBytes: 1024 * 1024,
      referer: 'https://mineru.net/',
    });
    assert.equal(cdn.requests[0]?.headers.referer, 'https://mineru.net/');
  });

  it('[R-NET-4] times out when the server goes silent, before headers and mid-body (retryable)', async () => {
    for (const route of ['/stall-headers', '/stall-body']) {
      const t0 = Date.now();
      await expectMinerUError(
        downloadToFile(`${cdn.origin}${route}`, dest, { maxBytes: 1024 * 1024, timeoutMs: 200 }),
        (e) => {
          assert.equal(e.code, 'ETIMEDOUT', route);
          assert.equal(e.retryable, true);
        },
      );
      assert.ok(Date.now() - t0 < 3000);
      assertNothingLeft();
    }
  });

  it('abort rejects with an abort error (not a MinerUError) and leaves no file', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(
      downloadToFile(`${cdn.origin}/stall-body`, dest, { maxBytes: 1024 * 1024, signal: controller.signal }),
      (error: unknown) => {
        assert.ok(!(error instanceof MinerUError));
        assert.ok(isAbortError(error), String(error));
        return true;
      },
    );
    assertNothingLeft();
    const already = new AbortController();
    already.abort();
    await assert.rejects(
      downloadToFile(`${cdn.origin}/cdn/result.zip`, dest, { maxBytes: 1024, signal: already.signal }),
      (error: unknown) => isAbortError(error),
    );
  });

  it('refuses non-http(s) links and reports unreachable hosts as download errors', async () => {
    await expectMinerUError(downloadToFile('file:///etc/passwd', dest, { maxBytes: 1024 }), (e) =>
      assert.equal(e.code, 'BAD_URL'),
    );
    const closed = await startServer(routes);
    const origin = closed.origin;
    await closed.close();
    await expectMinerUError(downloadToFile(`${origin}/x`, dest, { maxBytes: 1024 }), (e) => {
      assert.equal(e.code, 'ECONNREFUSED');
      assert.equal(e.retryable, true);
      assert.equal(e.host, new URL(origin).host);
    });
    assertNothingLeft();
  });
});
