/**
 * The import-cycle check of `npm test` (scripts/check-import-cycles.mjs), run for real on tiny
 * projects written to a temp folder: it must name the files of a circle and fail, and pass when
 * there is none.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-import-cycles.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function check(root: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, '--root', root, ...args, 'src'], (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mineru-cycles-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('npm test: import cycle check', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const make = (files: Record<string, string>): string => {
    const dir = project(files);
    dirs.push(dir);
    return dir;
  };

  it('fails on a circle of files and lists them in order', async () => {
    const dir = make({
      'src/a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'src/b.ts': "import { c } from './lib/c';\nexport const b = (): number => c;\n",
      'src/lib/c.ts': "import { a } from '../a';\nexport const c = 1;\nexport const useA = a;\n",
      'src/free.ts': "import { c } from './lib/c';\nexport const free = c;\n",
    });
    const run = await check(dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /files: 1 import cycle/);
    assert.ok(run.stderr.includes('src/a.ts -> src/b.ts -> src/lib/c.ts -> src/a.ts'), run.stderr);
    assert.ok(!run.stderr.includes('free.ts'), run.stderr);
  });

  it('fails on a circle of folders that no file circle shows, unless --files-only', async () => {
    const dir = make({
      'src/one/a.ts': "import { b } from '../two/b';\nexport const a = b;\n",
      'src/two/b.ts': 'export const b = 1;\n',
      'src/two/c.ts': "import { a } from '../one/a';\nexport const c = a;\n",
    });
    const run = await check(dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /files: no import cycle/);
    assert.ok(run.stderr.includes('src/one -> src/two -> src/one'), run.stderr);
    const filesOnly = await check(dir, '--files-only');
    assert.equal(filesOnly.code, 0, filesOnly.stdout + filesOnly.stderr);
  });

  it('counts type-only imports, except with --runtime-only', async () => {
    const dir = make({
      'src/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'src/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    });
    const run = await check(dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.ok(run.stderr.includes('src/a.ts -> src/b.ts -> src/a.ts'), run.stderr);
    const runtime = await check(dir, '--runtime-only');
    assert.equal(runtime.code, 0, runtime.stdout + runtime.stderr);
  });

  it('passes when nothing imports in a circle', async () => {
    const dir = make({
      'src/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'src/b.ts': "import * as path from 'node:path';\nexport const b = path.sep;\n",
    });
    const run = await check(dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /files: no import cycle in src \(2 files, 1 imports\)/);
  });
});
