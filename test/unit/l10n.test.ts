import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root (tests run from out/test/unit). */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

interface ExtractModule {
  extractMessages(dir?: string): string[];
}

/** `%key%` references anywhere in the manifest. */
function manifestKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = /^%([^%]+)%$/.exec(value);
    if (m) out.add(m[1]!);
  } else if (Array.isArray(value)) value.forEach((v) => manifestKeys(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => manifestKeys(v, out));
  return out;
}

/** What a translation must keep: {0} placeholders, setting references, command links, code spans count. */
function invariants(text: string): string {
  const placeholders = (text.match(/\{\d+\}/g) ?? []).sort();
  const settings = (text.match(/#mineru\.[A-Za-z.]+#/g) ?? []).sort();
  const links = (text.match(/\((command:[^)]+|https?:[^)]+)\)/g) ?? []).sort();
  return JSON.stringify({ placeholders, settings, links });
}

function compare(en: Record<string, unknown>, zh: Record<string, unknown>, what: string): void {
  const missing = Object.keys(en).filter((k) => !(k in zh));
  assert.deepEqual(missing, [], `${what}: missing in zh-cn`);
  const extra = Object.keys(zh).filter((k) => !(k in en));
  assert.deepEqual(extra, [], `${what}: in zh-cn but not in English`);
  for (const [key, value] of Object.entries(en)) {
    const translated = zh[key];
    assert.equal(typeof translated, 'string', `${what}: ${key}`);
    assert.ok((translated as string).trim(), `${what}: empty translation of ${key}`);
    assert.equal(
      invariants(translated as string),
      invariants(String(value)),
      `${what}: ${JSON.stringify(key)}`,
    );
  }
}

describe('Localisation (English and Simplified Chinese)', () => {
  it('every %key% of package.json is in package.nls.json and package.nls.zh-cn.json', () => {
    const keys = [...manifestKeys(readJson('package.json'))];
    assert.ok(keys.length > 30);
    const en = readJson('package.nls.json');
    const missing = keys.filter((k) => !(k in en));
    assert.deepEqual(missing, [], 'referenced by package.json but not in package.nls.json');
    const unused = Object.keys(en).filter((k) => !keys.includes(k));
    assert.deepEqual(unused, [], 'in package.nls.json but never referenced');
    compare(en, readJson('package.nls.zh-cn.json'), 'package.nls');
  });

  it('every vscode.l10n.t message in src/ is in bundle.l10n.json and bundle.l10n.zh-cn.json', async () => {
    const script = pathToFileURL(path.join(ROOT, 'scripts', 'l10n-extract.mjs')).href;
    const mod = (await import(script)) as ExtractModule;
    const messages = mod.extractMessages(path.join(ROOT, 'src'));
    assert.ok(messages.length > 100, `only ${messages.length} messages found`);
    const bundle = readJson('l10n/bundle.l10n.json');
    const stale = messages.filter((m) => !(m in bundle));
    assert.deepEqual(stale, [], 'run: node scripts/l10n-extract.mjs');
    const gone = Object.keys(bundle).filter((k) => !messages.includes(k));
    assert.deepEqual(gone, [], 'bundle.l10n.json holds messages no longer in src/');
    compare(bundle, readJson('l10n/bundle.l10n.zh-cn.json'), 'bundle.l10n');
  });

  it('package.json points VS Code at the l10n folder', () => {
    assert.equal(readJson('package.json').l10n, './l10n');
  });
});
