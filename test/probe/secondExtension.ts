// Another extension's view of MinerU Document Parser, installed as a user installs it (a .vsix,
// ExtensionMode Production). This file is bundled by scripts/run-probe-tests.mjs into a throwaway
// extension ("mineru-test.probe") and runs inside the same extension host, with that extension's
// own `vscode` API object. It proves that nothing it can reach hands out the token, accepts a
// token, lists tasks, or submits a document without the user: activate() returns nothing, and
// the commands ask the user instead of obeying arguments.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startFakeMinerU, type FakeMinerU } from '../fake-mineru/server';

const TARGET_ID = 'mineru-community.mineru-document-parser';
const PLANTED_TOKEN = 'planted-by-another-extension-0123456789';
const ENV_RESULTS_FILE = 'MINERU_TEST_RESULTS';

interface Check {
  title: string;
  run: (fake: FakeMinerU) => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a MinerU command the way a hostile extension would, answering any prompt with Escape. */
async function runDismissing(command: string, ...args: unknown[]): Promise<unknown> {
  const running = vscode.commands.executeCommand<unknown>(command, ...args);
  // Whatever the command opens (the password box, the URL box) waits for the user; close it.
  for (let i = 0; i < 6; i++) {
    await sleep(250);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  }
  return running;
}

function target(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(TARGET_ID);
  assert.ok(ext, `${TARGET_ID} is not installed in this host`);
  return ext;
}

const carriesPlanted = (fake: FakeMinerU): boolean =>
  fake.requests.some((r) => JSON.stringify(r.headers).includes(PLANTED_TOKEN));

const checks: Check[] = [
  {
    title: '[R-SEC-6] activate() hands another extension nothing: no token, no store, no engine',
    run: async () => {
      const ext = target();
      const returned: unknown = await ext.activate();
      assert.equal(ext.isActive, true, 'the extension activated');
      assert.equal(returned, undefined, 'activate() returned an object to another extension');
      assert.equal(ext.exports, undefined, 'extension.exports is visible to every extension');
    },
  },
  {
    title: '[R-SEC-7] mineru.setToken ignores a token passed by another extension: it asks the user instead',
    run: async (fake) => {
      const result = await runDismissing('mineru.setToken', PLANTED_TOKEN);
      assert.equal(result, undefined);
      // If the planted token had been stored, Test Connection would send it to the API.
      await runDismissing('mineru.testConnection');
      assert.equal(carriesPlanted(fake), false, 'the planted token reached the API: it was stored');
    },
  },
  {
    title: '[R-SEC-8] another extension cannot submit a document or list tasks through the commands',
    run: async (fake) => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-probe-out-'));
      const submitted = () =>
        fake.requests.filter((r) => r.method === 'POST' || r.method === 'PUT').map((r) => r.path);
      const before = submitted().length;
      for (const command of ['mineru.parseUrl', 'mineru.parseUrlWithOptions']) {
        const result = await runDismissing(command, 'https://example.com/probe-submitted.pdf');
        assert.equal(result, undefined, `${command} returned something to another extension`);
      }
      const upload = await runDismissing('mineru.uploadFromUrl', {
        urls: [{ url: 'https://example.com/probe-upload.pdf' }],
        options: {},
        outputDir: outside,
        mode: 'quick',
      });
      assert.equal(upload, undefined);
      await sleep(1500);
      assert.deepEqual(submitted().slice(before), [], 'a document was submitted without the user');
      assert.deepEqual(fs.readdirSync(outside), [], 'something was written where another extension said');
      for (const command of [
        'mineru.refresh',
        'mineru.clearFinished',
        'mineru.retryTask',
        'mineru.removeTask',
      ]) {
        assert.equal(await vscode.commands.executeCommand(command, 'any-id'), undefined, command);
      }
    },
  },
  {
    // Last: the confirmation it must show is a modal dialog, which stays open afterwards.
    title:
      '[R-SEC-9] a file outside the workspace handed to Parse File by another extension is not uploaded without the user',
    run: async (fake) => {
      const secret = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-probe-secret-')), 'secret.pdf');
      fs.writeFileSync(
        secret,
        '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
      );
      const before = fake.requests.length;
      const uri = vscode.Uri.file(secret);
      // Not awaited: in production the command waits for the user's answer to a modal dialog.
      void vscode.commands.executeCommand('mineru.parseFile', uri, [uri]);
      await sleep(2000);
      const sent = fake.requests.slice(before).map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(sent, [], 'the file was sent without asking the user');
    },
  },
];

/** Entry point: the host requires this bundle as extensionTestsPath and awaits run(). */
export async function run(): Promise<void> {
  const started = Date.now();
  const fake = await startFakeMinerU({ progress: 'timed', stepMs: 40, pages: 2 });
  const config = vscode.workspace.getConfiguration('mineru');
  await config.update('apiBaseUrl', fake.apiBaseUrl, vscode.ConfigurationTarget.Global);
  await config.update('agentBaseUrl', fake.agentBaseUrl, vscode.ConfigurationTarget.Global);
  const tests: { title: string; state: 'passed' | 'failed' }[] = [];
  const failures: { title: string; error: string }[] = [];
  try {
    for (const check of checks) {
      try {
        await check.run(fake);
        tests.push({ title: check.title, state: 'passed' });
        console.log(`  ✔ ${check.title}`);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        tests.push({ title: check.title, state: 'failed' });
        failures.push({ title: check.title, error });
        console.log(`  ✘ ${check.title}\n${error}`);
      }
    }
  } finally {
    await fake.close();
  }
  const passed = tests.filter((t) => t.state === 'passed').length;
  const results = {
    passed,
    failed: tests.length - passed,
    pending: 0,
    failures,
    tests,
    vscodeVersion: vscode.version,
    nodeVersion: process.version,
    durationMs: Date.now() - started,
  };
  const file = process.env[ENV_RESULTS_FILE];
  if (file) fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`[probe] ${results.passed} passing, ${results.failed} failing`);
  if (results.failed > 0) throw new Error(`${results.failed} probe check(s) failed.`);
}

/** The probe extension's own activate: nothing to do; the checks run from run(). */
export function activate(): void {}
