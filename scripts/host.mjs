// @ts-check
// A real VS Code for tests and the sandbox: code-server (VS Code server + web workbench with the
// normal Node extension host), installed by scripts/install-host.sh into .cache/vscode-host/.
//
// Every server runs on a free loopback port with its own state folder (XDG dirs, user data,
// extensions), in its own process group, and is stopped by killing that whole group. Everything
// started through this module is also stopped when the process exits, on SIGINT/SIGTERM/SIGHUP and
// on an uncaught error, so a run leaves no processes or temp folders behind.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSync, spawnGroup } from './lib/process.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const HOST_DIR = process.env.VSCODE_HOST_DIR ?? path.join(REPO_ROOT, '.cache', 'vscode-host');
export const CODE_SERVER_BIN = path.join(HOST_DIR, 'node_modules', '.bin', 'code-server');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/** Settings every test/sandbox server starts with: quiet, offline, no prompts. */
export const BASE_USER_SETTINGS = Object.freeze({
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'window.restoreWindows': 'none',
});

// ---------------------------------------------------------------------------------------------
// Cleanup registry

const cleanups = new Set();
let handlersInstalled = false;
let exiting = false;

/**
 * Registers work to do at the end. `fn` (async) runs on stop/signals; `syncFn` (must be
 * synchronous) is the last resort run from process 'exit', where nothing async can run.
 * Returns a function that runs the cleanup once and unregisters it.
 */
export function onCleanup(fn, syncFn) {
  installHandlers();
  const entry = { fn, syncFn, done: false };
  cleanups.add(entry);
  return async () => {
    if (entry.done) return;
    entry.done = true;
    cleanups.delete(entry);
    await fn();
  };
}

/** Runs all registered cleanups (newest first), each bounded in time. */
export async function runCleanups() {
  const entries = [...cleanups].reverse();
  cleanups.clear();
  for (const entry of entries) {
    if (entry.done) continue;
    entry.done = true;
    try {
      await withTimeout(Promise.resolve().then(entry.fn), 10_000, 'cleanup');
    } catch (err) {
      console.error(`[host] cleanup failed: ${errorText(err)}`);
      try {
        entry.syncFn?.();
      } catch {
        // best effort
      }
    }
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of /** @type {[NodeJS.Signals, number][]} */ ([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ])) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      console.error(`\n[host] ${signal}: stopping everything that was started…`);
      runCleanups().finally(() => process.exit(code));
    });
  }
  process.on('exit', () => {
    for (const entry of cleanups) {
      try {
        entry.syncFn?.();
      } catch {
        // best effort
      }
    }
  });
  process.on('uncaughtException', (err) => {
    console.error('[host] uncaught error:', err);
    if (exiting) return;
    exiting = true;
    runCleanups().finally(() => process.exit(70));
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temp folder, removed at cleanup unless KEEP_TEST_STATE=1. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(
    async () => removeDir(dir),
    () => removeDir(dir),
  );
  return dir;
}

function removeDir(dir) {
  if (process.env.KEEP_TEST_STATE === '1') return;
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies a fixture folder to a fresh temp folder and returns its path. */
export function copyFixture(relOrAbs, prefix = 'mineru-ws-') {
  const src = path.resolve(REPO_ROOT, relOrAbs);
  if (!fs.existsSync(src)) throw new Error(`fixture folder not found: ${src}`);
  const dir = tempDir(prefix);
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

/** Throws a clear error when the host is not installed. */
export function assertHostInstalled() {
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(
      `code-server is not installed (${CODE_SERVER_BIN} missing). Run: bash scripts/install-host.sh`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// code-server

function stateLayout(stateDir) {
  return {
    stateDir,
    xdgConfig: path.join(stateDir, 'xdg-config'),
    xdgData: path.join(stateDir, 'xdg-data'),
    xdgCache: path.join(stateDir, 'xdg-cache'),
    userDataDir: path.join(stateDir, 'user-data'),
    settingsFile: path.join(stateDir, 'user-data', 'User', 'settings.json'),
    extensionsDir: path.join(stateDir, 'extensions'),
    logFile: path.join(stateDir, 'code-server.log'),
    configFile: path.join(stateDir, 'config.yaml'),
  };
}

function isolatedEnv(layout, extraEnv = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    // code-server writes a config file, logs and a device id below these: keep them out of $HOME.
    XDG_CONFIG_HOME: layout.xdgConfig,
    XDG_DATA_HOME: layout.xdgData,
    XDG_CACHE_HOME: layout.xdgCache,
    // '{}' = no extension gallery (it would query open-vsx.org, unreachable offline).
    EXTENSIONS_GALLERY: process.env.EXTENSIONS_GALLERY || '{}',
    ...extraEnv,
  };
  // Set by VS Code's own terminals/tasks; would confuse a nested server.
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') && key !== 'VSCODE_HOST_DIR') delete env[key];
  }
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

function commonArgs(layout) {
  return ['--user-data-dir', layout.userDataDir, '--extensions-dir', layout.extensionsDir];
}

/**
 * Starts code-server. Options:
 *   env            extra environment for the server (the extension host inherits it)
 *   userSettings   user settings merged over BASE_USER_SETTINGS (e.g. { 'mineru.apiBaseUrl': … })
 *   installVsix    .vsix files to install into the server's extensions dir before it starts
 *   folder         folder the server opens when the URL has no ?folder
 *   port           fixed port (default: a free one)
 *   workspaceTrust true: workspace trust on, so an opened folder stays untrusted (restricted mode)
 *   label          name used in log lines
 * Returns { url, port, authority, remoteUri(p), workbenchUrl(opts), setUserSettings(s), stop(), logFile, ... }.
 */
export async function startHost(options = {}) {
  assertHostInstalled();
  const label = options.label ?? 'code-server';
  const layout = stateLayout(tempDir('mineru-host-'));
  for (const dir of [layout.xdgConfig, layout.xdgData, layout.xdgCache, layout.extensionsDir]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  let userSettings = {
    ...BASE_USER_SETTINGS,
    ...(options.workspaceTrust ? { 'security.workspace.trust.enabled': true } : {}),
    ...(options.userSettings ?? {}),
  };
  writeJson(layout.settingsFile, userSettings);
  const env = isolatedEnv(layout, options.env);

  for (const vsix of options.installVsix ?? []) {
    installExtension(layout, env, vsix);
  }
  // Files the server reads at start-up (e.g. languagepacks.json for a display language).
  options.prepare?.(layout);

  const port = options.port ?? (await freePort());
  fs.writeFileSync(layout.configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    '--config',
    layout.configFile,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    ...commonArgs(layout),
    '--disable-telemetry',
    '--disable-update-check',
    // Trust is off (every folder trusted) unless a suite asks for it: then a folder opens restricted.
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.args ?? []),
    ...(options.folder ? [options.folder] : []),
  ];
  const logFd = fs.openSync(layout.logFile, 'a');
  // detached: the child calls setsid(), so it leads its own process group; stopping kills the
  // whole group (server, extension hosts, file watcher, pty host).
  let group;
  try {
    group = spawnGroup(CODE_SERVER_BIN, args, { cwd: layout.stateDir, env, stdio: ['ignore', logFd, logFd] });
  } catch {
    throw new Error(`${label}: could not spawn ${CODE_SERVER_BIN}`);
  } finally {
    fs.closeSync(logFd);
  }
  const { pid: pgid, killGroup } = group;

  const stop = onCleanup(
    async () => {
      killGroup('SIGTERM');
      await Promise.race([group.exited, sleep(3000)]);
      // Children (file watcher, ext host) may outlive the leader for a moment.
      for (let i = 0; i < 20 && group.groupAlive(); i++) await sleep(100);
      if (killGroup('SIGKILL')) await sleep(100);
    },
    () => killGroup('SIGKILL'),
  );

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthz(url, group.hasExited, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    const tail = readTail(layout.logFile, 30);
    await stop();
    throw new Error(`${label} did not start: ${errorText(err)}\n--- ${layout.logFile} (tail) ---\n${tail}`);
  }

  const authority = `127.0.0.1:${port}`;
  const remoteUri = (p) => `vscode-remote://${authority}${encodePath(path.resolve(p))}`;
  return {
    ...layout,
    url,
    port,
    authority,
    pid: pgid,
    /** vscode-remote URI of a path on the server: what the workbench payload needs. */
    remoteUri,
    /** Workbench URL: folder (or empty window) + optional extension-development payload. */
    /** @param {{ folder?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} [where] */
    workbenchUrl({ folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
      const params = new URLSearchParams();
      if (folder) params.set('folder', path.resolve(folder));
      else params.set('ew', 'true');
      const payload = [];
      if (extensionDevelopmentPath)
        payload.push(['extensionDevelopmentPath', remoteUri(extensionDevelopmentPath)]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(extensionTestsPath)]);
      if (payload.length) {
        payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);
        params.set('payload', JSON.stringify(payload));
      }
      return `${url}/?${params.toString()}`;
    },
    /** Merges settings into the user settings.json; a running workbench picks them up live. */
    setUserSettings(partial) {
      userSettings = { ...userSettings, ...partial };
      writeJson(layout.settingsFile, userSettings);
    },
    getUserSettings: () => ({ ...userSettings }),
    isRunning: () => group.hasExited() === null,
    logTail: (lines = 40) => readTail(layout.logFile, lines),
    stop,
  };
}

/** Installs a .vsix into a server state (code-server --install-extension), failing loudly. */
function installExtension(layout, env, vsix) {
  const abs = path.resolve(vsix);
  if (!fs.existsSync(abs)) throw new Error(`.vsix not found: ${abs}`);
  const res = runSync(CODE_SERVER_BIN, [...commonArgs(layout), '--install-extension', abs, '--force'], {
    env,
    capture: true,
    timeoutMs: 120_000,
  });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  if (res.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${abs} failed (exit ${res.status}):\n${out}`);
  }
}

function encodePath(p) {
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

async function waitForHealthz(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    const ex = exited();
    if (ex) throw new Error(`code-server exited early (code ${ex.code}, signal ${ex.signal})`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = errorText(err);
    }
    await sleep(100);
  }
  throw new Error(`${url}/healthz not ready after ${timeoutMs} ms (${lastError})`);
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // In place (no rename): the workbench watches this file and applies changes live.
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function readTail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Display language

/**
 * The test language pack for `locale` (only zh-cn exists): test/fixtures/zh-cn-language-pack
 * packaged into a temp folder. The real Chinese pack cannot be downloaded here; this one declares
 * zh-cn with no translations of its own, so the workbench runs in zh-cn and extensions use their own
 * zh-cn strings (package.nls.zh-cn.json, l10n/bundle.l10n.zh-cn.json). code-server picks the
 * language from <user-data-dir>/languagepacks.json when it starts, which an install from the
 * command line does not write, so `register(layout)` writes it. Use both with startHost:
 *   startHost({ installVsix: [pack.vsix], args: ['--locale', locale], prepare: pack.register })
 */
export function testLanguagePack(locale) {
  if (locale !== 'zh-cn') throw new Error(`no test language pack for locale ${locale}`);
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'zh-cn-language-pack');
  const out = path.join(tempDir('mineru-langpack-'), 'test-language-pack-zh-cn.vsix');
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out];
  const res = runSync(vsce, args, { cwd: dir, capture: true, timeoutMs: 120_000 });
  if (res.status !== 0 || !fs.existsSync(out))
    throw new Error(`packaging the language pack failed:\n${res.stdout}${res.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  return {
    vsix: out,
    register(layout) {
      const installed = path.join(layout.extensionsDir, `${id}-${manifest.version}`);
      if (!fs.existsSync(installed)) throw new Error(`language pack not installed at ${installed}`);
      const packs = {
        [locale]: {
          hash: `${manifest.version}-test`,
          extensions: [{ extensionIdentifier: { id }, version: manifest.version }],
          translations: { vscode: path.join(installed, 'translations', 'main.i18n.json') },
          label: manifest.contributes.localizations[0].localizedLanguageName,
        },
      };
      fs.writeFileSync(path.join(layout.userDataDir, 'languagepacks.json'), JSON.stringify(packs));
    },
  };
}
