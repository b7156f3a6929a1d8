// Bundles the extension for the extension host into four files: dist/extension.js (what
// activation loads: src/extension.ts alone, the stand-ins for the contributed commands and tools),
// dist/composition.js (the composition root with the tree, the store, the commands; loaded just
// after activation), dist/later.js (the modules reached only through import(): the API client,
// the importer and zip code, the viewer, the connection checks, the parts merge), required by
// dist/composition.js on the first such import(), and dist/axios.js (axios with its dependencies),
// required on the first request. Activation compiles a few KB; the rest loads when first needed.
// Shape follows the `yo code` esbuild template: --production minifies, --watch rebuilds.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the form VS Code's $esbuild-watch problem matcher understands. */
const problemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

/**
 * `import('./composition.js')` in src/extension.ts becomes a require of dist/composition.js beside
 * it (a CommonJS require, as the extension host loads its modules), not a copy in its bundle.
 */
const compositionBesidePlugin = {
  name: 'composition-beside',
  setup(build) {
    build.onResolve({ filter: /^\.\/composition\.js$/ }, (args) =>
      args.namespace === 'beside'
        ? { path: './composition.js', external: true }
        : { path: 'composition', namespace: 'beside' },
    );
    build.onLoad({ filter: /.*/, namespace: 'beside' }, () => ({
      contents: "module.exports = require('./composition.js');",
      loader: 'js',
    }));
  },
};

/**
 * `axios` in the extension's code resolves to the separate bundle next to it; an `import('axios')`
 * too, as a require (esbuild would keep an external `import()` as an ES-module load).
 */
const axiosBesidePlugin = {
  name: 'axios-beside',
  setup(build) {
    build.onResolve({ filter: /^axios$/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: 'axios', namespace: 'axios-beside' }
        : { path: './axios.js', external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'axios-beside' }, () => ({
      contents: "module.exports = require('axios');",
      loader: 'js',
      resolveDir: __dirname,
    }));
  },
};

/**
 * axios's `form-data` dependency (with mime-types and its 134 KB mime-db) becomes Node's own
 * FormData, which axios also streams: the extension never sends form data, and dist/axios.js is
 * parsed on the first request, on the extension host's event loop.
 */
const nodeFormDataPlugin = {
  name: 'node-form-data',
  setup(build) {
    build.onResolve({ filter: /^form-data$/ }, () => ({ path: 'form-data', namespace: 'node-form-data' }));
    build.onLoad({ filter: /.*/, namespace: 'node-form-data' }, () => ({
      contents: 'module.exports = globalThis.FormData;',
      loader: 'js',
    }));
  },
};

/**
 * axios's `fetch` and `xhr` adapters, which Node never uses here (every request goes through its
 * `http` adapter, like VS Code's own proxy support), become "not available": the fetch adapter
 * probes `fetch`, `Request`, `Response` and `ReadableStream` when it is loaded, on the extension
 * host's event loop, the first time the extension makes a request.
 */
const nodeAdapterOnlyPlugin = {
  name: 'node-adapter-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/(fetch|xhr)\.js$/ }, (args) =>
      /[\\/]axios[\\/]lib[\\/]adapters$/.test(args.resolveDir)
        ? { path: args.path, namespace: 'node-adapter-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-adapter-only' }, (args) => ({
      contents: args.path === './fetch.js' ? 'export const getFetch = () => false;' : 'export default false;',
      loader: 'js',
    }));
  },
};

/**
 * The viewer's webview (Source beside Markdown): its script with pdf.js bundled in, for the
 * browser, plus pdf.js's worker, CMaps and standard fonts copied beside it (no CDN: it works
 * offline), and its stylesheet: everything under dist/webview/, the panel's only extension root.
 */
async function buildWebview() {
  const out = path.join(__dirname, 'dist', 'webview');
  fs.mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: ['src/webview/viewer.ts'],
    bundle: true,
    format: 'esm',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    platform: 'browser',
    target: 'chrome120',
    outfile: 'dist/webview/viewer.js',
    logLevel: 'silent',
  });
  const pdfjs = path.dirname(require.resolve('pdfjs-dist/package.json'));
  fs.copyFileSync(path.join(pdfjs, 'build', 'pdf.worker.min.mjs'), path.join(out, 'pdf.worker.min.mjs'));
  for (const dir of ['cmaps', 'standard_fonts'])
    fs.cpSync(path.join(pdfjs, dir), path.join(out, dir), { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'src', 'webview', 'viewer.css'), path.join(out, 'viewer.css'));
}

/**
 * The PDF splitter's worker thread (issue 18), with pdf-lib bundled in: src/core/split/splitter.ts
 * starts dist/splitWorker.js beside dist/extension.js, so pdf-lib is parsed in the worker only,
 * never on the extension host.
 */
async function buildSplitWorker() {
  await esbuild.build({
    entryPoints: ['src/core/split/splitWorker.ts'],
    bundle: true,
    format: 'cjs',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    platform: 'node',
    target: 'node20',
    outfile: 'dist/splitWorker.js',
    logLevel: 'silent',
  });
}

/** A module's path as esbuild's metafile names it (relative to this folder, forward slashes). */
const rel = (file) => path.relative(__dirname, file).split(path.sep).join('/');

/**
 * Options shared by the Node bundles of the extension. `axios` resolves to dist/axios.js in
 * both, and `vscode` is the host's.
 */
const nodeBundle = {
  bundle: true,
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'silent',
};

/**
 * The modules the extension reaches only through `import()` (the API client, the importer and
 * the zip code, the viewer, the connection checks, the parts merge: ~95 KB) go into
 * dist/later.js, which dist/composition.js requires on the first such import(): the composition
 * root then compiles only what the first paint needs. Found from esbuild's metafile: `static` is
 * every module reached from src/composition.ts without crossing an import(); `targets` are the import()ed
 * modules outside it.
 */
async function splitGraph() {
  const { metafile } = await esbuild.build({
    ...nodeBundle,
    entryPoints: ['src/composition.ts'],
    write: false,
    outfile: 'dist/composition.js',
    metafile: true,
    plugins: [axiosBesidePlugin],
  });
  const inputs = metafile.inputs;
  const reached = new Set();
  const stack = ['src/composition.ts'];
  while (stack.length > 0) {
    const file = stack.pop();
    if (reached.has(file) || !inputs[file]) continue;
    reached.add(file);
    for (const i of inputs[file].imports) if (i.kind !== 'dynamic-import' && !i.external) stack.push(i.path);
  }
  const targets = new Set();
  for (const file of reached)
    for (const i of inputs[file].imports)
      // A plugin's stand-in ("namespace:path", such as axios-beside's) stays where it is.
      if (i.kind === 'dynamic-import' && !i.external && !reached.has(i.path) && !/^[\w-]+:/.test(i.path))
        targets.add(i.path);
  return { static: reached, targets: [...targets].sort() };
}

/**
 * Resolves every import the way esbuild would, then hands modules whose path is in `pick` to
 * `namespace` (a module made of one line that takes its exports from the other bundle).
 */
function redirect(name, pick, namespace, line) {
  return {
    name,
    setup(build) {
      build.onResolve({ filter: /^\.\/(composition|later)\.js$/ }, (args) =>
        args.namespace === namespace ? { path: args.path, external: true } : undefined,
      );
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === name || args.namespace === namespace || !pick(args)) return undefined;
        const found = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: name,
        });
        if (found.errors.length > 0 || found.external || !found.path) return undefined;
        const file = rel(found.path);
        return pick(args, file) ? { path: file, namespace } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: line(args.path), loader: 'js' }));
    },
  };
}

/** Builds `<out>/later.js`; returns its metafile and the modules it takes from composition.js. */
async function buildLater(graph, out) {
  const used = new Set();
  const fromMain = redirect(
    'from-composition',
    (args, file) =>
      file === undefined ? args.kind !== 'entry-point' : graph.static.has(file) && used.add(file),
    'from-composition',
    (file) => `module.exports = require('./composition.js').__shared[${JSON.stringify(file)}];`,
  );
  const entry = graph.targets.map((file, n) => `import * as m${n} from './${file}';`);
  const parts = graph.targets.map((file, n) => `${JSON.stringify(file)}: m${n}`);
  entry.push(`export const parts = { ${parts.join(', ')} };`);
  const { metafile } = await esbuild.build({
    ...nodeBundle,
    stdin: { contents: entry.join('\n'), resolveDir: __dirname, sourcefile: 'later-entry.js', loader: 'js' },
    outfile: path.join(out, 'later.js'),
    metafile: true,
    plugins: [axiosBesidePlugin, fromMain],
  });
  return { metafile, shared: [...used].sort() };
}

/** The options of `<out>/extension.js`: src/extension.ts alone, composition.js required beside it. */
function activationEntry(out) {
  return {
    ...nodeBundle,
    entryPoints: ['src/extension.ts'],
    outfile: path.join(out, 'extension.js'),
    metafile: true,
    plugins: [compositionBesidePlugin, problemMatcherPlugin],
  };
}

/** Builds `<out>/extension.js` alone (test/unit/activation.test.ts); returns its metafile. */
async function buildActivationEntry(out) {
  return (await esbuild.build(activationEntry(out))).metafile;
}

/**
 * The extension host's bundles in `out`: axios.js, later.js, composition.js (which exports,
 * besides compose/shutdown, `__shared`: the namespaces of its modules that later.js uses, so
 * both bundles share one copy of each module, its classes and its state) and extension.js (the
 * activation entry, which requires composition.js). Returns their metafiles
 * (test/unit/lazyBundle.test.ts checks the split). With `watch`, composition.js holds everything
 * (no later.js), and both it and extension.js rebuild on change.
 */
async function buildNode(out = 'dist', { watch: watching = false } = {}) {
  await esbuild.build({
    ...nodeBundle,
    external: [],
    // axios's sources (its package's `import` entry), so that the browser adapters can be left out.
    stdin: {
      contents: "import axios from 'axios';\nmodule.exports = axios;",
      resolveDir: __dirname,
      loader: 'js',
    },
    outfile: path.join(out, 'axios.js'),
    plugins: [nodeFormDataPlugin, nodeAdapterOnlyPlugin],
  });
  const graph = watching ? { static: new Set(), targets: [] } : await splitGraph();
  const later = watching ? { metafile: undefined, shared: [] } : await buildLater(graph, out);
  const targets = new Set(graph.targets);
  const toLater = redirect(
    'to-later',
    (args, file) => args.kind === 'dynamic-import' && (file === undefined || targets.has(file)),
    'to-later',
    (file) => `module.exports = require('./later.js').parts[${JSON.stringify(file)}];`,
  );
  const entry = ["export * from './src/composition';"];
  later.shared.forEach((file, n) => entry.push(`import * as s${n} from './${file}';`));
  const shared = later.shared.map((file, n) => `${JSON.stringify(file)}: s${n}`);
  entry.push(`export const __shared = { ${shared.join(', ')} };`);
  const contexts = [
    await esbuild.context({
      ...nodeBundle,
      stdin: {
        contents: entry.join('\n'),
        resolveDir: __dirname,
        sourcefile: 'composition-entry.js',
        loader: 'js',
      },
      outfile: path.join(out, 'composition.js'),
      metafile: true,
      plugins: [axiosBesidePlugin, toLater, problemMatcherPlugin],
    }),
    await esbuild.context(activationEntry(out)),
  ];
  if (watching) {
    await Promise.all(contexts.map((c) => c.watch()));
    return undefined;
  }
  const [composition, extension] = await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  return {
    extension: extension.metafile,
    composition: composition.metafile,
    later: later.metafile,
    targets: graph.targets,
    shared: later.shared,
  };
}

async function main() {
  await buildWebview();
  await buildSplitWorker();
  await buildNode('dist', { watch });
}

module.exports = { buildNode, buildActivationEntry };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
