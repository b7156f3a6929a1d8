// @ts-check
import fs from 'node:fs';
import path from 'node:path';

// Mutation testing of the guard modules with StrykerJS 9 (StrykerJS 10 needs Node >= 22).
//
//   npm run mutation                      every module below, one Stryker run each (scripts/mutation.mjs)
//   npm run mutation -- naming poller     only these modules
//   MUTATION_MODULE=src/core/results/naming.ts npx stryker run    one module, by hand
//   npx stryker run                       all modules in one run against the whole unit suite (slow)
//   node scripts/mutation-report.mjs      reports/mutation/*.json → docs/mutation-scores.json
//
// Stryker copies the project into .stryker-tmp/, compiles it once with every mutant switched in
// (buildCommand), and then runs, for each mutant, only the compiled unit tests that reach it
// (coverageAnalysis perTest). Both .stryker-tmp/ and reports/ are git-ignored.

/**
 * The modules whose guards must have no surviving mutant (see docs/mutation-scores.json), each with
 * the compiled unit tests that exercise it. A per-module run (MUTATION_MODULE set, as
 * scripts/mutation.mjs does) loads only these files: every mutant still runs only the tests that
 * reach it, but a "static" mutant (one in module-level code, such as a regex constant) has to run
 * every loaded test, and with the whole suite that made one small module take five minutes.
 * @type {Record<string, string[]>}
 */
export const GUARD_MODULES = {
  'src/core/results/extract.ts': [
    'results.extract',
    'reliability.input',
    'reliability.interrupt',
    'reliability.net',
    'engine',
  ],
  // The guards split out of extract.ts (issue 13): the same tests, plus mutation.extract.
  ...Object.fromEntries(
    [
      'entryPath',
      'extractLimits',
      'zipDirectory',
      'resultLayout',
      'placement',
      'outputWriteError',
      'staleTempFolders',
    ].map((stem) => [
      `src/core/results/${stem}.ts`,
      [
        'results.extract',
        'reliability.input',
        'reliability.interrupt',
        'reliability.net',
        'engine',
        'mutation.extract',
      ],
    ]),
  ),
  'src/core/results/naming.ts': ['naming', 'reliability.input', 'reliability.net', 'engine', 'files.upload'],
  'src/core/results/markdownLinks.ts': ['results.extract', 'reliability.input', 'engine'],
  'src/core/api/guards.ts': ['api.guards', 'api.client', 'reliability.input'],
  'src/core/api/http.ts': [
    'api.transport',
    'api.client',
    'connectionCheck',
    'reliability.secrets',
    'reliability.net',
  ],
  // The transport pieces moved out of http.ts into core/net/ (issue 13): the same tests.
  ...Object.fromEntries(
    ['networkError', 'credentials', 'retryClassification', 'timeout', 'hosts'].map((stem) => [
      `src/core/net/${stem}.ts`,
      [
        'api.transport',
        'api.client',
        'connectionCheck',
        'reliability.secrets',
        'reliability.net',
        'results.download',
      ],
    ]),
  ),
  'src/core/links/findLinks.ts': ['links', 'reliability.input'],
  'src/core/links/validateUrl.ts': ['links', 'reliability.input', 'mutation.findLinks'],
  'src/core/files/pdfPageCount.ts': [
    'files.preflight',
    'files.upload',
    'reliability.input',
    'mutation.preflight',
  ],
  'src/core/options/pageRanges.ts': ['pageRanges', 'reliability.input'],
  'src/core/files/preflight.ts': ['files.preflight', 'files.upload', 'reliability.input'],
  'src/core/tasks/poller.ts': ['poller', 'reliability.net', 'engine'],
  'src/core/tasks/engine.ts': [
    'engine',
    'power.engine',
    'files.upload',
    'reliability.net',
    'reliability.interrupt',
    'reliability.secrets',
  ],
};

const ALL_UNIT_TESTS = 'out/test/unit/**/*.test.js';
const one = process.env.MUTATION_MODULE;
if (one !== undefined && !(one in GUARD_MODULES)) {
  throw new Error(`MUTATION_MODULE=${one} is not one of: ${Object.keys(GUARD_MODULES).join(', ')}`);
}
/** @param {string} name */
const compiled = (name) => `out/test/unit/${name}.test.js`;
// The module's own tests plus every mutation.<module>.test written for it.
const own = one ? `mutation.${path.basename(one, '.ts')}` : '';
const spec = one
  ? [...(GUARD_MODULES[one] ?? []), ...(fs.existsSync(`test/unit/${own}.test.ts`) ? [own] : [])].map(compiled)
  : [ALL_UNIT_TESTS];
const reportName = one ? path.basename(one, '.ts') : 'mutation';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'mocha',
  mutate: one ? [one] : Object.keys(GUARD_MODULES),
  buildCommand: 'npx tsc -p .',
  mochaOptions: {
    spec,
    // The official-CLI conformance tests take 12 s and reach none of the guards through their
    // code (they drive an external binary); the l10n test only reads the manifest strings.
    ignore: ['out/test/unit/officialCli.test.js', 'out/test/unit/l10n.test.js'],
  },
  coverageAnalysis: 'perTest',
  // Two test processes on a 2-core machine; MUTATION_CONCURRENCY=1 when the machine is busy.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  // A mutant that makes a loop spin (a poller delay forced to 0) is a timeout, and counts as detected.
  timeoutMS: 10000,
  timeoutFactor: 2,
  // Not needed in the sandbox: build output, the VS Code host, benchmarks, earlier reports.
  ignorePatterns: [
    '/out',
    '/dist',
    '/.cache',
    '/.vscode-test',
    '/test-results',
    '/bench',
    '/reports',
    '*.vsix',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  htmlReporter: { fileName: `reports/mutation/${reportName}.html` },
  thresholds: { high: 95, low: 85, break: null },
};

// eslint-disable-next-line no-restricted-syntax -- Stryker reads the default export of its config file.
export default config;
