import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AxiosStatic } from 'axios';

/** What esbuild.js's buildNode() answers: the bundles' metafiles and the split it made. */
interface Metafile {
  inputs: Record<string, unknown>;
}
interface Split {
  extension: Metafile;
  composition: Metafile;
  later: Metafile;
  targets: string[];
  shared: string[];
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
// esbuild.js is the project's build script (CommonJS), not part of the compiled sources; the
// bundles it writes are loaded the same way, as the extension host loads dist/composition.js.
const load = nodeModule.createRequire(__filename);
const { buildNode } = load(path.join(ROOT, 'esbuild.js')) as {
  buildNode: (out: string) => Promise<Split>;
};

/** The source modules a metafile bundled (not the one-line modules the split plugins make). */
const sources = (m: Metafile): string[] => Object.keys(m.inputs).filter((f) => f.startsWith('src/'));

describe('the bundle split (esbuild.js: the composition root is dist/composition.js, import()ed modules are dist/later.js)', function () {
  this.timeout(60_000);
  let out: string;
  let split: Split;

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-bundle-'));
    split = await buildNode(out);
  });

  after(() => {
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('keeps the client, the importer and the viewer out of the composition root loaded at start', () => {
    const atActivation = sources(split.composition);
    for (const file of [
      'src/core/api/client.ts',
      'src/core/results/resultImporter.ts',
      'src/core/results/zipReader.ts',
      'src/vscode/viewer/sourceViewer.ts',
      'src/core/results/partsMerge.ts',
    ]) {
      assert.ok(!atActivation.includes(file), `${file} is in dist/composition.js`);
      assert.ok(sources(split.later).includes(file), `${file} is not in dist/later.js`);
    }
    assert.ok(atActivation.includes('src/vscode/taskTree.ts'));
  });

  it('bundles every module once: dist/later.js takes the modules of dist/composition.js from it', () => {
    const atActivation = new Set(sources(split.composition));
    const twice = sources(split.later).filter((f) => atActivation.has(f));
    assert.deepEqual(twice, [], 'modules copied into both bundles (two copies of their classes and state)');
    assert.ok(split.shared.length > 0);
    for (const file of split.shared) assert.ok(atActivation.has(file), file);
  });

  it('loads dist/later.js only when asked, and answers every import()ed module and every shared one from it', () => {
    const stub = path.join(out, 'vscode-stub.js');
    // Loading the bundle evaluates its top level only (classes, constants); this stands in for
    // the vscode module there: every property is a constructible function that answers itself.
    fs.writeFileSync(
      stub,
      'const f = new Proxy(function () {}, { get: (t, k) => (k === "prototype" ? {} : f), apply: () => f, construct: () => ({}) });\nmodule.exports = f;\n',
    );
    const Module = load('node:module') as {
      _resolveFilename: (request: string, ...rest: unknown[]) => string;
    };
    const resolve = Module._resolveFilename;
    Module._resolveFilename = (request: string, ...rest: unknown[]) =>
      request === 'vscode' ? stub : resolve(request, ...rest);
    try {
      const main = load(path.join(out, 'composition.js')) as { __shared: Record<string, object> };
      assert.equal(typeof (main as unknown as { compose: unknown }).compose, 'function');
      assert.equal(
        load.cache[path.join(out, 'later.js')],
        undefined,
        'dist/later.js loaded with composition.js',
      );
      assert.equal(
        load.cache[path.join(out, 'axios.js')],
        undefined,
        'dist/axios.js loaded with composition.js',
      );
      const later = load(path.join(out, 'later.js')) as { parts: Record<string, object> };
      assert.deepEqual(Object.keys(later.parts).sort(), [...split.targets].sort());
      assert.ok(split.targets.includes('src/core/api/client.ts'));
      assert.equal(
        typeof (later.parts['src/core/api/client.ts'] as { MinerUClient?: unknown }).MinerUClient,
        'function',
      );
      assert.deepEqual(Object.keys(main.__shared).sort(), [...split.shared].sort());
    } finally {
      Module._resolveFilename = resolve;
    }
  });

  it('dist/axios.js is axios with its http adapter alone: requests work, fetch and xhr are not there', async () => {
    const axios = load(path.join(out, 'axios.js')) as AxiosStatic;
    const server = http.createServer((req, res) => res.end(JSON.stringify({ method: req.method })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await axios.create({ proxy: false }).get(`http://127.0.0.1:${port}/`);
      assert.deepEqual(answer.data, { method: 'GET' });
      assert.equal(typeof axios.getAdapter('http'), 'function');
      // In Node 20 axios's own build has a working fetch adapter; loading it probes fetch,
      // Request, Response and ReadableStream on the extension host's event loop.
      for (const name of ['fetch', 'xhr'])
        assert.throws(() => axios.getAdapter(name), /adapter/i, `the ${name} adapter is in dist/axios.js`);
    } finally {
      server.close();
    }
  });

  it('ships every bundle it writes: .vscodeignore lets each one into the .vsix', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    const written = fs.readdirSync(out).filter((f) => f.endsWith('.js') && f !== 'vscode-stub.js');
    assert.deepEqual(written.sort(), ['axios.js', 'composition.js', 'extension.js', 'later.js']);
    for (const file of written)
      assert.ok(ignore.includes(`!dist/${file}`), `.vscodeignore leaves out dist/${file}`);
  });
});
