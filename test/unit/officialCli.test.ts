/**
 * Faithfulness of the fake MinerU service, proven by the OFFICIAL client: the `mineru-open-api`
 * CLI (npm mineru-open-api, Go) must extract a URL, a local file (presigned upload) and a batch of
 * URLs against the fake, and save Markdown with its images.
 *
 * `extract` honours `--base-url` and `--token`. `flash-extract` ignores `--base-url`: the agent base
 * `https://mineru.net/api/v1/agent` is compiled in. It does honour the standard proxy and CA
 * environment (Go's net/http): HTTPS_PROXY points it at a local CONNECT proxy that terminates TLS
 * for mineru.net with a throw-away self-signed certificate (trusted through SSL_CERT_FILE) and
 * forwards to the fake. Result URLs on 127.0.0.1 bypass the proxy (Go never proxies loopback).
 *
 * HOME and the XDG directories point at a temp dir, so the CLI writes no config into the real home.
 */
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { FakeMinerU } from '../fake-mineru/server';
import { startFakeMinerU } from '../fake-mineru/server';
import { PLATFORM, onReferencePlatform, requireTool, skipBecause } from './helpers/skip';

const CLI = path.resolve(__dirname, '../../../node_modules/mineru-open-api-linux-x64/bin/mineru-open-api');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(CLI, args, { env, timeout: timeoutMs, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every `![](images/<sha>.jpg)` of a Markdown file must exist next to it with that sha256. */
function assertMarkdownWithImages(mdPath: string, expectedImages: number): void {
  assert.ok(existsSync(mdPath), `missing ${mdPath}`);
  const md = readFileSync(mdPath, 'utf8');
  const links = [...md.matchAll(/!\[\]\((images\/([0-9a-f]{64})\.jpg)\)/g)];
  assert.equal(links.length, expectedImages, md);
  for (const [, rel, sha] of links) {
    const bytes = readFileSync(path.join(path.dirname(mdPath), rel ?? ''));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
  }
  assert.match(md, /<table>/);
}

describe('official mineru-open-api CLI against the fake', function () {
  this.timeout(60000);
  let fake: FakeMinerU;
  let tmp = ''; // stays empty when the suite skips
  let env: NodeJS.ProcessEnv;

  before(async function () {
    // The CLI is the optional dependency mineru-open-api-linux-x64: there is no binary for other
    // platforms in this project. On linux-x64 it must be there (npm ci installs it).
    if (!onReferencePlatform) {
      skipBecause(
        this,
        'platform',
        `the official CLI is installed only on linux-x64 (optional dependency mineru-open-api-linux-x64); this is ${PLATFORM}`,
      );
    }
    if (!existsSync(CLI)) {
      throw new Error(
        `the official CLI is missing (${CLI}): run \`npm ci\`; on linux-x64 the optional dependency mineru-open-api-linux-x64 must install`,
      );
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'mineru-cli-'));
    const home = path.join(tmp, 'home');
    mkdirSync(home);
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      NO_COLOR: '1',
    };
    // Timed progress: by the CLI's second poll (2 s after the first) every document is done.
    fake = await startFakeMinerU({ progress: 'timed', stepMs: 60, pages: 2 });
  });
  after(async () => {
    if (!tmp) return;
    await fake.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const base = (): string[] => ['--base-url', fake.apiBaseUrl, '--token', fake.token];

  it('extracts a URL', async () => {
    const out = path.join(tmp, 'url');
    const r = await runCli(['extract', 'https://example.com/papers/report.pdf', ...base(), '-o', out], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertMarkdownWithImages(path.join(out, 'report.md'), 2);
    const submit = fake.requests.find((q) => q.path === '/api/v4/extract/task/batch');
    assert.ok(submit, 'the CLI submits a URL as a one-element batch');
    const cdn = fake.requests.filter((q) => q.server === 'cdn');
    assert.ok(
      cdn.length > 0 && cdn.every((q) => q.headers.authorization === undefined),
      'no token to the CDN',
    );
  });

  it('extracts a local file through the presigned upload', async () => {
    const file = path.join(tmp, 'local-paper.pdf');
    writeFileSync(file, '%PDF-1.4\n% local bytes\n');
    const out = path.join(tmp, 'file');
    const r = await runCli(['extract', file, ...base(), '-o', out], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertMarkdownWithImages(path.join(out, 'local-paper.md'), 2);
    const put = fake.requests.find((q) => q.method === 'PUT');
    assert.ok(put, 'the CLI uploaded');
    assert.equal(put.server, 'cdn');
    assert.equal(put.headers['content-type'], undefined);
    assert.equal(put.bodyBytes, readFileSync(file).length);
  });

  it('extracts a batch of URLs, with extra formats', async () => {
    const out = path.join(tmp, 'batch');
    const r = await runCli(
      [
        'extract',
        'https://example.com/a/first.pdf',
        'https://example.com/a/second-pages-3.pdf',
        ...base(),
        '-o',
        out,
        '-f',
        'md,docx,latex',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertMarkdownWithImages(path.join(out, 'first.md'), 2);
    assertMarkdownWithImages(path.join(out, 'second-pages-3.md'), 3);
    const docx = readFileSync(path.join(out, 'first.docx'));
    assert.equal(docx.subarray(0, 2).toString(), 'PK');
    assert.match(readFileSync(path.join(out, 'second-pages-3.tex'), 'utf8'), /\\documentclass/);
  });

  it('reports a failed document and the 401 envelope like the real service', async () => {
    const bad = await runCli(
      ['extract', 'https://example.com/x.pdf', '--base-url', fake.apiBaseUrl, '--token', 'nope'],
      env,
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /A0202/);
    const failed = await runCli(
      ['extract', 'https://example.com/corrupt.pdf', ...base(), '-o', path.join(tmp, 'f')],
      env,
    );
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr + failed.stdout, /failed to read file/);
  });

  describe('flash-extract (agent API, base URL compiled in)', () => {
    let proxy: http.Server | undefined;
    let tlsServer: https.Server | undefined;
    let flashEnv: NodeJS.ProcessEnv = {};

    before(async function () {
      const certDir = path.join(tmp, 'tls');
      mkdirSync(certDir);
      const key = path.join(certDir, 'key.pem');
      const cert = path.join(certDir, 'cert.pem');
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=mineru.net',
            '-addext',
            'subjectAltName=DNS:mineru.net',
            '-addext',
            'basicConstraints=critical,CA:TRUE',
            '-keyout',
            key,
            '-out',
            cert,
          ],
          { stdio: 'ignore' },
        );
      } catch (err) {
        // Without openssl the test cannot impersonate mineru.net; any other openssl error is a failure.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        requireTool(
          this,
          false,
          'openssl',
          'bash scripts/install-test-tools.sh installs it on Debian/Ubuntu',
        );
      }
      // TLS endpoint for "mineru.net": forwards every request to the fake's API origin.
      const target = new URL(fake.apiOrigin);
      tlsServer = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
        const upstream = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      });
      // CONNECT proxy: only mineru.net:443 is tunnelled, into the TLS endpoint above.
      const tls = tlsServer;
      proxy = http.createServer((_req, res) => {
        res.writeHead(405);
        res.end();
      });
      proxy.on('connect', (req: http.IncomingMessage, socket: Socket) => {
        if (req.url !== 'mineru.net:443') {
          socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
          return;
        }
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', () => tls.emit('connection', socket));
      });
      await new Promise<void>((resolve) => proxy?.listen(0, '127.0.0.1', resolve));
      const port = (proxy.address() as AddressInfo).port;
      flashEnv = {
        ...env,
        HTTPS_PROXY: `http://127.0.0.1:${port}`,
        https_proxy: `http://127.0.0.1:${port}`,
        NO_PROXY: '',
        SSL_CERT_FILE: cert,
      };
    });
    after(async () => {
      await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
      proxy?.closeAllConnections();
      tlsServer?.close();
      tlsServer?.closeAllConnections();
    });

    it('extracts a URL through the agent API', async () => {
      const out = path.join(tmp, 'flash-url');
      const r = await runCli(['flash-extract', 'https://example.com/quick.pdf', '-o', out], flashEnv);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(readFileSync(path.join(out, 'quick.md'), 'utf8'), /^# quick/);
      const submit = fake.requests.find((q) => q.path === '/api/v1/agent/parse/url');
      assert.ok(submit);
      assert.equal(submit.headers.authorization, undefined, 'the agent API is token-less');
    });

    it('extracts a local file through the agent upload', async () => {
      const file = path.join(tmp, 'flash-local.pdf');
      writeFileSync(file, '%PDF-1.4\n% flash bytes\n');
      const out = path.join(tmp, 'flash-file');
      const r = await runCli(['flash-extract', file, '-o', out], flashEnv);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(readdirSync(out).some((n) => n.endsWith('.md')));
      const put = fake.requests.find((q) => q.method === 'PUT' && q.bodyBytes === readFileSync(file).length);
      assert.ok(put);
      assert.equal(put.headers['content-type'], undefined);
    });
  });
});
