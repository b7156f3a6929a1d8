import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinerUClient } from '../../src/core/api/client';
import {
  createHttpProbe,
  describeProxy,
  redactProxy,
  runConnectionChecks,
  type CheckResult,
} from '../../src/core/api/connectionCheck';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';
import { requireTool } from './helpers/skip';

function client(fake: FakeMinerU, token: string | undefined, baseUrl = fake.apiBaseUrl): MinerUClient {
  return new MinerUClient({
    baseUrl,
    getToken: () => Promise.resolve(token),
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    timeoutMs: 2000,
  });
}

const byId = (results: CheckResult[]) => new Map(results.map((r) => [r.id, r]));

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('Test Connection checks', function () {
  this.timeout(20_000);
  let fake: FakeMinerU;
  beforeEach(async () => {
    fake = await startFakeMinerU({ tokens: ['good'] });
  });
  afterEach(async () => fake.close());

  it('passes every check against a healthy service (one small request per host)', async () => {
    const before = fake.requests.length;
    const results = await runConnectionChecks({
      apiBaseUrl: fake.apiBaseUrl,
      uploadUrl: `${fake.cdnOrigin}/`,
      resultUrl: `${fake.cdnOrigin}/`,
      checkToken: (s) => client(fake, 'good').checkConnection(s),
      probe: createHttpProbe({ timeoutMs: 2000 }),
    });
    assert.deepEqual(
      results.map((r) => [r.id, r.outcome]),
      [
        ['api', 'passed'],
        ['token', 'passed'],
        ['upload', 'passed'],
        ['result', 'passed'],
      ],
    );
    assert.match(results[0]!.detail, /^HTTP \d{3} in \d+ ms$/);
    assert.equal(fake.requests.length - before, 4);
    // The probes never carry the token.
    assert.ok(fake.requests.filter((r) => r.method === 'HEAD').every((r) => !r.headers.authorization));
  });

  it('reports a rejected token, a missing token, and skips hosts it cannot know', async () => {
    const rejected = await runConnectionChecks({
      apiBaseUrl: fake.apiBaseUrl,
      checkToken: (s) => client(fake, 'wrong').checkConnection(s),
      probe: createHttpProbe(),
    });
    const r = byId(rejected);
    assert.equal(r.get('api')!.outcome, 'passed');
    assert.equal(r.get('token')!.outcome, 'failed');
    assert.equal(r.get('token')!.code, 'A0202');
    assert.equal(r.get('upload')!.outcome, 'skipped');
    assert.equal(r.get('result')!.outcome, 'skipped');
    const missing = byId(
      await runConnectionChecks({
        apiBaseUrl: fake.apiBaseUrl,
        checkToken: (s) => client(fake, undefined).checkConnection(s),
        probe: createHttpProbe(),
      }),
    );
    assert.equal(missing.get('token')!.code, 'NO_TOKEN');
  });

  it('names each failure type: refused, DNS, timeout, TLS, and a separate batch host', async function () {
    const port = await closedPort();
    fake.faults.hangNext = { route: '^/hang', count: 5 };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mineru-tls-'));
    let tlsServer: https.Server | undefined;
    let tlsUrl: string | undefined;
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          path.join(dir, 'k.pem'),
          '-out',
          path.join(dir, 'c.pem'),
        ],
        { stdio: 'ignore' },
      );
      tlsServer = https.createServer(
        { key: await fs.readFile(path.join(dir, 'k.pem')), cert: await fs.readFile(path.join(dir, 'c.pem')) },
        (_req, res) => res.end('ok'),
      );
      await new Promise<void>((r) => tlsServer!.listen(0, '127.0.0.1', r));
      tlsUrl = `https://127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}/`;
    } catch (err) {
      // Only a missing openssl leaves the TLS case out (and is reported below); anything else fails.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      tlsUrl = undefined;
    }
    try {
      const apiHost = fake.apiBaseUrl.replace(/\/api\/v4$/, '');
      const results = byId(
        await runConnectionChecks({
          apiBaseUrl: `http://127.0.0.1:${port}/api/v4`,
          batchBaseUrl: 'http://mineru-batch.invalid/api/v4',
          uploadUrl: `${apiHost}/hang/upload`,
          ...(tlsUrl ? { resultUrl: tlsUrl } : {}),
          checkToken: (s) => client(fake, 'good', `http://127.0.0.1:${port}/api/v4`).checkConnection(s),
          probe: createHttpProbe({ timeoutMs: 400 }),
        }),
      );
      assert.equal(results.get('api')!.outcome, 'failed');
      assert.equal(results.get('api')!.code, 'ECONNREFUSED');
      assert.match(results.get('api')!.detail, /Could not connect/);
      assert.equal(results.get('token')!.code, 'ECONNREFUSED');
      assert.equal(results.get('batch')!.outcome, 'failed');
      assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(results.get('batch')!.code!), results.get('batch')!.code);
      assert.equal(results.get('upload')!.code, 'ETIMEDOUT');
      assert.match(results.get('upload')!.detail, /did not answer within 400 ms/);
      if (tlsUrl) {
        assert.equal(results.get('result')!.outcome, 'failed');
        assert.equal(results.get('result')!.code, 'DEPTH_ZERO_SELF_SIGNED_CERT'); // a self-signed certificate
        assert.match(results.get('result')!.detail, /TLS certificate/);
      }
      // The other cases passed; without openssl the TLS one did not run: fail on linux-x64, skip elsewhere.
      requireTool(
        this,
        tlsUrl !== undefined,
        'openssl',
        'bash scripts/install-test-tools.sh installs it on Debian/Ubuntu',
      );
    } finally {
      tlsServer?.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('names the proxy in use, honours NO_PROXY, and never shows proxy credentials', () => {
    assert.deepEqual(describeProxy('http://user:pw@proxy.corp:8080', {}, 'https://mineru.net/api/v4'), {
      proxy: 'http://***@proxy.corp:8080',
      source: 'http.proxy',
      bypassed: false,
    });
    assert.deepEqual(
      describeProxy(
        '',
        { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.mineru.net' },
        'https://mineru.net/api/v4',
      ),
      { proxy: 'http://p:3128', source: 'HTTPS_PROXY', bypassed: true },
    );
    assert.deepEqual(describeProxy(undefined, { http_proxy: 'http://p:1' }, 'https://mineru.net/'), {});
    assert.equal(redactProxy('proxy.corp:8080'), 'http://proxy.corp:8080');
  });
});
