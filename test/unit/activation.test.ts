// Activation (src/extension.ts, bundled as dist/extension.js): stand-ins for the contributed
// commands and tools, and the composition root loaded on the next turns. The bundle under test is
// the one esbuild.js builds; `vscode` is a recording stand-in, and dist/composition.js beside it is
// a small module whose compose() each test decides (the composition root has its host tests).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const load = nodeModule.createRequire(__filename);
const { buildActivationEntry } = load(path.join(ROOT, 'esbuild.js')) as {
  buildActivationEntry: (out: string) => Promise<{ inputs: Record<string, unknown> }>;
};

const COMMANDS = ['mineru.parseUrl', 'mineru.showLog'];
const TOOLS = ['mineru_parse_document', 'mineru_find_results'];
const PRODUCTION = 1;
const DEVELOPMENT = 2;

type Fn = (...args: unknown[]) => unknown;
interface Tool {
  invoke: Fn;
  prepareInvocation?: Fn;
}

/** What the recording `vscode` saw, in order. */
interface Host {
  log: string[];
  commands: Map<string, Fn>;
  tools: Map<string, Tool>;
  errors: string[];
  executed: { id: string; args: unknown[] }[];
}

/** What the fake dist/composition.js does; set by each test before activating. */
interface FakeComposition {
  compose: (context: unknown) => unknown;
  shutdown?: () => Promise<void> | undefined;
}

const host: Host = { log: [], commands: new Map(), tools: new Map(), errors: [], executed: [] };
const globals = globalThis as { __vscodeStub?: unknown; __fakeComposition?: FakeComposition };

function resetHost(): void {
  host.log = [];
  host.commands.clear();
  host.tools.clear();
  host.errors = [];
  host.executed = [];
}

globals.__vscodeStub = {
  ExtensionMode: { Production: PRODUCTION, Development: DEVELOPMENT, Test: 3 },
  commands: {
    registerCommand(id: string, fn: Fn) {
      host.log.push(`register ${id}`);
      host.commands.set(id, fn);
      return {
        dispose: () => {
          host.log.push(`dispose ${id}`);
          if (host.commands.get(id) === fn) host.commands.delete(id);
        },
      };
    },
    executeCommand(id: string, ...args: unknown[]) {
      host.executed.push({ id, args });
      const fn = host.commands.get(id);
      if (!fn) return Promise.reject(new Error(`command '${id}' not found`));
      return Promise.resolve(fn(...args));
    },
  },
  lm: {
    registerTool(name: string, tool: Tool) {
      host.log.push(`tool ${name}`);
      host.tools.set(name, tool);
      return {
        dispose: () => {
          host.log.push(`dispose tool ${name}`);
          if (host.tools.get(name) === tool) host.tools.delete(name);
        },
      };
    },
  },
  window: {
    showErrorMessage(message: string) {
      host.errors.push(message);
      return Promise.resolve(undefined);
    },
  },
  l10n: {
    t: (message: string, ...args: unknown[]) =>
      message.replace(/\{(\d+)\}/g, (_, n: string) => String(args[Number(n)])),
  },
};

interface Entry {
  activate: (context: unknown) => { ready: Promise<unknown> } | undefined;
  deactivate: () => Promise<void> | undefined;
}

const turns = (n: number): Promise<void> =>
  Array.from({ length: n }).reduce<Promise<void>>(
    (p) => p.then(() => new Promise((r) => setImmediate(r))),
    Promise.resolve(),
  );

describe('activation (src/extension.ts): stand-ins now, the composition root on the next turns', function () {
  this.timeout(60_000);
  let out: string;
  let inputs: string[];
  const Module = load('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = Module._resolveFilename;

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-activation-'));
    inputs = Object.keys((await buildActivationEntry(out)).inputs);
    fs.writeFileSync(path.join(out, 'vscode-stub.js'), 'module.exports = globalThis.__vscodeStub;\n');
    fs.writeFileSync(
      path.join(out, 'composition.js'),
      [
        "'use strict';",
        'exports.compose = (context) => globalThis.__fakeComposition.compose(context);',
        'exports.shutdown = () => globalThis.__fakeComposition.shutdown?.();',
        '',
      ].join('\n'),
    );
    Module._resolveFilename = (request: string, ...rest: unknown[]) =>
      request === 'vscode' ? path.join(out, 'vscode-stub.js') : resolve(request, ...rest);
  });

  after(() => {
    Module._resolveFilename = resolve;
    fs.rmSync(out, { recursive: true, force: true });
  });

  /** A fresh copy of dist/extension.js (its module state is per activation of the host). */
  function entry(): Entry {
    for (const file of ['extension.js', 'composition.js']) delete load.cache[path.join(out, file)];
    return load(path.join(out, 'extension.js')) as Entry;
  }

  const context = (
    mode = DEVELOPMENT,
  ): { subscriptions: { dispose(): void }[]; extensionMode: number; extension: unknown } => ({
    subscriptions: [],
    extensionMode: mode,
    extension: {
      packageJSON: {
        contributes: {
          commands: COMMANDS.map((command) => ({ command })),
          languageModelTools: TOOLS.map((name) => ({ name })),
        },
      },
    },
  });

  /** A composition root that registers the real commands and tools, as src/composition.ts does. */
  function realComposition(api: unknown = { name: 'test api' }): { composed: number; sawStandIns: string[] } {
    const seen = { composed: 0, sawStandIns: [] as string[] };
    globals.__fakeComposition = {
      compose: () => {
        seen.composed++;
        // What was still registered when the composition root started: must be nothing.
        seen.sawStandIns = [...host.commands.keys(), ...host.tools.keys()];
        const vscode = globals.__vscodeStub as {
          commands: { registerCommand: (id: string, fn: Fn) => unknown };
        };
        for (const id of COMMANDS) vscode.commands.registerCommand(id, (...args) => ({ real: id, args }));
        return {
          api,
          tools: Object.fromEntries(
            TOOLS.map((name) => [
              name,
              {
                invoke: (options: unknown) => ({ invoked: name, options }),
                prepareInvocation: () => ({ invocationMessage: `preparing ${name}` }),
              },
            ]),
          ),
        };
      },
    };
    return seen;
  }

  beforeEach(resetHost);

  it('bundles src/extension.ts alone: the composition root is required beside it, not copied in', () => {
    assert.deepEqual(
      inputs.filter((f) => f.startsWith('src/')),
      ['src/extension.ts'],
    );
    assert.ok(
      fs.readFileSync(path.join(out, 'extension.js'), 'utf8').includes('require("./composition.js")'),
    );
  });

  it('registers a stand-in for every contributed command and tool, and composes only on a later turn', async () => {
    const seen = realComposition();
    const handle = entry().activate(context());
    assert.deepEqual([...host.commands.keys()].sort(), [...COMMANDS].sort());
    assert.deepEqual([...host.tools.keys()].sort(), [...TOOLS].sort());
    // VS Code takes activate()'s answer on a microtask: nothing may load or run before the host's
    // event loop has turned, or activation would wait for it after all.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    assert.equal(seen.composed, 0, 'the composition root ran in the turn of activate()');
    assert.equal(
      load.cache[path.join(out, 'composition.js')],
      undefined,
      'composition.js loaded in the turn of activate()',
    );
    assert.deepEqual(await handle?.ready, { name: 'test api' });
    assert.equal(seen.composed, 1);
    assert.deepEqual(seen.sawStandIns, [], 'stand-ins were still registered when the real ones came');
    assert.deepEqual([...host.tools.keys()], [], 'tool stand-ins left after the composition root ran');
  });

  it('a command run before the composition root waits for it, then runs the real command with its arguments', async () => {
    realComposition();
    const handle = entry().activate(context());
    const uri = { fsPath: '/w/a.pdf' };
    const answer = await host.commands.get('mineru.parseUrl')!(uri, [uri]);
    assert.deepEqual(answer, { real: 'mineru.parseUrl', args: [uri, [uri]] });
    assert.deepEqual(host.executed, [{ id: 'mineru.parseUrl', args: [uri, [uri]] }]);
    await handle?.ready;
  });

  it('a tool invoked before the composition root waits for it, then answers with the real tool', async () => {
    realComposition();
    entry().activate(context());
    const standIn = host.tools.get('mineru_find_results')!;
    const token = { isCancellationRequested: false };
    assert.deepEqual(await standIn.prepareInvocation?.({ input: {} }, token), {
      invocationMessage: 'preparing mineru_find_results',
    });
    assert.deepEqual(await standIn.invoke({ input: { query: 'x' } }, token), {
      invoked: 'mineru_find_results',
      options: { input: { query: 'x' } },
    });
  });

  it('returns nothing in production, and still composes', async () => {
    const seen = realComposition(undefined);
    assert.equal(entry().activate(context(PRODUCTION)), undefined);
    await turns(4);
    assert.equal(seen.composed, 1);
    assert.deepEqual(host.errors, []);
  });

  it('deactivated before the composition root ran: it never runs, and nothing is shown', async () => {
    const seen = realComposition();
    const ext = entry();
    const handle = ext.activate(context());
    assert.equal(ext.deactivate(), undefined);
    await assert.rejects(handle!.ready, /deactivated before it started/);
    await turns(4);
    assert.equal(seen.composed, 0);
    assert.deepEqual(host.errors, []);
  });

  it('deactivate() after the composition root ran waits for its shutdown', async () => {
    realComposition();
    let ended = false;
    globals.__fakeComposition!.shutdown = async () => {
      await turns(1);
      ended = true;
    };
    const ext = entry();
    await ext.activate(context())?.ready;
    await ext.deactivate();
    assert.equal(ended, true);
  });

  it('a composition root that throws: the error names the cause and the next step, and the commands say it', async () => {
    globals.__fakeComposition = {
      compose: () => {
        throw new Error('the task store is unreadable');
      },
    };
    const logged: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const handle = entry().activate(context());
      await assert.rejects(handle!.ready, /the task store is unreadable/);
      await turns(1);
    } finally {
      console.error = consoleError;
    }
    assert.match(String(logged[0]?.[1]), /the task store is unreadable/, 'the cause is in the host log');
    assert.equal(host.errors.length, 1);
    assert.match(host.errors[0]!, /MinerU could not start: the task store is unreadable\./);
    assert.match(host.errors[0]!, /Developer: Reload Window/);
    // The stand-ins stay, and a command run now fails with the same cause instead of "not found".
    await assert.rejects(
      Promise.resolve(host.commands.get('mineru.showLog')!()),
      /the task store is unreadable/,
    );
  });
});
