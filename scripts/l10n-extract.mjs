#!/usr/bin/env node
// @ts-check
// Collects every vscode.l10n.t('…') message of src/ into l10n/bundle.l10n.json (English, key =
// message), and reports messages that l10n/bundle.l10n.zh-cn.json lacks. `--check` writes nothing
// and exits 1 when the bundle is stale or a translation is missing or extra.
// Own script rather than @vscode/l10n-dev: that tool needs a TypeScript AST pipeline and brings
// a large dependency tree for what is a literal scan here (every call passes a string literal).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CALL = /\bl10n\.t\(\s*(?:\{\s*message:\s*)?(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;

export function unescapeJs(body, quote) {
  if (quote === '`' && body.includes('${')) throw new Error(`template literal with \${} in l10n.t: ${body}`);
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/gs, (_, e) => {
    if (e[0] === 'u') return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r', 0: '\0' }[e] ?? e;
  });
}

export function extractMessages(dir = join(root, 'src')) {
  const found = new Set();
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(CALL)) found.add(unescapeJs(m[2], m[1]));
      }
    }
  };
  walk(dir);
  return [...found].sort();
}

function main() {
  const check = process.argv.includes('--check');
  const messages = extractMessages();
  const bundle = Object.fromEntries(messages.map((m) => [m, m]));
  const bundlePath = join(root, 'l10n', 'bundle.l10n.json');
  const text = JSON.stringify(bundle, null, 2) + '\n';
  const stale = !existsSync(bundlePath) || readFileSync(bundlePath, 'utf8') !== text;
  if (!check && stale) writeFileSync(bundlePath, text);
  const zhPath = join(root, 'l10n', 'bundle.l10n.zh-cn.json');
  const zh = existsSync(zhPath) ? JSON.parse(readFileSync(zhPath, 'utf8')) : {};
  const missing = messages.filter((m) => !(m in zh));
  const extra = Object.keys(zh).filter((k) => !(k in bundle));
  console.log(
    `${messages.length} messages; ${missing.length} missing in zh-cn; ${extra.length} extra in zh-cn.`,
  );
  for (const m of missing) console.log(`  missing: ${JSON.stringify(m)}`);
  for (const m of extra) console.log(`  extra:   ${JSON.stringify(m)}`);
  if (check && (stale || missing.length || extra.length)) {
    if (stale) console.log('l10n/bundle.l10n.json is stale: run node scripts/l10n-extract.mjs');
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
