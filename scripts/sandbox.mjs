#!/usr/bin/env node
// @ts-check
// `npm start`: the extension in a real VS Code (code-server) against the local fake MinerU
// service, with a demo workspace — everything on this machine, no account, no internet.
//
//   npm start [-- --port 8080] [-- --screenshot test-results/sandbox.png] [-- --once]
//
// Steps: compile (tsc, for the fake service) → package the extension (.vsix, production bundle)
// → install the VS Code host if needed → start the fake (any token accepted, timed progress) →
// start code-server with the .vsix installed and user settings pointing mineru.apiBaseUrl and
// mineru.agentBaseUrl at the fake → print the URL. Runs until Ctrl+C, then stops everything.
//   --screenshot FILE  also open the workbench in headless Chromium, show the MinerU view, save FILE
//   --once             exit after the screenshot (smoke test of the sandbox)
//   --self-hosted      also start the fake self-hosted MinerU server (mineru-api 3.x, timed progress)
//                      and print its URL, for trying the self-hosted mode
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, waitForWorkbench } from './browser.mjs';
import { REPO_ROOT, copyFixture, errorText, onCleanup, runCleanups, sleep, startHost } from './host.mjs';
import { runSync } from './lib/process.mjs';
import { DEFAULT_VSIX, packageVsix } from './run-ui-tests.mjs';

const TAG = '[sandbox]';
const require = createRequire(import.meta.url);

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    screenshot: { type: 'string' },
    once: { type: 'boolean', default: false },
    'self-hosted': { type: 'boolean', default: false },
  },
});

function step(what, cmd, args) {
  process.stdout.write(`${TAG} ${what}… `);
  const t0 = Date.now();
  const res = runSync(cmd, args, { cwd: REPO_ROOT, capture: true });
  console.log(`${res.status === 0 ? 'done' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return res;
}

async function main() {
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port needs a port number, got "${opts.port}"`);
  }

  // tsc emits even with type errors elsewhere; the fake only needs its own files compiled.
  const tsc = step('compiling (tsc)', path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
  if (tsc.status !== 0)
    console.log(`${TAG} (tsc reported type errors; continuing)\n${tsc.stdout.slice(0, 2000)}`);
  const fakeModule = path.join(REPO_ROOT, 'out', 'test', 'fake-mineru', 'server.js');
  if (!fs.existsSync(fakeModule)) {
    throw new Error(
      `the fake MinerU service is not built: ${path.relative(REPO_ROOT, fakeModule)} is missing (test/fake-mineru/server.ts)`,
    );
  }
  process.stdout.write(`${TAG} packaging the extension (vsce)… `);
  const vsix = packageVsix(DEFAULT_VSIX);
  console.log('done');
  const install = runSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-host.sh')], { cwd: REPO_ROOT });
  if (install.status !== 0)
    throw new Error('the VS Code host could not be installed (scripts/install-host.sh)');

  const { startFakeMinerU } = require(fakeModule);
  if (typeof startFakeMinerU !== 'function')
    throw new Error(`${fakeModule} does not export startFakeMinerU()`);
  const fake = await startFakeMinerU({ acceptAnyToken: true, progress: 'timed' });
  onCleanup(() => fake.close());
  console.log(
    `${TAG} fake MinerU: API ${fake.apiBaseUrl}, agent ${fake.agentBaseUrl}, CDN ${fake.cdnOrigin}`,
  );

  let selfHostedUrl = '';
  if (opts['self-hosted']) {
    const selfHostedModule = path.join(REPO_ROOT, 'out', 'test', 'fake-mineru', 'selfHosted', 'server.js');
    const { startFakeSelfHosted } = require(selfHostedModule);
    if (typeof startFakeSelfHosted !== 'function')
      throw new Error(`${selfHostedModule} does not export startFakeSelfHosted()`);
    const selfHosted = await startFakeSelfHosted({ progress: 'timed' });
    onCleanup(() => selfHosted.close());
    selfHostedUrl = selfHosted.baseUrl;
    console.log(`${TAG} fake self-hosted MinerU (mineru-api ${selfHosted.version}): ${selfHostedUrl}`);
  }

  const workspace = copyFixture('test/fixtures/demo-workspace', 'mineru-sandbox-');
  const host = await startHost({
    label: 'code-server (sandbox)',
    ...(port ? { port } : {}),
    installVsix: [vsix],
    userSettings: {
      'mineru.apiBaseUrl': fake.apiBaseUrl,
      'mineru.agentBaseUrl': fake.agentBaseUrl,
      'workbench.startupEditor': 'readme',
    },
  });
  const url = host.workbenchUrl({ folder: workspace });

  if (opts.screenshot) {
    const file = path.resolve(opts.screenshot);
    const { page } = await launchBrowser();
    await page.goto(url, { timeout: 60_000 });
    await waitForWorkbench(page);
    await page.locator('.activitybar .action-item .action-label[aria-label^="MinerU"]').first().click();
    await page
      .locator('.sidebar .composite.title')
      .filter({ hasText: 'MinerU' })
      .waitFor({ timeout: 15_000 });
    await sleep(1500);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file });
    console.log(`${TAG} screenshot: ${path.relative(REPO_ROOT, file)}`);
  }

  console.log(
    [
      '',
      `${TAG} VS Code with the MinerU extension is running:`,
      '',
      `    ${url}`,
      '',
      `  workspace  ${workspace}  (a copy of test/fixtures/demo-workspace; README.md has links to parse)`,
      `  token      any value works with the fake: run "MinerU: Set API Token" first`,
      `  server log ${host.logFile}`,
      ...(selfHostedUrl
        ? [`  self-hosted ${selfHostedUrl}  (a fake mineru-api server: use it as the server URL)`]
        : []),
      '',
      `${TAG} Ctrl+C stops everything.`,
    ].join('\n'),
  );
  if (opts.once) return;
  while (host.isRunning()) await sleep(1000);
  throw new Error(`code-server stopped unexpectedly:\n${host.logTail(30)}`);
}

try {
  await main();
  await runCleanups();
} catch (err) {
  console.error(`\n${TAG} ERROR: ${errorText(err)}`);
  await runCleanups();
  process.exit(1);
}
