/** The URI handler's request check: only document links, never a credential, endpoint or folder. */
import * as assert from 'node:assert/strict';
import { MAX_REQUEST_URLS, parseRequest } from '../../src/core/links/parseRequest';

const q = (params: [string, string][]): string => new URLSearchParams(params).toString();

describe('links: parseRequest (vscode://…/parse?url=…)', () => {
  it('accepts one encoded http(s) link', () => {
    const r = parseRequest('/parse', q([['url', 'https://example.com/a%20paper.pdf?x=1&y=2']]));
    assert.deepEqual(r, { ok: true, urls: ['https://example.com/a%20paper.pdf?x=1&y=2'], unsupported: [] });
  });

  it('takes several url parameters as one batch, without duplicates, and names the unsupported ones', () => {
    const r = parseRequest(
      '/parse/',
      q([
        ['url', 'https://example.com/a.pdf'],
        ['url', 'http://example.com/page'],
        ['url', 'https://example.com/a.pdf'],
      ]),
    );
    assert.deepEqual(r, {
      ok: true,
      urls: ['https://example.com/a.pdf', 'http://example.com/page'],
      unsupported: ['http://example.com/page'],
    });
  });

  it('refuses more than the batch cap', () => {
    const many = Array.from({ length: MAX_REQUEST_URLS + 1 }, (_, i): [string, string] => [
      'url',
      `https://example.com/${i}.pdf`,
    ]);
    assert.deepEqual(parseRequest('/parse', q(many)), {
      ok: false,
      problem: 'tooMany',
      params: { count: 11 },
    });
    assert.equal(parseRequest('/parse', q(many.slice(1))).ok, true);
  });

  for (const name of [
    'token',
    'Token',
    'api_key',
    'apiKey',
    'endpoint',
    'baseUrl',
    'apiBaseUrl',
    'agent-base-url',
    'selfHostedUrl',
    'output',
    'outputDirectory',
    'output_dir',
    'folder',
    'mode',
  ]) {
    it(`refuses a request carrying "${name}", even next to a good link`, () => {
      const r = parseRequest(
        '/parse',
        q([
          ['url', 'https://example.com/a.pdf'],
          [name, 'x'],
        ]),
      );
      assert.deepEqual(r, { ok: false, problem: 'forbiddenParam', params: { name } });
    });
  }

  it('refuses unknown parameters too (nothing is silently ignored)', () => {
    const r = parseRequest(
      '/parse',
      q([
        ['url', 'https://example.com/a.pdf'],
        ['pages', '1-3'],
      ]),
    );
    assert.deepEqual(r, { ok: false, problem: 'unknownParam', params: { name: 'pages' } });
  });

  it('refuses a path other than /parse', () => {
    assert.deepEqual(parseRequest('/upload', q([['url', 'https://example.com/a.pdf']])), {
      ok: false,
      problem: 'unknownPath',
      params: { text: '/upload' },
    });
  });

  it('needs a url', () => {
    assert.deepEqual(parseRequest('/parse', ''), { ok: false, problem: 'noUrl', params: {} });
    assert.deepEqual(parseRequest('/parse', 'url='), { ok: false, problem: 'noUrl', params: {} });
  });

  for (const bad of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'example.com/a.pdf',
    'ftp://x.org/a.pdf',
    'https://',
  ]) {
    it(`refuses "${bad}": only full http(s) links`, () => {
      assert.deepEqual(parseRequest('/parse', q([['url', bad]])), {
        ok: false,
        problem: 'badUrl',
        params: { text: bad },
      });
    });
  }
});
