// Generic checks of the extension inside a real VS Code extension host: activation (without any
// network traffic), the command and view contributions, settings and their scopes, and the token
// kept in SecretStorage. Runs under code-server (npm test) and desktop VS Code (npm run test:electron).
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ENV_TRIPWIRE_LOG, ENV_TRIPWIRE_URL, readTripwireHits } from './tripwire';
import { answerInputBoxes, api as testApi, TOKEN_SECRET_KEY } from './helpers';

const EXTENSION_ID = 'mineru-community.mineru-document-parser';
const VIEW_CONTAINER_ID = 'mineru';
const TREE_VIEW_ID = 'mineru.tasks';
/** The value test/integration/workspace/.vscode/settings.json sets; VS Code must ignore it. */
const WORKSPACE_API_URL = 'http://workspace-value.invalid';

interface ContributedCommand {
  command: string;
}
interface ContributedView {
  id: string;
}
interface ConfigurationProperty {
  scope?: string;
  default?: unknown;
}
interface ExtensionManifest {
  contributes?: {
    commands?: ContributedCommand[];
    views?: Record<string, ContributedView[]>;
    viewsContainers?: Record<string, { id: string }[]>;
    configuration?:
      | { properties?: Record<string, ConfigurationProperty> }
      | { properties?: Record<string, ConfigurationProperty> }[];
  };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
  return ext;
}

function manifest(): ExtensionManifest {
  return extension().packageJSON as ExtensionManifest;
}

function configurationProperties(): Record<string, ConfigurationProperty> {
  const conf = manifest().contributes?.configuration;
  const sections = Array.isArray(conf) ? conf : conf ? [conf] : [];
  return Object.assign({}, ...sections.map((s) => s.properties ?? {})) as Record<
    string,
    ConfigurationProperty
  >;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ConnectAttempt {
  target: string;
  fromExtension: boolean;
}

type ConnectFn = (this: net.Socket, ...args: unknown[]) => net.Socket;

/**
 * Records every outgoing TCP connection made in this process (the extension host) while `body`
 * runs and for `settleMs` after. Every client (http, https, axios bundled in dist/extension.js,
 * fetch) ends in net.Socket.prototype.connect, synchronously from the caller's stack, so the stack
 * tells whether the extension's code made it.
 */
async function recordConnections(extensionRoot: string, body: () => Promise<void>, settleMs: number) {
  const proto = net.Socket.prototype as unknown as { connect: ConnectFn };
  const original = proto.connect;
  const attempts: ConnectAttempt[] = [];
  proto.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const first: unknown = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    let target: string | undefined;
    if (typeof first === 'number') target = `port ${first}`;
    else if (typeof first === 'object' && first !== null && 'port' in first) {
      const o = first as { host?: string; port?: unknown };
      target = `${o.host ?? 'localhost'}:${String(o.port)}`;
    }
    if (target) {
      const stack = new Error('connect').stack ?? '';
      attempts.push({ target, fromExtension: stack.includes(extensionRoot) });
    }
    return original.apply(this, args);
  };
  try {
    await body();
    await sleep(settleMs);
  } finally {
    proto.connect = original;
  }
  return attempts;
}

describe('MinerU extension in a real VS Code', () => {
  it('activates, and activation makes no network call', async () => {
    const ext = extension();
    const tripwireLog = process.env[ENV_TRIPWIRE_LOG];
    const tripwireUrl = process.env[ENV_TRIPWIRE_URL];
    if (tripwireLog && tripwireUrl) {
      // The runner pointed the service URLs at the tripwire before VS Code started.
      assert.equal(vscode.workspace.getConfiguration('mineru').get('apiBaseUrl'), tripwireUrl);
      assert.deepEqual(
        readTripwireHits(tripwireLog),
        [],
        'the MinerU service was contacted before any test ran',
      );
    }
    const distDir = path.join(ext.extensionPath, 'dist');
    const attempts = await recordConnections(
      distDir,
      async () => {
        // Activation, then the composition root it loads on the next turns.
        await testApi();
      },
      1500,
    );
    assert.equal(ext.isActive, true);
    const fromExtension = attempts.filter((a) => a.fromExtension);
    assert.deepEqual(fromExtension, [], `the extension opened TCP connections while activating`);
    if (tripwireLog) {
      assert.deepEqual(
        readTripwireHits(tripwireLog),
        [],
        'activation contacted the configured MinerU service',
      );
    }
    if (attempts.length > 0) {
      // Other extensions' traffic is not ours to judge; log it.
      console.log(
        `[integration] connections by others during activation: ${attempts.map((a) => a.target).join(', ')}`,
      );
    }
  });

  it('starts without loading dist/later.js or dist/axios.js (they load on first use)', async () => {
    const ext = extension();
    await testApi();
    const distDir = path.join(ext.extensionPath, 'dist');
    // The split is what esbuild.js builds; a bundle without it (--watch) has no later.js.
    assert.ok(fs.existsSync(path.join(distDir, 'later.js')), 'dist/later.js was not built');
    const loaded = Object.keys(require.cache).filter((file) => path.dirname(file) === distDir);
    assert.deepEqual(
      loaded.map((file) => path.basename(file)).sort(),
      ['composition.js', 'extension.js'],
      'activation and the composition root loaded more of dist/ than extension.js and composition.js',
    );
  });

  it('registers every contributed command, and contributes every mineru.* command it registers', async () => {
    await testApi();
    const contributed = (manifest().contributes?.commands ?? []).map((c) => c.command).sort();
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const viewIds = Object.values(manifest().contributes?.views ?? {})
      .flat()
      .map((v) => v.id);
    const registered = (await vscode.commands.getCommands(true))
      .filter((c) => c.startsWith('mineru.'))
      // VS Code itself registers <viewId>.focus, .resetViewLocation, … for every view.
      .filter((c) => !viewIds.some((id) => c.startsWith(`${id}.`)));
    const missing = contributed.filter((c) => !registered.includes(c));
    assert.deepEqual(missing, [], 'contributed in package.json but not registered');
    const undeclared = registered.filter((c) => !contributed.includes(c)).sort();
    assert.deepEqual(undeclared, [], 'registered but not contributed in package.json');
  });

  it('shows the MinerU view container with the Tasks tree view', async () => {
    await testApi();
    const containers = manifest().contributes?.viewsContainers?.activitybar ?? [];
    assert.ok(
      containers.some((c) => c.id === VIEW_CONTAINER_ID),
      `activity bar container '${VIEW_CONTAINER_ID}' missing`,
    );
    const views = manifest().contributes?.views?.[VIEW_CONTAINER_ID] ?? [];
    assert.ok(
      views.some((v) => v.id === TREE_VIEW_ID),
      `view '${TREE_VIEW_ID}' missing in '${VIEW_CONTAINER_ID}'`,
    );
    await vscode.commands.executeCommand(`workbench.view.extension.${VIEW_CONTAINER_ID}`);
    await vscode.commands.executeCommand(`${TREE_VIEW_ID}.focus`);
  });

  it('[R-SEC-3] reads its settings with the declared scopes', async () => {
    await testApi();
    const props = configurationProperties();
    assert.equal(
      props['mineru.apiBaseUrl']?.scope,
      'application',
      'mineru.apiBaseUrl must be application-scoped',
    );
    assert.ok(props['mineru.outputDirectory'], 'mineru.outputDirectory must be contributed');

    const config = vscode.workspace.getConfiguration('mineru');
    const api = config.inspect<string>('apiBaseUrl');
    assert.ok(api, 'inspect(apiBaseUrl) returned nothing');
    // The workspace's .vscode/settings.json sets it, and VS Code must ignore that (application scope).
    assert.equal(api.workspaceValue, undefined, 'a workspace value of mineru.apiBaseUrl must be ignored');
    assert.notEqual(config.get('apiBaseUrl'), WORKSPACE_API_URL);
    assert.equal(config.get('apiBaseUrl'), api.globalValue ?? api.defaultValue);
    await assert.rejects(
      Promise.resolve(config.update('apiBaseUrl', WORKSPACE_API_URL, vscode.ConfigurationTarget.Workspace)),
      'writing mineru.apiBaseUrl to workspace settings must be refused',
    );

    const out = config.inspect('outputDirectory');
    assert.ok(out, 'inspect(outputDirectory) returned nothing');
    assert.deepEqual(out.defaultValue, props['mineru.outputDirectory']?.default);
    assert.deepEqual(
      config.get('outputDirectory'),
      out.defaultValue,
      'the workspace sets no outputDirectory',
    );
  });

  it('[R-SEC-5] Set API Token stores what the user typed in the password box in SecretStorage, and ignores a token passed by a caller [cmd:mineru.setToken]', async () => {
    const api = await testApi();
    const typed = `typed-token-${Date.now()}`;
    const asked = await answerInputBoxes(
      () => typed,
      async (asked) => {
        await vscode.commands.executeCommand('mineru.setToken');
        return asked;
      },
    );
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.options?.password, true, 'the token prompt is a password box');
    // Read SecretStorage itself, not the token store's cache.
    assert.equal(await api.secrets.get(TOKEN_SECRET_KEY), typed);

    // Another extension runs the command with its own token: the user is asked instead (here they
    // press Escape), and the stored token stays the user's.
    const planted = `planted-token-${Date.now()}`;
    const again = await answerInputBoxes(
      () => undefined,
      async (asked) => {
        const result: unknown = await vscode.commands.executeCommand('mineru.setToken', planted);
        assert.equal(result, undefined, 'mineru.setToken returns nothing');
        return asked;
      },
    );
    assert.equal(again.length, 1, 'the argument did not replace the prompt');
    assert.equal(await api.secrets.get(TOKEN_SECRET_KEY), typed);
  });
});
