#!/usr/bin/env node
// @ts-check
// "Another extension" suite: installs MinerU Document Parser from its .vsix (ExtensionMode
// Production, exactly as a user has it), and runs test/probe/secondExtension.ts inside the same
// extension host as a second, unrelated extension ("mineru-test.probe"). The probe is bundled with
// esbuild into a throwaway extension folder, so that its `require('vscode')` is its own API object
// (the host gives every extension its own), not the one of the extension under test.
//
//   node scripts/run-probe-tests.mjs [--vsix .cache/mineru.vsix] [--results <file.json>]
//
// Without --vsix (or when the file is missing) the extension is packaged first.
// Exit code: 0 all passed, 1 checks failed, 2 infrastructure failure.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import esbuild from 'esbuild';
import { REPO_ROOT, tempDir } from './host.mjs';
import { runHostTests } from './run-host-tests.mjs';
import { DEFAULT_VSIX, packageVsix } from './run-ui-tests.mjs';

const { values } = parseArgs({ options: { vsix: { type: 'string' }, results: { type: 'string' } } });

const probeDir = tempDir('mineru-probe-ext-');
const bundle = path.join(probeDir, 'extension.js');
await esbuild.build({
  entryPoints: [path.join(REPO_ROOT, 'test', 'probe', 'secondExtension.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  outfile: bundle,
  logLevel: 'warning',
});
fs.writeFileSync(
  path.join(probeDir, 'package.json'),
  `${JSON.stringify(
    {
      name: 'probe',
      publisher: 'mineru-test',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      main: './extension.js',
      activationEvents: [],
    },
    null,
    2,
  )}\n`,
);
const vsix =
  values.vsix && fs.existsSync(values.vsix) ? path.resolve(values.vsix) : packageVsix(DEFAULT_VSIX);
const summary = await runHostTests({
  ext: probeDir,
  tests: bundle,
  install: [vsix],
  ...(values.results ? { results: values.results } : {}),
});
process.exit(summary.code);
