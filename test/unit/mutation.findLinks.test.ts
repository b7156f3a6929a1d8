/**
 * Tests written from the surviving mutants of src/core/links/findLinks.ts (npm run mutation): link
 * ends in each context, entity decoding, bracket balance, the cursor window of linkAt, and every
 * branch and message of validateDocumentUrl.
 */
import * as assert from 'node:assert/strict';
import { findDocumentLinks, linkAt, urlExtension } from '../../src/core/links/findLinks';
import { validateDocumentUrl } from '../../src/core/links/validateUrl';

function one(text: string): { url: string; start: number; end: number } {
  const found = findDocumentLinks(text);
  assert.equal(found.length, 1, JSON.stringify(found));
  const { url, start, end } = found[0]!;
  return { url, start, end };
}

function rejected(input: string): string {
  const result = validateDocumentUrl(input);
  assert.equal(
    result.ok,
    false,
    `expected a rejection of ${JSON.stringify(input)}: ${JSON.stringify(result)}`,
  );
  return result.ok ? '' : result.message;
}

function accepted(input: string): { url: string; warning?: string } {
  const result = validateDocumentUrl(input);
  assert.equal(result.ok, true, `expected ${JSON.stringify(input)} accepted: ${JSON.stringify(result)}`);
  return result.ok
    ? result.warning === undefined
      ? { url: result.url }
      : { url: result.url, warning: result.warning }
    : { url: '' };
}

describe('mutation: findLinks: findDocumentLinks', () => {
  it('ends a bare link at any Unicode white space, not only the ASCII ones', () => {
    assert.deepEqual(one('see https://example.com/a.pdf\u2003next'), {
      url: 'https://example.com/a.pdf',
      start: 4,
      end: 29,
    });
  });

  it('keeps a balanced closing ] or } and drops an unbalanced one', () => {
    const square = 'see https://example.com/x[1] now';
    assert.equal(one(square).end, square.indexOf(' now'));
    const curly = 'see https://example.com/x{1} now';
    assert.equal(one(curly).end, curly.indexOf(' now'));
    const extra = 'see https://example.com/x[1]] now';
    assert.equal(one(extra).end, extra.indexOf('] now'));
  });

  it('decodes &#38; and &#x26; (with or without leading zeros) in a quoted attribute', () => {
    for (const entity of ['&#38;', '&#038;', '&#x26;', '&#x0026;', '&amp;']) {
      const text = `<a href="https://example.com/a.pdf?x=1${entity}y=2">`;
      assert.equal(one(text).url, 'https://example.com/a.pdf?x=1&y=2', entity);
    }
  });

  it('a Markdown destination after "](" and spaces or tabs ends at the closing ")", punctuation kept', () => {
    for (const gap of [' ', '\t', ' \t ']) {
      const text = `[t](${gap}https://example.com/v1.)`;
      assert.equal(one(text).url, 'https://example.com/v1.', JSON.stringify(gap));
    }
    // Bare text, for contrast: the trailing dot is trimmed.
    assert.equal(one('(see https://example.com/v1.)').url, 'https://example.com/v1');
  });

  it('only "](<" allows spaces inside <…>; a plain <autolink> ends at a space', () => {
    assert.equal(one('[t](<https://example.com/a b.pdf>)').url, 'https://example.com/a%20b.pdf');
    assert.equal(one('](<https://example.com/a b.pdf>)').url, 'https://example.com/a%20b.pdf');
    for (const text of [
      'see <https://example.com/a b.pdf> now',
      'x(<https://example.com/a b.pdf>)',
      'a]x<https://example.com/a b.pdf>',
    ]) {
      assert.equal(one(text).url, 'https://example.com/a', text);
    }
  });

  it('"](<" destinations still end at "<" and at line breaks', () => {
    for (const stop of ['<', '\n', '\r']) {
      assert.equal(
        one(`[t](<https://example.com/a${stop}b.pdf>)`).url,
        'https://example.com/a',
        JSON.stringify(stop),
      );
    }
  });

  it('an unclosed <autolink is scanned as bare text: trailing punctuation trimmed', () => {
    assert.equal(one('<https://example.com/x.pdf. more').url, 'https://example.com/x.pdf');
  });

  it('skips a repeated link and goes on to the next one', () => {
    assert.deepEqual(
      findDocumentLinks('https://example.com/1.pdf https://example.com/1.pdf https://example.com/2.pdf').map(
        (l) => l.url,
      ),
      ['https://example.com/1.pdf', 'https://example.com/2.pdf'],
    );
  });

  it('urlExtension: a query value with an unsupported extension does not make the link supported', () => {
    assert.deepEqual(urlExtension(new URL('https://example.com/dl?file=x.zip')), { supported: false });
    assert.deepEqual(urlExtension(new URL('https://example.com/dl?file=x.pdf')), {
      extension: '.pdf',
      supported: true,
    });
  });

  it('urlExtension: a malformed escape in the last segment is read as written', () => {
    assert.deepEqual(urlExtension(new URL('https://example.com/%zz.pdf')), {
      extension: '.pdf',
      supported: true,
    });
  });
});

describe('mutation: findLinks: linkAt', () => {
  const text = 'https://example.com/a.pdf';

  it('finds the link with the cursor at its first and just after its last character', () => {
    assert.equal(linkAt(text, 0)?.url, text);
    assert.equal(linkAt(text, text.length)?.url, text);
  });

  it('refuses a cursor that is not an integer', () => {
    assert.equal(linkAt(text, 1.5), undefined);
    assert.equal(linkAt(text, Number.NaN), undefined);
  });

  it('a cursor right after a link at the end of a line finds that link, not the next line', () => {
    const two = `${text}\nhttps://example.com/b.pdf`;
    assert.equal(linkAt(two, text.length)?.url, text);
  });

  it('a cursor past a link on the same line finds nothing', () => {
    assert.equal(linkAt(`${text} and more`, text.length + 5), undefined);
  });

  it('finds a 6000-character link with the cursor at either end', () => {
    const long = `https://example.com/${'a'.repeat(6000)}.pdf`;
    const line = `x ${long} y`;
    const atStart = linkAt(line, 2);
    assert.equal(atStart?.end, 2 + long.length);
    assert.equal(atStart?.url, long);
    const atEnd = linkAt(line, 2 + long.length);
    assert.equal(atEnd?.start, 2);
    assert.equal(atEnd?.url, long);
  });
});

describe('mutation: findLinks: validateDocumentUrl', () => {
  it('unwraps only a whole <…>, "…" or \'…\', then trims inside', () => {
    assert.equal(accepted("'https://example.com/a.pdf'").url, 'https://example.com/a.pdf');
    assert.equal(accepted('< https://example.com/a.pdf >').url, 'https://example.com/a.pdf');
    assert.match(rejected('x<https://example.com/a.pdf>'), /^Not a valid link: /);
    assert.match(rejected('<https://example.com/a.pdf>x'), /^Not a valid link: /);
  });

  it('takes a scheme only at the start', () => {
    assert.equal(accepted('example.com/a.pdf?x=y:z').url, 'https://example.com/a.pdf?x=y:z');
  });

  it('host:port without a scheme gets https://, with or without a path', () => {
    assert.deepEqual(accepted('example.com:8080/a.pdf'), {
      url: 'https://example.com:8080/a.pdf',
      warning: 'No scheme given; using https://.',
    });
    assert.equal(accepted('example.com:8/a.pdf').url, 'https://example.com:8/a.pdf');
    assert.equal(accepted('example.com:8080').url.startsWith('https://example.com:8080/'), true);
    assert.equal(
      accepted('example.com:8080/?u=https://b.example').url,
      'https://example.com:8080/?u=https://b.example',
    );
  });

  it('an http: or https: link is never read as host:port', () => {
    assert.equal(accepted('http:8080/a.pdf').url.startsWith('http://'), true);
    assert.equal(accepted('https:8080/a.pdf').url.startsWith('https://'), true);
  });

  it('names the unsupported scheme even when a host:port follows it', () => {
    assert.equal(
      rejected('ftp://example.com:21/x.pdf'),
      "Only http and https links can be parsed: 'ftp:' is not supported.",
    );
  });

  it('host names: several labels, numeric labels, a bare domain, two-letter TLDs', () => {
    assert.equal(accepted('docs.example.com/a.pdf').url, 'https://docs.example.com/a.pdf');
    assert.equal(accepted('example.com').url, 'https://example.com/');
    assert.equal(accepted('ab.cd/x.pdf').url, 'https://ab.cd/x.pdf');
    const ip = accepted('192.168.1.10/a.pdf');
    assert.equal(ip.url, 'https://192.168.1.10/a.pdf');
    assert.match(ip.warning ?? '', /"192\.168\.1\.10" is a local or private address/);
  });

  it('"Not a valid link" (not "local file path") for text that only contains a path character later', () => {
    assert.match(rejected('foo/bar'), /^Not a valid link: "foo\/bar"/);
    assert.match(rejected('1:/x'), /^Not a valid link: "1:\/x"/);
    assert.equal(
      rejected('c:80/x'),
      'Not a valid link: "c:80/x". Use a full address such as https://example.com/report.pdf.',
    );
  });

  it('quotes a rejected link in full up to 80 characters, then cuts it to 77 and an ellipsis', () => {
    const eighty = 'x'.repeat(80);
    assert.equal(
      rejected(eighty),
      `Not a valid link: "${eighty}". Use a full address such as https://example.com/report.pdf.`,
    );
    const long = 'y'.repeat(81);
    assert.equal(
      rejected(long),
      `Not a valid link: "${'y'.repeat(77)}…". Use a full address such as https://example.com/report.pdf.`,
    );
  });

  it('warns about a user name, a password, or both', () => {
    for (const input of [
      'https://user@example.com/a.pdf',
      'https://:secret@example.com/a.pdf',
      'https://u:p@example.com/a.pdf',
    ]) {
      assert.match(accepted(input).warning ?? '', /contains a user name or password/, input);
    }
    assert.equal(accepted('https://example.com/a.pdf').warning, undefined);
  });

  it('joins several warnings with a space and lists the supported types with commas', () => {
    const { warning } = accepted('https://user@localhost/page');
    assert.ok(warning);
    assert.match(warning, /sent to the MinerU service as it is\. The MinerU service downloads/);
    assert.match(warning, /cannot reach\. Parse the file as a local file instead\. The link does not name/);
    assert.match(warning, /\(\.pdf, \.doc, /);
  });

  it('warns for a link-local IPv6 host', () => {
    assert.match(
      accepted('https://[fe80::1]/a.pdf').warning ?? '',
      /"\[fe80::1\]" is a local or private address/,
    );
  });
});
