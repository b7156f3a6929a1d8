/** Finding document links in text, the link under the cursor, and validating typed links. */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { findDocumentLinks, linkAt } from '../../src/core/links/findLinks';
import { validateDocumentUrl } from '../../src/core/links/validateUrl';

function urls(text: string): string[] {
  return findDocumentLinks(text).map((l) => l.url);
}

describe('links: findDocumentLinks', () => {
  const table: [string, string, string[]][] = [
    ['bare URL', 'see https://example.com/a.pdf for details', ['https://example.com/a.pdf']],
    ['trailing period', 'Read https://example.com/a.pdf.', ['https://example.com/a.pdf']],
    ['trailing punctuation run', 'Really? https://example.com/a.pdf?!,;:', ['https://example.com/a.pdf']],
    ['in parentheses', '(https://example.com/a.pdf)', ['https://example.com/a.pdf']],
    [
      'balanced parentheses stay',
      'see https://en.wikipedia.org/wiki/Python_(programming_language).',
      ['https://en.wikipedia.org/wiki/Python_(programming_language)'],
    ],
    [
      'balanced inside outer parentheses',
      '(see https://en.wikipedia.org/wiki/Foo_(bar))',
      ['https://en.wikipedia.org/wiki/Foo_(bar)'],
    ],
    [
      'markdown link with title',
      '[Report](https://example.com/r.pdf "The report")',
      ['https://example.com/r.pdf'],
    ],
    ['markdown image', '![fig](https://example.com/f.png)', ['https://example.com/f.png']],
    [
      'markdown link with parens in URL',
      '[w](https://en.wikipedia.org/wiki/Foo_(bar)) after',
      ['https://en.wikipedia.org/wiki/Foo_(bar)'],
    ],
    [
      'markdown angle destination with a space',
      '[t](<https://example.com/a b.pdf>)',
      ['https://example.com/a%20b.pdf'],
    ],
    ['autolink', '<https://example.com/a.docx>', ['https://example.com/a.docx']],
    ['html href double', '<a href="https://example.com/a.pdf">x</a>', ['https://example.com/a.pdf']],
    ['html href single', "<a href='https://example.com/b.pdf'>x</a>", ['https://example.com/b.pdf']],
    ['html src', '<img src="https://example.com/i.png">', ['https://example.com/i.png']],
    ['html entity in href', '<a href="https://e.com/d?a=1&amp;b=2">', ['https://e.com/d?a=1&b=2']],
    [
      'query keeps extension',
      'https://example.com/a.pdf?download=1',
      ['https://example.com/a.pdf?download=1'],
    ],
    ['fragment', 'https://example.com/a.pdf#page=3', ['https://example.com/a.pdf#page=3']],
    ['uppercase scheme', 'HTTPS://EXAMPLE.COM/A.PDF', ['https://example.com/A.PDF']],
    [
      'CJK punctuation ends a URL',
      '见https://example.com/报告.pdf。下一句',
      ['https://example.com/%E6%8A%A5%E5%91%8A.pdf'],
    ],
    ['CJK full-width paren', '（https://example.com/a.pdf）', ['https://example.com/a.pdf']],
    ['javascript: ignored', '[x](javascript:alert(1)) <a href="javascript:void(0)">', []],
    ['file: ignored', 'file:///etc/passwd and [x](file:///c:/a.pdf)', []],
    ['data: and mailto: ignored', 'data:text/html,hi mailto:a@b.com', []],
    ['scheme glued to a word is not a link', 'xhttps://example.com/a.pdf', []],
    ['host required', 'https:// and http://', []],
    [
      'duplicates: first wins',
      'https://e.com/a.pdf x https://e.com/a.pdf y https://E.com/a.pdf',
      ['https://e.com/a.pdf'],
    ],
    [
      'nested URL in a query is part of the outer link',
      'https://e.com/go?u=https://f.com/g.pdf',
      ['https://e.com/go?u=https://f.com/g.pdf'],
    ],
    ['emphasis', '**https://example.com/a.pdf**', ['https://example.com/a.pdf']],
    ['quoted in prose', 'he said "https://example.com/a.pdf".', ['https://example.com/a.pdf']],
  ];
  for (const [name, text, expected] of table) {
    it(name, () => assert.deepEqual(urls(text), expected));
  }

  it('reports offsets of the link as written', () => {
    const text = 'A [r](https://example.com/r.pdf) and https://example.com/s.docx.';
    const links = findDocumentLinks(text);
    assert.equal(links.length, 2);
    assert.equal(text.slice(links[0]!.start, links[0]!.end), 'https://example.com/r.pdf');
    assert.equal(text.slice(links[1]!.start, links[1]!.end), 'https://example.com/s.docx');
  });

  it('decides support from the path, then from a query value', () => {
    const [a, b, c, d, e] = findDocumentLinks(
      'https://e.com/a.pdf?download=1 https://e.com/b.PPTX https://e.com/page.php?id=3 https://e.com/dl?file=x.docx https://e.com/',
    );
    assert.deepEqual([a!.supported, a!.extension], [true, '.pdf']);
    assert.deepEqual([b!.supported, b!.extension], [true, '.pptx']);
    assert.deepEqual([c!.supported, c!.extension], [false, '.php']);
    assert.deepEqual([d!.supported, d!.extension], [true, '.docx']);
    assert.deepEqual([e!.supported, e!.extension], [false, undefined]);
  });

  it('[R-IN-3] honours maxLinks', () => {
    const text = Array.from({ length: 50 }, (_, i) => `https://e.com/${i}.pdf`).join(' ');
    assert.equal(findDocumentLinks(text, { maxLinks: 7 }).length, 7);
    assert.equal(findDocumentLinks(text, { maxLinks: 0 }).length, 0);
  });

  it('[R-IN-4] finds 10,000 links in a 10 MB text quickly', function () {
    this.timeout(10_000);
    const links = Array.from(
      { length: 10_000 },
      (_, i) => `see [doc ${i}](https://example.com/files/${i}.pdf).`,
    );
    const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((10 * 1024 * 1024) / 27 / 10_000));
    const text = links.map((l) => `${l} ${filler}`).join('\n');
    assert.ok(text.length >= 10 * 1024 * 1024);
    const t0 = Date.now();
    const found = findDocumentLinks(text);
    const ms = Date.now() - t0;
    assert.equal(found.length, 10_000);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  it('[R-IN-4] stays fast on adversarial input (no catastrophic backtracking)', function () {
    this.timeout(10_000);
    const inputs = [
      'https://'.repeat(200_000),
      `https://e.com/${'('.repeat(500_000)}`,
      `https://e.com/${')'.repeat(500_000)}`,
      `${'](  '.repeat(100_000)}https://e.com/a.pdf`,
      `https://e.com/${'.'.repeat(500_000)}x`,
      '<a href="https://e.com/'.repeat(50_000),
    ];
    for (const text of inputs) {
      const t0 = Date.now();
      findDocumentLinks(text);
      const ms = Date.now() - t0;
      assert.ok(ms < 2000, `took ${ms} ms on ${JSON.stringify(text.slice(0, 30))}`);
    }
  });

  const fragment = fc.oneof(
    fc.constantFrom(
      'https://',
      'http://',
      'e.com',
      '/a.pdf',
      '.docx',
      '?q=1',
      '#f',
      '(',
      ')',
      '[',
      ']',
      '](',
      '<',
      '>',
      '"',
      "'",
      ' ',
      '\n',
      '.',
      ',',
      'href=',
      'javascript:',
      'file:///',
      '。',
      '报告',
      '&amp;',
      '%20',
      '*',
    ),
    fc.string({ maxLength: 5 }),
  );
  const textArb = fc.array(fragment, { maxLength: 60 }).map((a) => a.join(''));

  it('[R-PROP-1] property: every link is http(s), in bounds, ordered and unique', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const found = findDocumentLinks(text);
        const seen = new Set<string>();
        let lastEnd = 0;
        for (const link of found) {
          const u = new URL(link.url);
          assert.ok(u.protocol === 'http:' || u.protocol === 'https:');
          assert.ok(u.hostname.length > 0);
          assert.ok(link.start >= lastEnd && link.start < link.end && link.end <= text.length);
          assert.match(text.slice(link.start, link.start + 8), /^https?:\/\//i);
          assert.ok(!seen.has(link.url), 'no duplicates');
          seen.add(link.url);
          lastEnd = link.end;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('[R-PROP-1] property: idempotent on its own output', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const first = findDocumentLinks(text).map((l) => l.url);
        // Written as autolinks, every link is found again exactly. Written bare, so is every link
        // that does not end in what ends a bare URL: a link from explicit syntax ("[t](…x.)",
        // "<…/a)>") keeps such an end, and a bare one cannot (mutation.findLinks.test.ts checks that it is kept).
        const again = findDocumentLinks(first.map((u) => `<${u}>`).join('\n')).map((l) => l.url);
        assert.deepEqual(again, first);
        const bareSafe = first.filter((u) => !/[.,;:!?'"*)\]}]$/.test(u));
        const bareAgain = findDocumentLinks(bareSafe.join('\n')).map((l) => l.url);
        assert.deepEqual(bareAgain, bareSafe);
      }),
      { numRuns: 500 },
    );
  });

  it('[R-PROP-1] property: linkAt at any offset inside a found link returns that link', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), (text, pick) => {
        const found = findDocumentLinks(text);
        if (found.length === 0) return;
        const link = found[pick % found.length]!;
        const offset = link.start + (pick % (link.end - link.start));
        const hit = linkAt(text, offset);
        assert.ok(hit);
        assert.equal(hit.url, link.url);
        assert.ok(hit.start <= offset && offset <= hit.end);
      }),
      { numRuns: 300 },
    );
  });
});

describe('links: linkAt', () => {
  const text = 'one https://e.com/a.pdf two\nthree [x](https://e.com/b.docx) https://e.com/a.pdf';
  it('finds the link under the cursor, also right after it', () => {
    const start = text.indexOf('https://e.com/a.pdf');
    assert.equal(linkAt(text, start)?.url, 'https://e.com/a.pdf');
    assert.equal(linkAt(text, start + 5)?.start, start);
    assert.equal(linkAt(text, start + 'https://e.com/a.pdf'.length)?.url, 'https://e.com/a.pdf');
  });
  it('finds a repeated link at its second position with the right offsets', () => {
    const second = text.lastIndexOf('https://e.com/a.pdf');
    const hit = linkAt(text, second + 3);
    assert.equal(hit?.start, second);
    assert.equal(hit?.end, second + 'https://e.com/a.pdf'.length);
  });
  it('returns undefined away from links and for out-of-range offsets', () => {
    assert.equal(linkAt(text, 1), undefined);
    assert.equal(linkAt(text, text.indexOf('three')), undefined);
    assert.equal(linkAt(text, -1), undefined);
    assert.equal(linkAt(text, text.length + 1), undefined);
  });
});

describe('links: validateDocumentUrl', () => {
  const ok: [string, string, boolean, RegExp | undefined][] = [
    ['https://example.com/a.pdf', 'https://example.com/a.pdf', true, undefined],
    ['  https://example.com/a.pdf \n', 'https://example.com/a.pdf', true, undefined],
    ['<https://example.com/a.pdf>', 'https://example.com/a.pdf', true, undefined],
    ['"https://example.com/a.pdf"', 'https://example.com/a.pdf', true, undefined],
    ['example.com/a.pdf', 'https://example.com/a.pdf', true, /No scheme given/],
    ['//example.com/a.pdf', 'https://example.com/a.pdf', true, undefined],
    ['https://example.com/page', 'https://example.com/page', false, /supported file type/],
    [
      'https://user:secret@example.com/a.pdf',
      'https://user:secret@example.com/a.pdf',
      true,
      /user name or password/,
    ],
    ['http://localhost:8080/a.pdf', 'http://localhost:8080/a.pdf', true, /private address/],
    ['http://192.168.1.10/a.pdf', 'http://192.168.1.10/a.pdf', true, /private address/],
    ['https://例え.jp/資料.pdf', 'https://xn--r8jz45g.jp/%E8%B3%87%E6%96%99.pdf', true, undefined],
  ];
  for (const [input, url, supported, warning] of ok) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      const result = validateDocumentUrl(input);
      assert.ok(result.ok, JSON.stringify(result));
      if (!result.ok) return;
      assert.equal(result.url, url);
      assert.equal(result.supported, supported);
      if (warning) assert.match(result.warning ?? '', warning);
      else assert.equal(result.warning, undefined);
    });
  }

  const bad: [string, RegExp][] = [
    ['', /Enter a link/],
    ['   ', /Enter a link/],
    ['<>', /Enter a link/],
    ['file:///etc/passwd', /^Only http and https links can be parsed: 'file:' is not supported\.$/],
    ['javascript:alert(1)', /'javascript:' is not supported/],
    ['ftp://example.com/a.pdf', /'ftp:' is not supported/],
    ['data:application/pdf;base64,AAAA', /'data:' is not supported/],
    ['mailto:a@b.com', /'mailto:' is not supported/],
    ['C:\\docs\\a.pdf', /local file path/],
    ['/home/u/a.pdf', /local file path/],
    ['https://exa mple.com/a.pdf', /cannot contain spaces/],
    ['https://', /^Not a valid link: "https:\/\/"\. Use a full address such as/],
    ['just words', /cannot contain spaces/],
    ['nonsense', /Not a valid link/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const result = validateDocumentUrl(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.message, message);
    });
  }

  it('[R-PROP-1] property: never throws; accepted URLs are http(s) with a host', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.webUrl()), (s) => {
        const result = validateDocumentUrl(s);
        if (result.ok) {
          const u = new URL(result.url);
          assert.ok(u.protocol === 'http:' || u.protocol === 'https:');
          assert.ok(u.hostname.length > 0);
        } else {
          assert.ok(result.message.length > 0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
