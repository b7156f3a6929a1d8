/**
 * Tests written from the surviving mutants of src/core/results/markdownLinks.ts (npm run
 * mutation): what counts as leaving the result folder, each link syntax the neutraliser and the
 * image check must recognise (parentheses, <…>, spaces around "=", reference definitions), and
 * entity decoding in image paths.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BLOCKED_TARGET,
  checkImageLinks,
  isOutsideTarget,
  linkTargets,
  localImageTargets,
  neutralizeOutsideLinks,
} from '../../src/core/results/markdownLinks';

describe('mutation: markdownLinks', () => {
  it('isOutsideTarget: only a whole <…>, "…" or \'…\' is unwrapped', () => {
    const cases: [string, boolean][] = [
      ['<../x>', true],
      ['"../x"', true],
      ["'../x'", true],
      ['<../x', false], // "<.." is one odd segment name, not a climb
      ['"../x', false],
      ["'../x", false],
      ['../x>', true],
      ['../x"', true],
      ["../x'", true],
    ];
    for (const [target, outside] of cases) assert.equal(isOutsideTarget(target), outside, target);
  });

  it('isOutsideTarget: decoded white space is trimmed; a trailing "#" is no fragment', () => {
    assert.equal(isOutsideTarget('%20../x'), true);
    assert.equal(isOutsideTarget('../x#'), true);
    assert.equal(isOutsideTarget('#../../x'), false);
  });

  it('isOutsideTarget: a colon after the first segment is no scheme', () => {
    assert.equal(isOutsideTarget('images/a:b.png'), false);
    assert.equal(isOutsideTarget('vscode:x'), true);
  });

  it('isOutsideTarget: "." and empty segments do not count as depth', () => {
    assert.equal(isOutsideTarget('./../x'), true);
    assert.equal(isOutsideTarget('a//../../x'), true);
    assert.equal(isOutsideTarget('a/./../x'), false);
  });

  it('neutralises a destination with balanced parentheses as a whole', () => {
    assert.equal(neutralizeOutsideLinks('[a](../a_(bc).png)'), `[a](${BLOCKED_TARGET})`);
    assert.equal(neutralizeOutsideLinks('[a](a_(bc).png)'), '[a](a_(bc).png)');
  });

  it('neutralises reference definitions at the start of a line, with any spacing after ":"', () => {
    assert.equal(neutralizeOutsideLinks('[a]:  ../x'), `[a]:  ${BLOCKED_TARGET}`);
    assert.equal(neutralizeOutsideLinks('[a]:../x'), `[a]:${BLOCKED_TARGET}`);
    assert.equal(neutralizeOutsideLinks('see [a]: ../x'), 'see [a]: ../x');
  });

  it('neutralises HTML attributes with spaces around "=" and unquoted values', () => {
    assert.equal(neutralizeOutsideLinks('<img src = "../x.png">'), `<img src = "${BLOCKED_TARGET}">`);
    assert.equal(neutralizeOutsideLinks('<img src= "../x.png">'), `<img src= "${BLOCKED_TARGET}">`);
    assert.equal(neutralizeOutsideLinks('<a href=../up.html>'), `<a href=${BLOCKED_TARGET}>`);
    assert.equal(neutralizeOutsideLinks("<a href='../up.html'>"), `<a href='${BLOCKED_TARGET}'>`);
  });

  it('linkTargets lists inline, reference and HTML targets, as written', () => {
    assert.deepEqual(linkTargets('[i](a.md)\n[r]: ../x\n<img src="y.png">'), ['a.md', '../x', '"y.png"']);
  });

  it('localImageTargets: <…> with spaces, parentheses, every <img src> form; not empty, remote or //host', () => {
    const md = [
      '![x](<images/a b.png>)',
      '![x](images/a_(1).png)',
      '![x]()',
      '![x](//cdn.example/x.png)',
      '![x](images/c:d.png)',
      '<img alt="x" src="images/e.png">',
      '<img src = "images/f.png">',
      "<img src='images/g.png'>",
      '<img src=images/h.png>',
      '<img src=" images/i.png ">',
    ].join('\n');
    assert.deepEqual(localImageTargets(md), [
      'images/a b.png',
      'images/a_(1).png',
      'images/c:d.png',
      'images/e.png',
      'images/f.png',
      'images/g.png',
      'images/h.png',
      'images/i.png',
    ]);
  });

  describe('checkImageLinks', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mineru-mut-links-'));
      mkdirSync(join(dir, 'sub'));
      mkdirSync(join(dir, '~'));
      writeFileSync(join(dir, 'a&b.png'), 'x');
      writeFileSync(join(dir, 'sub', 'a.png'), 'x');
      writeFileSync(join(dir, '~', 'x.png'), 'x');
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('decodes &#38; and &#x26; in image paths, and reads backslashes as separators', async () => {
      const md = '![](a&#38;b.png) ![](a&#038;b.png) ![](a&#x26;b.png) ![](a&amp;b.png) ![](sub\\a.png)';
      assert.deepEqual(await checkImageLinks(md, dir), []);
    });

    it('a target that leaves the folder is broken even when a file of that name exists inside', async () => {
      assert.deepEqual(await checkImageLinks('![](~/x.png)', dir), ['~/x.png']);
    });
  });

  it('neutralises <…> destinations with spaces, inline and in reference definitions', () => {
    assert.equal(neutralizeOutsideLinks('[a](<../x y>)'), `[a](${BLOCKED_TARGET})`);
    assert.equal(neutralizeOutsideLinks('[a]: <../x y>'), `[a]: ${BLOCKED_TARGET}`);
    assert.deepEqual(localImageTargets('![x](images/a_(12).png)'), ['images/a_(12).png']);
  });
});
