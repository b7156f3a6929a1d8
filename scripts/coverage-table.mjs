#!/usr/bin/env node
// @ts-check
// The coverage table of the extension's contributions: every command, menu entry, setting and
// welcome-view command link of package.json, each mapped to the tests that exercise it. A test
// claims an item with a tag in its title (see CONTRIBUTING.md, "Coverage"):
//   [cmd:mineru.showLog]  [setting:mineru.batchLimit]  [menu:view/title:mineru.refresh]
//   [menu:view/item/context:mineru.retryTask#inline]  [welcome:mineru.setToken]
// Titles are read from the `it(...)` calls of test/unit, test/integration and test/ui.
//
//   node scripts/coverage-table.mjs                 write the table into CONTRIBUTING.md
//   node scripts/coverage-table.mjs --check         exit 1 when an item has no test, a tag names
//                                                   nothing contributed, or the table is stale
//   ... --results a.json [--results b.json ...]     also require a tagged test of each item to
//                                                   have passed in that run
//
// Result files: a suite's JSON with `tests: [{ title, state }]` (run-host-tests.mjs,
// run-ui-tests.mjs) or mocha's JSON reporter output (`tests: [{ fullTitle, err }]`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_DIRS = ['test/unit', 'test/integration', 'test/ui'];
const DOC = path.join(ROOT, 'CONTRIBUTING.md');
const START = '<!-- coverage:start -->';
const END = '<!-- coverage:end -->';
const TAG = /\[((?:cmd|menu|setting|welcome):[^\]\s]+)\]/g;

/** @typedef {'cmd' | 'menu' | 'setting' | 'welcome'} Kind */
/** @typedef {{ kind: Kind, id: string }} Item */
/** @typedef {{ file: string, title: string, tags: string[] }} TaggedTest */

const KIND_LABEL = /** @type {Record<Kind, string>} */ ({
  cmd: 'command',
  menu: 'menu',
  setting: 'setting',
  welcome: 'welcome',
});

/** @param {string} file */
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * Every item package.json contributes, in manifest order.
 * @param {any} manifest package.json
 * @param {Record<string, string>} nls package.nls.json, for the welcome texts
 * @returns {Item[]}
 */
export function contributedItems(manifest, nls) {
  const c = manifest.contributes ?? {};
  /** @type {Item[]} */
  const items = [];
  const add = (/** @type {Kind} */ kind, /** @type {string} */ id) => {
    if (!items.some((i) => i.kind === kind && i.id === id)) items.push({ kind, id });
  };
  for (const command of c.commands ?? []) add('cmd', command.command);
  for (const [menu, entries] of Object.entries(c.menus ?? {})) {
    // commandPalette entries only hide commands from the palette; there is nothing to click.
    if (menu === 'commandPalette') continue;
    for (const entry of /** @type {{ command: string, group?: string }[]} */ (entries)) {
      const inline = menu === 'view/item/context' && /^inline/.test(entry.group ?? '');
      add('menu', `${menu}:${entry.command}${inline ? '#inline' : ''}`);
    }
  }
  const configurations = Array.isArray(c.configuration) ? c.configuration : [c.configuration ?? {}];
  for (const conf of configurations)
    for (const key of Object.keys(conf.properties ?? {})) add('setting', key);
  for (const welcome of c.viewsWelcome ?? []) {
    const text = String(welcome.contents).replace(/^%(.+)%$/, (_m, key) => nls[key] ?? '');
    for (const m of text.matchAll(/\]\(command:([\w.-]+)/g)) add('welcome', /** @type {string} */ (m[1]));
  }
  return items;
}

/**
 * The titles of the `it(...)` calls of a test source that carry coverage tags.
 * @param {string} source
 * @returns {{ title: string, tags: string[] }[]}
 */
export function taggedTitles(source) {
  const found = [];
  const call = /\bit(?:\.only)?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const m of source.matchAll(call)) {
    const title = unescape(/** @type {string} */ (m[2]));
    const tags = [...title.matchAll(TAG)].map((t) => /** @type {string} */ (t[1]));
    if (tags.length) found.push({ title, tags });
  }
  return found;
}

/** The string a JS literal's body stands for (the escapes titles use). @param {string} body */
function unescape(body) {
  /** @type {Record<string, string>} */
  const named = { n: '\n', t: '\t' };
  return body.replace(/\\(.)/g, (_m, /** @type {string} */ ch) => named[ch] ?? ch);
}

/** @returns {TaggedTest[]} */
function scanTests() {
  /** @type {TaggedTest[]} */
  const tests = [];
  for (const dir of TEST_DIRS) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    const files = fs
      .readdirSync(abs, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.test\.ts$/.test(f))
      .sort();
    for (const rel of files) {
      const file = path.posix.join(dir, rel.split(path.sep).join('/'));
      for (const t of taggedTitles(fs.readFileSync(path.join(ROOT, file), 'utf8')))
        tests.push({ file, ...t });
    }
  }
  return tests;
}

/**
 * Titles of the tests that passed, and of every test, in the given result files.
 * @param {string[]} files
 */
function readResults(files) {
  /** @type {{ title: string, passed: boolean }[]} */
  const all = [];
  for (const file of files) {
    const data = readJson(path.resolve(file));
    if (!Array.isArray(data.tests)) throw new Error(`${file} lists no tests (no "tests" array)`);
    for (const t of data.tests) {
      const title = String(t.title ?? t.fullTitle ?? '');
      const passed =
        t.state !== undefined
          ? t.state === 'passed'
          : !(t.err && Object.keys(t.err).length > 0) && !t.pending;
      all.push({ title, passed });
    }
  }
  return all;
}

/** @param {Item} item */
function tagOf(item) {
  return `${item.kind}:${item.id}`;
}

/** A title without its coverage tags (the table's columns say what it covers). @param {string} title */
function withoutTags(title) {
  return title
    .replace(TAG, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** @param {string} text */
function cell(text) {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The Markdown block between the markers.
 * @param {Item[]} items
 * @param {TaggedTest[]} tests
 */
export function renderTable(items, tests) {
  const lines = [
    START,
    '<!-- Generated by `npm run coverage` (scripts/coverage-table.mjs); `--check` keeps it current. -->',
    '<!-- prettier-ignore-start -->',
    '| Item | Kind | Test (file: title) |',
    '| --- | --- | --- |',
  ];
  for (const item of items) {
    const own = tests.filter((t) => t.tags.includes(tagOf(item)));
    const where = own.length
      ? own.map((t) => `\`${t.file}\`: ${cell(withoutTags(t.title))}`).join('<br>')
      : '**missing**';
    lines.push(`| \`${item.id}\` | ${KIND_LABEL[item.kind]} | ${where} |`);
  }
  lines.push('<!-- prettier-ignore-end -->', END);
  return lines.join('\n');
}

/** @param {string} doc */
function currentBlock(doc) {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return doc.slice(start, end + END.length);
}

/** @param {string} doc @param {string} block */
function withBlock(doc, block) {
  const current = currentBlock(doc);
  if (current !== undefined) return doc.replace(current, () => block);
  // First run only: the section's prose is CONTRIBUTING.md's to keep from then on.
  const section =
    '## Coverage\n\n' +
    'Every command, menu entry, setting and welcome button has a test that claims it with a tag in\n' +
    'its title: `[cmd:<command>]`, `[setting:<key>]`, `[menu:<menu>:<command>]` (`#inline` for\n' +
    'inline tree actions) or `[welcome:<command>]`. `npm run coverage` rewrites this table;\n' +
    '`node scripts/coverage-table.mjs --check` fails when an item has no test or the table is stale.\n\n';
  return `${doc.replace(/\n*$/, '\n\n')}${section}${block}\n`;
}

function main() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      results: { type: 'string', multiple: true, default: [] },
    },
  });
  const manifest = readJson(path.join(ROOT, 'package.json'));
  const nlsFile = path.join(ROOT, 'package.nls.json');
  const nls = fs.existsSync(nlsFile) ? readJson(nlsFile) : {};
  const items = contributedItems(manifest, nls);
  const tests = scanTests();
  const block = renderTable(items, tests);
  const doc = fs.readFileSync(DOC, 'utf8');

  if (!values.check) {
    const next = withBlock(doc, block);
    if (next !== doc) fs.writeFileSync(DOC, next);
    const missing = items.filter((i) => !tests.some((t) => t.tags.includes(tagOf(i))));
    console.log(
      `[coverage] ${items.length} items, ${items.length - missing.length} with a test, ${missing.length} without; ` +
        `CONTRIBUTING.md ${next !== doc ? 'updated' : 'already current'}`,
    );
    return 0;
  }

  const problems = [];
  const known = new Set(items.map(tagOf));
  for (const t of tests)
    for (const tag of t.tags)
      if (!known.has(tag)) problems.push(`tag [${tag}] names nothing in package.json: ${t.file}: ${t.title}`);
  const results = values.results.length ? readResults(values.results) : undefined;
  for (const item of items) {
    const own = tests.filter((t) => t.tags.includes(tagOf(item)));
    if (own.length === 0) {
      problems.push(`no test: ${KIND_LABEL[item.kind]} ${item.id} (tag [${tagOf(item)}])`);
      continue;
    }
    if (!results) continue;
    // A result's full title is "<describe titles> <test title>".
    const ran = own.flatMap((t) =>
      results.filter((r) => r.title === t.title || r.title.endsWith(` ${t.title}`)),
    );
    if (!ran.some((r) => r.passed)) {
      problems.push(
        `${ran.length ? 'failed' : 'not run'}: ${KIND_LABEL[item.kind]} ${item.id} ` +
          `(${own.map((t) => `${t.file}: ${t.title}`).join('; ')})`,
      );
    }
  }
  if (currentBlock(doc) !== block)
    problems.push('CONTRIBUTING.md: the coverage table is not current; run `npm run coverage`');
  for (const p of problems) console.error(`[coverage] ${p}`);
  const covered = items.filter((i) => tests.some((t) => t.tags.includes(tagOf(i)))).length;
  console.log(
    `[coverage] ${items.length} items, ${covered} with a test${results ? ` (checked against ${values.results.length} result file(s))` : ''}; ` +
      `${problems.length} problem(s)`,
  );
  return problems.length ? 1 : 0;
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) process.exit(main());
