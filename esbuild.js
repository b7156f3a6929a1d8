// Bundles the extension into dist/extension.js and its runtime dependency axios (with its own
// dependencies, ~260 KB of the ~430 KB) into dist/axios.js, which dist/extension.js requires only
// when the network code first runs (the client and the importer are import()ed on first use): the
// host then parses less than half the code while activating.
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

/** `axios` in the extension's code resolves to the separate bundle next to it. */
const axiosBesidePlugin = {
  name: 'axios-beside',
  setup(build) {
    build.onResolve({ filter: /^axios$/ }, () => ({ path: './axios.js', external: true }));
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

async function main() {
  await buildWebview();
  await buildSplitWorker();
  await esbuild.build({
    stdin: { contents: "module.exports = require('axios');", resolveDir: __dirname, loader: 'js' },
    bundle: true,
    format: 'cjs',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    platform: 'node',
    target: 'node20',
    outfile: 'dist/axios.js',
    logLevel: 'silent',
    plugins: [nodeFormDataPlugin],
  });
  const ctx = await esbuild.context({
    entryPoints: ['src/extension.ts'],
    bundle: true,
    format: 'cjs',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    platform: 'node',
    target: 'node20',
    outfile: 'dist/extension.js',
    external: ['vscode'],
    logLevel: 'silent',
    plugins: [axiosBesidePlugin, problemMatcherPlugin],
  });
  if (watch) {
    await ctx.watch();
  } else {
    await ctx.rebuild();
    await ctx.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
